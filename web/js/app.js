// App shell: a small history-API router, the header (search, nav, upload, sign-out), the upload panel and session
// wiring. Routes are real paths (web/js/routes.js): the server answers every extension-less path with index.html.
//
// The viewer is an overlay route: opened from a page (a click on a tile), that page stays rendered underneath —
// its scroll position, loaded pages and selection untouched — and Escape or Back closes the viewer onto it, with
// the photo the viewer ended on focused. Moving between photos replaces the URL, so Back always leaves the viewer.

import { ApiError } from './api.js';
import * as auth from './auth.js';
import { clear, h, toast } from './dom.js';
import { legacySharePath, matchRoute, photoPath } from './routes.js';
import { renewer } from './media.js';
import { renderAlbum, renderAlbums } from './views/albums.js';
import { renderPeople, renderPerson } from './views/people.js';
import { renderAttention } from './views/attention.js';
import { renderAccount } from './views/account.js';
import { renderAuth, renderForgot } from './views/auth.js';
import { renderMap } from './views/map.js';
import { renderPublicAlbum } from './views/public-album.js';
import { renderPublicShare } from './views/public-share.js';
import { renderSearch } from './views/search.js';
import { renderShares } from './views/shares.js';
import { renderAuthCallback } from './views/social.js';
import { renderTimeline } from './views/timeline.js';
import { renderTrash } from './views/trash.js';
import { mountUploadPanel } from './views/upload-panel.js';
import { openViewer } from './views/viewer.js';

const VIEWS = {
  signin: (main, ctx) => renderAuth(main, { ...ctx, mode: 'signin' }),
  signup: (main, ctx) => renderAuth(main, { ...ctx, mode: 'signup' }),
  forgot: renderForgot,
  authCallback: renderAuthCallback,
  share: renderPublicShare,
  publicAlbum: renderPublicAlbum,
  timeline: (main, ctx) => renderTimeline(main, { ...ctx, favorites: false }),
  favorites: (main, ctx) => renderTimeline(main, { ...ctx, favorites: true }),
  albums: renderAlbums,
  album: renderAlbum,
  people: renderPeople,
  person: renderPerson,
  search: renderSearch,
  map: renderMap,
  attention: renderAttention,
  trash: renderTrash,
  shares: renderShares,
  account: renderAccount,
};

const main = document.getElementById('main');
const topbar = document.querySelector('.topbar');
const searchForm = document.querySelector('.search-form');
const searchInput = document.getElementById('search-input');
const nav = document.querySelector('.nav');
const userLabel = document.querySelector('[data-testid="current-user"]');

history.scrollRestoration = 'manual';

let baseSeq = 0;
// The page (not the viewer) currently rendered: its URL, cleanup, and the list it offers the viewer.
let base = { key: 0, url: null, route: null, cleanup: null, controller: null, list: null };
let overlay = null; // {viewer, overBase: key of the page underneath, or 0}
let pendingFocus = null; // a photo to focus once the next page has rendered (closing a viewer opened from a link)
let firstRender = true;

export function navigate(path, { replace = false } = {}) {
  const target = matchRoute(new URL(path, location.origin).pathname);
  // Opening the viewer from a rendered page: remember which, so closing it can go back to that very page.
  const state = target?.route.overlay && base.url && !overlay ? { viewerOver: base.key } : null;
  if (replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  render();
}

function updateShell(route) {
  const user = auth.currentUser();
  const showChrome = Boolean(user) && !route.bare;
  searchForm.hidden = !showChrome;
  nav.hidden = !showChrome;
  userLabel.textContent = user?.email || '';
  for (const link of nav.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!location.pathname.startsWith('/search')) searchInput.value = '';
}

function openOverlay(photoId, route) {
  const overBase = history.state?.viewerOver === base.key && base.url ? base.key : 0;
  const viewer = openViewer({
    photoId,
    list: overBase ? base.list : null,
    onNavigate: (id) => history.replaceState(history.state, '', photoPath(id)),
    onClose: (id) => {
      if (overlay) overlay.lastId = id;
      if (overlay?.overBase) history.back();
      else {
        pendingFocus = id;
        navigate('/', { replace: true });
      }
    },
  });
  overlay = { viewer, overBase, lastId: photoId };
  document.body.append(viewer.element);
  main.inert = true;
  topbar.inert = true;
  document.documentElement.classList.add('viewer-open');
  document.title = `${route.title} · PhotoVault`;
  viewer.element.focus({ preventScroll: true });
}

/** Close the viewer; true when the page underneath is the one asked for (nothing else to render). */
function closeOverlay(url) {
  if (!overlay) return false;
  const { viewer, overBase, lastId } = overlay;
  overlay = null;
  viewer.destroy();
  main.inert = false;
  topbar.inert = false;
  document.documentElement.classList.remove('viewer-open');
  if (overBase && overBase === base.key && base.url === url) {
    document.title = `${base.route.title} · PhotoVault`;
    if (!base.list?.focusPhoto(lastId)) main.focus({ preventScroll: true });
    return true;
  }
  pendingFocus = lastId;
  return false;
}

async function render() {
  const legacy = legacySharePath(location.hash);
  if (legacy) history.replaceState(null, '', legacy);
  const path = location.pathname;
  const url = path + location.search;
  const matched = matchRoute(path);
  const route = matched?.route;
  const params = matched?.params || [];

  if (route && !route.public && !auth.isSignedIn()) {
    closeOverlay(null);
    history.replaceState(null, '', url === '/' ? '/signin' : `/signin?next=${encodeURIComponent(url)}`);
    return render();
  }
  if ((path.startsWith('/signin') || path.startsWith('/signup')) && auth.isSignedIn()) {
    history.replaceState(null, '', '/');
    return render();
  }

  if (route?.overlay) {
    if (overlay) {
      // Forward/back between two viewer entries: show the photo asked for.
      overlay.viewer.destroy();
      overlay = null;
    }
    updateShell(route);
    openOverlay(params[0], route);
    firstRender = false;
    return;
  }
  if (closeOverlay(url)) return;
  teardownBase();
  base = { key: ++baseSeq, url, route, cleanup: null, controller: new AbortController(), list: null };
  const current = base;
  const { signal } = current.controller;

  if (!route) {
    updateShell({});
    document.title = 'Not found · PhotoVault';
    clear(main).append(
      h('section', { class: 'empty-state card', testid: 'not-found' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/', 'data-link': true }, 'Back to your photos'))),
    );
    return;
  }

  updateShell(route);
  document.title = `${route.title} · PhotoVault`;
  // Each render draws into its own container: a slower, superseded render then writes into a detached node.
  const view = h('div', { class: 'view' });
  clear(main).append(view);
  const ctx = {
    params,
    query: new URLSearchParams(location.search),
    signal,
    navigate,
    provideList: (list) => {
      if (current === base) current.list = list;
    },
  };
  try {
    const cleanup = await VIEWS[route.name](view, ctx);
    if (signal.aborted) {
      if (typeof cleanup === 'function') cleanup();
    } else {
      current.cleanup = cleanup;
    }
  } catch (err) {
    if (signal.aborted || err.name === 'AbortError') return;
    if (err instanceof ApiError && err.status === 401) return; // pv:unauthorized takes it from here
    view.replaceChildren(errorCard(err));
  }
  if (signal.aborted) return;
  if (pendingFocus && current.list?.focusPhoto(pendingFocus)) {
    pendingFocus = null;
  } else if (!firstRender && !view.contains(document.activeElement)) {
    // Move focus to the new page for keyboard and screen-reader users, as a full page load would.
    const heading = view.querySelector('h1');
    if (heading) heading.setAttribute('tabindex', '-1');
    (heading || main).focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  pendingFocus = null;
  firstRender = false;
}

function teardownBase() {
  if (base.controller) base.controller.abort();
  if (typeof base.cleanup === 'function') {
    try {
      base.cleanup();
    } catch {
      /* a view's cleanup must never block navigation */
    }
  }
  base = { key: 0, url: null, route: null, cleanup: null, controller: null, list: null };
}

function errorCard(err) {
  const notFound = err instanceof ApiError && err.status === 404;
  return h(
    'section',
    { class: 'empty-state card', role: 'alert', testid: 'error' },
    h('h1', {}, notFound ? 'Not found' : 'Something went wrong'),
    h('p', { class: 'muted' }, notFound ? 'This does not exist or has been deleted.' : err.message || String(err)),
    h('p', {}, h('a', { href: '/', 'data-link': true, class: 'btn' }, 'Back to your photos')),
  );
}

// ---- global wiring ----------------------------------------------------------------------------------------------

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-link]');
  if (!link || !link.hasAttribute('href') || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = new URL(link.href, location.href);
  if (target.origin !== location.origin) return;
  event.preventDefault();
  if (target.pathname + target.search !== location.pathname + location.search) navigate(target.pathname + target.search);
});

window.addEventListener('popstate', () => render());

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const q = searchInput.value.trim();
  if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
});

const panel = mountUploadPanel();
document.querySelector('[data-testid="upload-button"]').addEventListener('click', () => panel.choose());

document.querySelector('[data-testid="sign-out"]').addEventListener('click', () => {
  auth.signOut(); // the onChange listener below leaves the private page
  toast('Signed out.');
});

const isPublicPath = () => /^\/(s|a)\//.test(location.pathname);

window.addEventListener('pv:unauthorized', () => {
  if (location.pathname.startsWith('/signin') || isPublicPath()) return;
  toast('Your session has ended. Please sign in again.', 'info');
  const next = location.pathname + location.search;
  navigate(`/signin?next=${encodeURIComponent(next)}`, { replace: true });
});

auth.onChange((user) => {
  if (user) return;
  renewer.reset();
  // Signed out in another tab: leave private pages.
  if (!isPublicPath() && !location.pathname.startsWith('/sign')) navigate('/signin', { replace: true });
});

// A 401 that reached a view after it handled it is not a bug; everything else stays visible in the console.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof ApiError && event.reason.status === 401) event.preventDefault();
});

render();
