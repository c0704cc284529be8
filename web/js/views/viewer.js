// The full-screen photo viewer (/photos/<id>): next/previous by arrow keys, buttons and swipes, zoom by wheel,
// pinch, double-tap or +/-, pan when zoomed, neighbours preloaded, a details side panel (i), favourite, add to
// album, share, download and trash. Opened from a list page it walks that page's list (loading more at its end)
// and, on close, hands back the photo it ended on so the page focuses it; opened from a link it walks the
// timeline (PhotoDetail.neighbours).

import { ApiError, api } from '../api.js';
import { formatDate, h, icon, toast } from '../dom.js';
import { DOUBLE_TAP_SCALE, IDENTITY, clampView, distance, fitSize, swipeAction, toggleZoom, wheelFactor, zoomAt } from '../gestures.js';
import { refreshUrls, urlsFresh } from '../media.js';
import { photoPath } from '../routes.js';
import { albumPicker, sharePhotoDialog } from './dialogs.js';
import { colorsSection, facesSection, factsSection, labelsSection, statusPanel, textSection } from './details.js';

const PANEL_KEY = 'photovault.viewer.details';
const DOUBLE_TAP_MS = 300;

// Where the details panel is a bottom sheet over the photo (styles.css), it starts closed: a sheet remembered
// open would cover every photo and catch the swipes meant for it.
const SHEET_QUERY = '(max-width: 860px)';

function panelWanted() {
  if (window.matchMedia?.(SHEET_QUERY).matches) return false;
  try {
    return localStorage.getItem(PANEL_KEY) === '1';
  } catch {
    return false;
  }
}

function rememberPanel(open) {
  if (window.matchMedia?.(SHEET_QUERY).matches) return;
  try {
    localStorage.setItem(PANEL_KEY, open ? '1' : '0');
  } catch {
    /* private mode: the choice lasts this page only */
  }
}

function button(label, iconName, testid, extra = {}) {
  return h('button', { type: 'button', class: 'btn btn-ghost icon-btn viewer-btn', 'aria-label': label, title: label, testid, ...extra }, icon(iconName));
}

/**
 * Open the viewer on photo `photoId`.
 * list: {order(), photo(id), hasMore(), loadMore() → Promise<bool>, setFavorite(id, on), remove(ids)} of the page
 * below, or null.
 * onNavigate(id): the viewer moved to another photo (the app replaces the URL).
 * onClose(id): the viewer was closed on photo `id` (Escape, the close button, a swipe down).
 * Returns {element, close(), destroy()}.
 */
export function openViewer({ photoId, list = null, onNavigate, onClose }) {
  let current = null; // the PhotoSummary or PhotoDetail shown
  let detail = null; // the PhotoDetail of `current`, once loaded
  let view = { ...IDENTITY };
  let loadToken = 0;
  let panelOpen = panelWanted();
  let neighbours = { previous: null, next: null }; // from PhotoDetail, when there is no list
  let closed = false;
  let pendingDetail = null; // the PhotoDetail of the photo shown, on its way

  const img = h('img', { class: 'viewer-img', alt: '', testid: 'photo-preview', draggable: 'false' });
  const placeholder = h('div', { class: 'viewer-missing', testid: 'photo-preview-missing', hidden: true });
  const stage = h('div', { class: 'viewer-stage', testid: 'viewer-stage' }, img, placeholder);
  const prevBtn = button('Previous photo', 'left', 'viewer-previous', { class: 'viewer-nav viewer-nav-prev' });
  const nextBtn = button('Next photo', 'right', 'viewer-next', { class: 'viewer-nav viewer-nav-next' });
  const closeBtn = button('Close (Esc)', 'back', 'viewer-close');
  const infoBtn = button('Details (i)', 'info', 'viewer-info', { 'aria-pressed': String(panelOpen), 'aria-controls': 'viewer-panel' });
  const favBtn = button('Add to favourites', 'heart', 'viewer-favorite', { 'aria-pressed': 'false', class: 'btn btn-ghost icon-btn viewer-btn viewer-fav' });
  const albumBtn = button('Add to album', 'album', 'viewer-add-to-album');
  const shareBtn = button('Share', 'share', 'share-button');
  const downloadLink = h('a', { class: 'btn btn-ghost icon-btn viewer-btn', 'aria-label': 'Download original', title: 'Download original', testid: 'original-link', hidden: true }, icon('download'));
  const trashBtn = button('Move to trash', 'trash', 'viewer-trash');
  const restoreBtn = h('button', { type: 'button', class: 'btn btn-sm', testid: 'viewer-restore', hidden: true }, icon('restore'), 'Restore');
  const title = h('h1', { class: 'viewer-title', testid: 'photo-title', id: 'viewer-title' });
  const subtitle = h('p', { class: 'viewer-subtitle' });
  const counter = h('span', { class: 'visually-hidden', 'aria-live': 'polite', testid: 'viewer-announce' });
  const panel = h('aside', { class: 'viewer-panel', id: 'viewer-panel', testid: 'viewer-details', 'aria-label': 'Details', hidden: !panelOpen });
  const element = h(
    'div',
    { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'viewer-title', testid: 'viewer', tabindex: '-1' },
    h(
      'div',
      { class: 'viewer-top' },
      closeBtn,
      h('div', { class: 'viewer-heading' }, title, subtitle),
      h('div', { class: 'viewer-actions' }, restoreBtn, favBtn, albumBtn, shareBtn, downloadLink, trashBtn, infoBtn),
    ),
    h('div', { class: 'viewer-body' }, h('div', { class: 'viewer-main' }, stage, prevBtn, nextBtn), panel),
    counter,
  );

  // ---- which photos are next to this one
  const order = () => (list ? list.order() : []);
  function neighbour(step) {
    if (!current) return null;
    const ids = order();
    const at = ids.indexOf(current.id);
    if (at >= 0) {
      const id = ids[at + step];
      return id ? list.photo(id) : null;
    }
    // Not on the page below (a link, or a photo the page has not loaded): the timeline's neighbours.
    return step < 0 ? neighbours.previous : neighbours.next;
  }
  async function go(step) {
    if (!detail && !order().includes(current.id)) await pendingDetail?.catch(() => null);
    let target = neighbour(step);
    if (!target && list && step > 0 && order().includes(current.id) && (await list.loadMore())) target = neighbour(step);
    if (!target) return;
    show(target);
    onNavigate?.(target.id);
  }

  function paintNav() {
    prevBtn.disabled = !neighbour(-1);
    // At the end of what is loaded, more may come: keep "next" on while the list can load more.
    nextBtn.disabled = !neighbour(1) && !(list && order().includes(current.id) && list.hasMore());
  }

  function preloadNeighbours() {
    for (const step of [-1, 1]) {
      const photo = neighbour(step);
      if (photo?.urls.preview && urlsFresh(photo, 20)) {
        const pre = new Image();
        pre.decoding = 'async';
        pre.src = photo.urls.preview;
      }
    }
  }

  // ---- showing a photo
  function show(photo) {
    current = photo;
    detail = null;
    const token = ++loadToken;
    element.dataset.photoId = photo.id;
    element.dataset.status = photo.status;
    resetZoom();
    paintHeader(photo);
    setImage(photo, token);
    panel.replaceChildren(h('p', { class: 'muted' }, 'Loading details…'));
    paintNav();
    preloadNeighbours();
    // A PhotoDetail (a deep link, a restore) is used as it is; a list's summary waits for its detail, and an
    // arrow pressed meanwhile waits for it too (it brings the timeline's neighbours).
    pendingDetail = photo.neighbours ? Promise.resolve(photo) : api.getPhoto(photo.id);
    pendingDetail
      .then((full) => {
        if (token !== loadToken || closed) return;
        detail = full;
        current = full;
        // The list's summary learns what the detail says (favourite, fresh URLs).
        const summary = list?.photo(full.id);
        if (summary) {
          summary.favorite = full.favorite;
          summary.urls = { ...full.urls, original: null };
        }
        neighbours = full.neighbours;
        element.dataset.status = full.status;
        paintHeader(full);
        if (!img.src || img.dataset.failed) setImage(full, token);
        paintPanel(full);
        paintNav();
        preloadNeighbours();
      })
      .catch((err) => {
        if (token !== loadToken || closed) return;
        if (err instanceof ApiError && err.status === 404) {
          panel.replaceChildren(h('p', { class: 'form-error', testid: 'error' }, 'This photo does not exist or has been deleted.'));
          title.textContent = 'Not found';
          img.hidden = true;
          placeholder.hidden = false;
          placeholder.replaceChildren(icon('alert'), h('span', {}, 'Not found'));
        } else {
          panel.replaceChildren(h('p', { class: 'form-error' }, err.message));
        }
      });
  }

  async function setImage(photo, token) {
    delete img.dataset.failed;
    if (photo.status !== 'READY' || !photo.urls.preview) {
      img.hidden = true;
      img.removeAttribute('src');
      placeholder.hidden = false;
      placeholder.replaceChildren(icon(photo.status === 'READY' ? 'image' : 'alert'), h('span', {}, photo.status === 'READY' ? 'No preview' : 'Not in your library yet'));
      return;
    }
    let urls = photo.urls;
    // URLs about to expire (a list loaded long ago) are exchanged first rather than shown broken.
    if (!urlsFresh(photo)) urls = (await refreshUrls(photo).catch(() => null)) || urls;
    if (token !== loadToken) return;
    placeholder.hidden = true;
    img.hidden = false;
    img.alt = photo.caption || photo.filename;
    // The thumbnail (already in the cache) stands in until the preview arrives.
    img.classList.add('viewer-img-loading');
    img.src = urls.preview;
  }
  img.addEventListener('load', () => img.classList.remove('viewer-img-loading'));
  img.addEventListener('error', () => {
    img.dataset.failed = '1';
  });

  function paintHeader(photo) {
    title.textContent = photo.caption || photo.filename;
    subtitle.textContent = [photo.taken_at ? formatDate(photo.taken_at) : null, photo.caption ? photo.filename : null].filter(Boolean).join(' · ');
    const ready = photo.status === 'READY';
    const trashed = Boolean(photo.trashed_at);
    favBtn.hidden = !ready || trashed;
    albumBtn.hidden = !ready || trashed;
    shareBtn.hidden = trashed;
    shareBtn.disabled = !ready;
    shareBtn.title = ready ? 'Share' : 'Only ready photos can be shared';
    trashBtn.hidden = trashed;
    restoreBtn.hidden = !trashed;
    favBtn.setAttribute('aria-pressed', String(Boolean(photo.favorite)));
    favBtn.setAttribute('aria-label', photo.favorite ? 'Remove from favourites' : 'Add to favourites');
    favBtn.title = favBtn.getAttribute('aria-label');
    const original = photo.urls?.original;
    downloadLink.hidden = !original;
    if (original) downloadLink.href = original;
    counter.textContent = photo.caption || photo.filename;
  }

  function paintPanel(photo) {
    const albums = photo.albums.length
      ? h(
          'section',
          { class: 'detail-section', testid: 'photo-albums' },
          h('h2', {}, 'In albums'),
          h(
            'ul',
            { class: 'chips' },
            photo.albums.map((album) => h('li', {}, h('a', { class: 'chip', href: `/albums/${encodeURIComponent(album.id)}`, 'data-link': true, testid: 'photo-album' }, album.name))),
          ),
        )
      : null;
    const trashNote = photo.trashed_at
      ? h('div', { class: 'notice notice-bad', testid: 'photo-trashed' }, h('p', {}, `In the trash since ${formatDate(photo.trashed_at)}. Restore it to see it in your library again.`))
      : null;
    panel.replaceChildren(
      h('div', { class: 'page photo-page', testid: 'photo-page', 'data-photo-id': photo.id, 'data-status': photo.status }, trashNote, statusPanel(photo), albums, labelsSection(photo.labels), facesSection(photo.faces), textSection(photo.text), colorsSection(photo.colors), factsSection(photo)),
    );
  }

  function togglePanel(open = !panelOpen) {
    panelOpen = open;
    panel.hidden = !open;
    infoBtn.setAttribute('aria-pressed', String(open));
    rememberPanel(open);
    resetZoom();
  }

  // ---- actions
  favBtn.addEventListener('click', async () => {
    const photo = current;
    const on = !photo.favorite;
    photo.favorite = on;
    paintHeader(photo);
    try {
      await api.setFavorite(photo.id, on);
      list?.setFavorite(photo.id, on);
    } catch (err) {
      photo.favorite = !on;
      paintHeader(photo);
      toast(err.message, 'error');
    }
  });
  albumBtn.addEventListener('click', async () => {
    const photo = current;
    const album = await albumPicker({ returnFocus: albumBtn });
    if (!album) return;
    try {
      const result = await api.addToAlbum(album.id, [photo.id]);
      toast(result.ok ? `Added to “${album.name}”.` : `Could not add it to “${album.name}”.`, result.ok ? 'success' : 'error');
      if (detail && current === detail) {
        detail = await api.getPhoto(photo.id);
        current = detail;
        paintPanel(detail);
      }
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  shareBtn.addEventListener('click', () => sharePhotoDialog(current, shareBtn));
  trashBtn.addEventListener('click', async () => {
    const photo = current;
    // Where to go next: the following photo, else the one before, else back to the page.
    const after = neighbour(1) || neighbour(-1);
    trashBtn.disabled = true;
    try {
      await api.trashPhoto(photo.id);
      toast('Moved to the trash. Restore it from Trash within 30 days.', 'success');
      list?.remove([photo.id]);
      if (after) {
        show(after);
        onNavigate?.(after.id);
      } else {
        close();
      }
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      trashBtn.disabled = false;
    }
  });
  restoreBtn.addEventListener('click', async () => {
    const photo = current;
    try {
      await api.restorePhoto(photo.id);
      toast('Restored to your library.', 'success');
      list?.remove([photo.id]);
      show(await api.getPhoto(photo.id));
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  closeBtn.addEventListener('click', () => close());
  infoBtn.addEventListener('click', () => togglePanel());
  prevBtn.addEventListener('click', () => go(-1));
  nextBtn.addEventListener('click', () => go(1));

  // ---- zoom and pan
  function stageBox() {
    const box = stage.getBoundingClientRect();
    return { box, size: { w: box.width, h: box.height } };
  }
  function fitted() {
    const { size } = stageBox();
    return fitSize({ w: img.naturalWidth, h: img.naturalHeight }, size);
  }
  function point(event) {
    const { box } = stageBox();
    return { x: event.clientX - (box.left + box.width / 2), y: event.clientY - (box.top + box.height / 2) };
  }
  function apply(next) {
    view = next;
    img.style.transform = view.scale === 1 ? '' : `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    element.classList.toggle('viewer-zoomed', view.scale > 1);
    stage.dataset.scale = view.scale.toFixed(2);
  }
  function resetZoom() {
    apply({ ...IDENTITY });
  }
  function zoomBy(factor, at = { x: 0, y: 0 }) {
    apply(zoomAt(view, factor, at, stageBox().size, fitted()));
  }

  stage.addEventListener(
    'wheel',
    (event) => {
      if (img.hidden) return;
      event.preventDefault();
      zoomBy(wheelFactor(event.deltaY), point(event));
    },
    { passive: false },
  );
  stage.addEventListener('dblclick', (event) => {
    if (img.hidden) return;
    apply(toggleZoom(view, point(event), stageBox().size, fitted()));
  });

  const pointers = new Map();
  let gesture = null; // {kind: 'pan'|'swipe'|'pinch', …}
  let lastTap = null;
  stage.addEventListener('pointerdown', (event) => {
    if (img.hidden) return;
    stage.setPointerCapture?.(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      gesture = { kind: 'pinch', distance: distance(a, b), mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } };
    } else if (pointers.size === 1) {
      gesture = { kind: view.scale > 1 ? 'pan' : 'swipe', start: { x: event.clientX, y: event.clientY }, last: { x: event.clientX, y: event.clientY }, at: performance.now(), moved: 0 };
    }
  });
  stage.addEventListener('pointermove', (event) => {
    if (!pointers.has(event.pointerId) || !gesture) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (gesture.kind === 'pinch' && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const d = distance(a, b);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      const { box, size } = stageBox();
      const at = { x: mid.x - (box.left + box.width / 2), y: mid.y - (box.top + box.height / 2) };
      let next = zoomAt(view, d / gesture.distance, at, size, fitted());
      next = clampView({ ...next, x: next.x + (mid.x - gesture.mid.x), y: next.y + (mid.y - gesture.mid.y) }, size, fitted());
      apply(next.scale === 1 ? { ...IDENTITY } : next);
      gesture.distance = d;
      gesture.mid = mid;
    } else if (gesture.kind === 'pan') {
      const dx = event.clientX - gesture.last.x;
      const dy = event.clientY - gesture.last.y;
      gesture.last = { x: event.clientX, y: event.clientY };
      gesture.moved += Math.abs(dx) + Math.abs(dy);
      apply(clampView({ ...view, x: view.x + dx, y: view.y + dy }, stageBox().size, fitted()));
    } else if (gesture.kind === 'swipe') {
      // Follow the finger a little so the swipe feels attached to the photo.
      const dx = event.clientX - gesture.start.x;
      img.style.transform = `translateX(${dx * 0.6}px)`;
    }
  });
  const endPointer = (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.delete(event.pointerId);
    if (!gesture) return;
    if (gesture.kind === 'pinch') {
      if (pointers.size === 0) gesture = null;
      return;
    }
    const done = gesture;
    gesture = null;
    if (done.kind === 'swipe') {
      img.style.transform = '';
      const dx = event.clientX - done.start.x;
      const dy = event.clientY - done.start.y;
      const action = event.type === 'pointerup' ? swipeAction({ dx, dy, ms: performance.now() - done.at }) : null;
      if (action === 'next') go(1);
      else if (action === 'previous') go(-1);
      else if (action === 'close') close();
      else if (event.pointerType !== 'mouse' && Math.hypot(dx, dy) < 10) tapped(event);
    } else if (done.kind === 'pan' && done.moved < 10 && event.pointerType !== 'mouse') {
      tapped(event);
    }
  };
  function tapped(event) {
    const now = performance.now();
    if (lastTap && now - lastTap.at < DOUBLE_TAP_MS && Math.hypot(event.clientX - lastTap.x, event.clientY - lastTap.y) < 30) {
      lastTap = null;
      apply(toggleZoom(view, point(event), stageBox().size, fitted()));
      return;
    }
    lastTap = { at: now, x: event.clientX, y: event.clientY };
  }
  stage.addEventListener('pointerup', endPointer);
  stage.addEventListener('pointercancel', endPointer);

  // ---- keyboard
  const onKey = (event) => {
    if (event.defaultPrevented || document.querySelector('dialog[open]')) return;
    if (event.target.closest?.('input, textarea, select')) return;
    const key = event.key;
    if (key === 'Escape') {
      event.preventDefault();
      close();
    } else if (key === 'ArrowRight') {
      event.preventDefault();
      go(1);
    } else if (key === 'ArrowLeft') {
      event.preventDefault();
      go(-1);
    } else if (key === 'i' || key === 'I') {
      togglePanel();
    } else if (key === '+' || key === '=') {
      zoomBy(DOUBLE_TAP_SCALE / 2 + 0.25);
    } else if (key === '-') {
      zoomBy(1 / (DOUBLE_TAP_SCALE / 2 + 0.25));
    } else if (key === '0') {
      resetZoom();
    }
  };
  document.addEventListener('keydown', onKey);
  const onResize = () => resetZoom();
  window.addEventListener('resize', onResize);

  function close() {
    if (closed) return;
    onClose?.(current ? current.id : photoId);
  }

  function destroy() {
    closed = true;
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('resize', onResize);
    element.remove();
  }

  // ---- start: the list's summary shows at once; a deep link waits for the detail
  const first = list?.photo(photoId);
  if (first) {
    show(first);
  } else {
    title.textContent = 'Loading…';
    current = { id: photoId, status: 'PENDING', urls: {}, filename: '' };
    const token = ++loadToken;
    api
      .getPhoto(photoId)
      .then((full) => {
        if (token === loadToken && !closed) show(full);
      })
      .catch((err) => {
        if (closed) return;
        title.textContent = err instanceof ApiError && err.status === 404 ? 'Not found' : 'Something went wrong';
        panel.hidden = false;
        panel.replaceChildren(
          h('div', { class: 'empty-state', role: 'alert', testid: 'error' }, h('h2', {}, title.textContent), h('p', { class: 'muted' }, err instanceof ApiError && err.status === 404 ? 'This photo does not exist or has been deleted.' : err.message)),
        );
        for (const b of [favBtn, albumBtn, shareBtn, trashBtn, prevBtn, nextBtn]) b.hidden = true;
        img.hidden = true;
      });
  }

  return { element, close, destroy, current: () => current, photoPath };
}
