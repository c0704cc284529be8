// The public page behind an album link (/a/<token>): no sign-in; the album's title and its photos with their
// captions — all the API's PublicAlbum gives (no dates, file names, places or ids) — a page at a time, and a
// simple full-screen view with arrows, swipes and Escape. A dead link says so plainly.

import { api } from '../api.js';
import { formatRelative, h, icon } from '../dom.js';
import { swipeAction } from '../gestures.js';
import { pager } from './components.js';
import { shareUnavailable } from './public-share.js';

function unavailable(main, err) {
  shareUnavailable(main, err, 'This album cannot be shown right now');
}

/** A minimal full-screen view over the shared photos; returns a function that opens it at an index. */
function lightbox(photos, returnFocusTo) {
  let index = 0;
  let box = null;
  const img = h('img', { class: 'viewer-img', alt: '', testid: 'public-viewer-image' });
  const caption = h('p', { class: 'viewer-subtitle', testid: 'public-viewer-caption' });
  const prev = h('button', { type: 'button', class: 'btn btn-ghost icon-btn viewer-nav viewer-nav-prev', 'aria-label': 'Previous photo' }, icon('left'));
  const next = h('button', { type: 'button', class: 'btn btn-ghost icon-btn viewer-nav viewer-nav-next', 'aria-label': 'Next photo' }, icon('right'));
  const close = h('button', { type: 'button', class: 'btn btn-ghost icon-btn viewer-btn', 'aria-label': 'Close (Esc)' }, icon('back'));
  const stage = h('div', { class: 'viewer-stage' }, img);
  const show = (i) => {
    index = Math.max(0, Math.min(photos.length - 1, i));
    const photo = photos[index];
    img.src = photo.preview.url;
    img.alt = photo.caption || 'Shared photo';
    caption.textContent = photo.caption || '';
    prev.disabled = index === 0;
    next.disabled = index === photos.length - 1;
  };
  const onKey = (e) => {
    if (e.key === 'Escape') hide();
    else if (e.key === 'ArrowRight') show(index + 1);
    else if (e.key === 'ArrowLeft') show(index - 1);
  };
  function hide() {
    document.removeEventListener('keydown', onKey);
    document.documentElement.classList.remove('viewer-open');
    box?.remove();
    box = null;
    returnFocusTo(index);
  }
  prev.addEventListener('click', () => show(index - 1));
  next.addEventListener('click', () => show(index + 1));
  close.addEventListener('click', hide);
  let start = null;
  stage.addEventListener('pointerdown', (e) => (start = { x: e.clientX, y: e.clientY, at: performance.now() }));
  stage.addEventListener('pointerup', (e) => {
    if (!start) return;
    const action = swipeAction({ dx: e.clientX - start.x, dy: e.clientY - start.y, ms: performance.now() - start.at });
    start = null;
    if (action === 'next') show(index + 1);
    else if (action === 'previous') show(index - 1);
    else if (action === 'close') hide();
  });
  return (i) => {
    box = h(
      'div',
      { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Shared photo', testid: 'public-viewer', tabindex: '-1' },
      h('div', { class: 'viewer-top' }, close, h('div', { class: 'viewer-heading' }, caption)),
      h('div', { class: 'viewer-body' }, h('div', { class: 'viewer-main' }, stage, prev, next)),
    );
    document.body.append(box);
    document.documentElement.classList.add('viewer-open');
    document.addEventListener('keydown', onKey);
    show(i);
    box.focus();
  };
}

export async function renderPublicAlbum(main, { params }) {
  const [token] = params;
  let album;
  try {
    album = await api.publicAlbum(token);
  } catch (err) {
    unavailable(main, err);
    return undefined;
  }
  document.title = `${album.title} · PhotoVault`;
  const photos = [];
  const grid = h('ul', { class: 'grid public-grid', testid: 'public-album-grid', 'aria-label': 'Photos' });
  const open = lightbox(photos, (i) => grid.children[i]?.querySelector('button')?.focus());
  const add = (items) => {
    for (const photo of items) {
      const at = photos.length;
      photos.push(photo);
      // Eager: these URLs live minutes, so they are fetched while valid rather than when scrolled to.
      const button = h(
        'button',
        { type: 'button', class: 'tile-link', 'aria-label': photo.caption || `Photo ${at + 1}` },
        h('img', { src: photo.thumb.url, alt: photo.caption || '', class: 'tile-img', decoding: 'async' }),
      );
      button.addEventListener('click', () => open(at));
      grid.append(h('li', { class: 'tile', testid: 'public-photo' }, button));
    }
  };
  let cursor = album.cursor;
  const more = pager(async () => {
    const page = await api.publicAlbum(token, { cursor });
    add(page.items);
    cursor = page.cursor;
    return Boolean(cursor);
  });
  add(album.items);
  main.append(
    h(
      'section',
      { class: 'page public-album', testid: 'public-album' },
      h('div', { class: 'page-head' }, h('h1', { testid: 'public-album-title' }, album.title), h('p', { class: 'muted', testid: 'shared-expiry' }, `This link expires ${formatRelative(album.expires_at)}.`)),
      album.items.length ? grid : h('p', { class: 'muted empty-state' }, 'This album has no photos yet.'),
      more.element,
      h('p', { class: 'muted center small' }, 'Shared privately with PhotoVault.'),
    ),
  );
  more.setDone(!cursor);
  return () => more.disconnect();
}
