// Albums: the list (/albums) with covers, create; one album (/albums/<id>) in date order with rename, share,
// download, delete, and a selection to remove photos, set the cover or act on them as anywhere else. Photos are
// added from the timeline, search or the viewer ("Add to album").

import { api } from '../api.js';
import { h, icon, toast } from '../dom.js';
import { photoImage } from '../media.js';
import { Selection } from '../selection.js';
import { addToAlbumAction, downloadAction, favoriteAction, removeFromAlbumAction, setCoverAction, trashAction } from './actions.js';
import { gridList, pager } from './components.js';
import { confirmDialog, downloadDialog, promptDialog, shareAlbumDialog } from './dialogs.js';
import { PhotoGrid } from './grid.js';
import { selectionBar } from './selection-bar.js';

const PAGE_SIZE = 60;
const countText = (n) => `${n} ${n === 1 ? 'photo' : 'photos'}`;
const albumPath = (id) => `/albums/${encodeURIComponent(id)}`;

function albumCard(album) {
  const cover = album.cover
    ? photoImage(album.cover, 'thumb', { alt: '', loading: 'lazy', decoding: 'async', class: 'album-cover-img' })
    : h('div', { class: 'thumb-placeholder', 'aria-hidden': 'true' }, icon('album'));
  return h(
    'li',
    { class: 'album-card', testid: 'album-card', 'data-album-id': album.id },
    h(
      'a',
      { href: albumPath(album.id), 'data-link': true, class: 'album-link' },
      h('div', { class: 'album-cover' }, cover),
      h('span', { class: 'album-name', testid: 'album-name' }, album.name),
      h('span', { class: 'album-count muted', testid: 'album-count' }, countText(album.photo_count)),
    ),
  );
}

async function newAlbum(navigate, returnFocus) {
  const name = await promptDialog({ title: 'New album', label: 'Name', confirmLabel: 'Create', testid: 'new-album-dialog', returnFocus });
  if (!name) return;
  try {
    const album = await api.createAlbum(name);
    navigate(albumPath(album.id));
  } catch (err) {
    toast(err.message, 'error');
  }
}

export async function renderAlbums(main, { signal, navigate }) {
  const list = h('ul', { class: 'albums', testid: 'albums', 'aria-label': 'Albums' });
  const create = h('button', { type: 'button', class: 'btn btn-primary', testid: 'new-album' }, icon('plus'), 'New album');
  create.addEventListener('click', () => newAlbum(navigate, create));
  const empty = h(
    'div',
    { class: 'empty-state card', testid: 'albums-empty', hidden: true },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('album')),
    h('h2', {}, 'No albums yet'),
    h('p', { class: 'muted' }, 'Create one here, or select photos in your library and choose Add to album.'),
  );
  let cursor = null;
  const more = pager(async () => {
    const page = await api.listAlbums({ cursor, signal });
    list.append(...page.items.map(albumCard));
    cursor = page.cursor;
    return Boolean(cursor);
  });
  main.append(h('div', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', {}, 'Albums'), create), list, empty, more.element));
  const first = await api.listAlbums({ signal });
  list.append(...first.items.map(albumCard));
  cursor = first.cursor;
  more.setDone(!cursor);
  empty.hidden = first.items.length > 0;
  return () => more.disconnect();
}

export async function renderAlbum(main, { params, signal, navigate, provideList }) {
  const [albumId] = params;
  let album = await api.getAlbum(albumId, { signal });
  const selection = new Selection();
  const grid = new PhotoGrid({ granularity: 'day', selection, label: `Photos in ${album.name}`, testid: 'album-grid' });
  const title = h('h1', { testid: 'album-title' }, album.name);
  const count = h('p', { class: 'muted', testid: 'album-photo-count' });
  const paintHead = () => {
    title.textContent = album.name;
    count.textContent = countText(album.photo_count);
    grid.element.setAttribute('aria-label', `Photos in ${album.name}`);
    document.title = `${album.name} · PhotoVault`;
  };
  paintHead();

  const renameBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'rename-album' }, icon('edit'), 'Rename');
  const shareBtn = h('button', { type: 'button', class: 'btn btn-primary btn-sm', testid: 'share-album' }, icon('share'), 'Share');
  const downloadBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'download-album' }, icon('download'), 'Download');
  const deleteBtn = h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm', testid: 'delete-album' }, icon('trash'), 'Delete album');
  renameBtn.addEventListener('click', async () => {
    const name = await promptDialog({ title: 'Rename album', label: 'Name', value: album.name, confirmLabel: 'Rename', testid: 'rename-dialog', returnFocus: renameBtn });
    if (!name || name === album.name) return;
    try {
      album = await api.updateAlbum(album.id, { name });
      paintHead();
      toast('Album renamed.', 'success');
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  shareBtn.addEventListener('click', () => shareAlbumDialog(album, shareBtn));
  downloadBtn.addEventListener('click', async () => {
    // Every photo of the album, page by page (ids only go to the job).
    const ids = [];
    let next = null;
    do {
      const page = await api.albumPhotos(album.id, { cursor: next, limit: 100, order: 'taken_asc' });
      ids.push(...page.items.map((p) => p.id));
      next = page.cursor;
    } while (next);
    if (ids.length) downloadDialog(ids, { returnFocus: downloadBtn });
    else toast('This album has no photos to download.', 'info');
  });
  deleteBtn.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: `Delete “${album.name}”?`,
      body: 'The album and its share links go away. Its photos stay in your library.',
      confirmLabel: 'Delete album',
      danger: true,
      returnFocus: deleteBtn,
    });
    if (!sure) return;
    try {
      await api.deleteAlbum(album.id);
      toast('Album deleted. Its photos are still in your library.', 'success');
      navigate('/albums', { replace: true });
    } catch (err) {
      toast(err.message, 'error');
    }
  });

  const empty = h(
    'div',
    { class: 'empty-state card', testid: 'album-empty', hidden: true },
    h('h2', {}, 'This album is empty'),
    h('p', { class: 'muted' }, 'Select photos in your library or in search results and choose Add to album.'),
    h('a', { href: '/', 'data-link': true, class: 'btn' }, 'Go to your photos'),
  );
  let cursor = null;
  const more = pager(async () => {
    const page = await api.albumPhotos(album.id, { cursor, limit: PAGE_SIZE, order: 'taken_asc', signal });
    grid.append(page.items);
    cursor = page.cursor;
    return Boolean(cursor);
  });
  const refreshCount = async () => {
    album = await api.getAlbum(album.id).catch(() => album);
    paintHead();
    empty.hidden = grid.size > 0;
  };
  const bar = selectionBar({
    selection,
    order: () => grid.order(),
    actions: [
      favoriteAction({ grid, selection }),
      addToAlbumAction({ selection }),
      setCoverAction({ album: () => album, selection, onChanged: (updated) => (album = updated) }),
      downloadAction(),
      removeFromAlbumAction({ album: () => album, grid, onRemoved: refreshCount }),
      trashAction({ grid }),
    ],
  });

  main.append(
    h(
      'div',
      { class: 'page', testid: 'album-page', 'data-album-id': album.id },
      h('a', { href: '/albums', 'data-link': true, class: 'back-link' }, icon('back'), 'Albums'),
      h('div', { class: 'page-head' }, h('div', {}, title, count), h('div', { class: 'actions' }, shareBtn, downloadBtn, renameBtn, deleteBtn)),
      grid.element,
      empty,
      more.element,
    ),
    bar.element,
  );
  const first = await api.albumPhotos(album.id, { limit: PAGE_SIZE, order: 'taken_asc', signal });
  grid.append(first.items);
  cursor = first.cursor;
  more.setDone(!cursor);
  empty.hidden = grid.size > 0;
  const list = gridList(grid, more);
  provideList({
    ...list,
    remove(ids) {
      list.remove(ids);
      refreshCount();
    },
  });
  return () => {
    bar.cleanup();
    more.disconnect();
    grid.destroy();
  };
}
