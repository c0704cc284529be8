// App shell: a tiny history-API router, the header (search, nav, sign-out) and session wiring.
// Routes are real paths (/photos/<id>, /search?q=, /s/<token>): the server answers every unknown path with
// index.html (CloudFront custom error response in AWS, the local gateway's fallback in `make run`).

import { ApiError } from './api.js';
import * as auth from './auth.js';
import { clear, h, toast } from './dom.js';
import { renderAuth } from './views/auth.js';
import { renderGallery } from './views/gallery.js';
import { renderPhoto } from './views/photo.js';
import { renderPublicShare } from './views/public-share.js';
import { renderSearch } from './views/search.js';
import { renderShares } from './views/shares.js';

const routes = [
  { pattern: /^\/signin\/?$/, view: (main, ctx) => renderAuth(main, { ...ctx, mode: 'signin' }), public: true, title: 'Sign in' },
  { pattern: /^\/signup\/?$/, view: (main, ctx) => renderAuth(main, { ...ctx, mode: 'signup' }), public: true, title: 'Create account' },
  { pattern: /^\/s\/([^/]+)\/?$/, view: renderPublicShare, public: true, bare: true, title: 'Shared photo' },
  { pattern: /^\/?$/, view: renderGallery, nav: 'gallery', title: 'Gallery' },
  { pattern: /^\/photos\/([^/]+)\/?$/, view: renderPhoto, nav: 'gallery', title: 'Photo' },
  { pattern: /^\/search\/?$/, view: renderSearch, title: 'Search' },
  { pattern: /^\/shares\/?$/, view: renderShares, nav: 'shares', title: 'Shared links' },
];

const main = document.getElementById('main');
const searchForm = document.querySelector('.search-form');
const searchInput = document.getElementById('search-input');
const nav = document.querySelector('.nav');
const userLabel = document.querySelector('[data-testid="current-user"]');

let current = { cleanup: null, controller: null };
let firstRender = true;

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function legacyShareLink() {
  // Links of the form /#/s/<token> or /?share=<token> still work (a server without an index.html fallback).
  const hash = /^#\/?s\/([^/?#]+)/.exec(location.hash);
  const param = new URLSearchParams(location.search).get('share');
  const token = hash?.[1] || param;
  if (token) history.replaceState(null, '', `/s/${encodeURIComponent(token)}`);
}

function updateShell(route) {
  const user = auth.currentUser();
  const showChrome = Boolean(user) && !(route.bare && !user);
  searchForm.hidden = !showChrome;
  nav.hidden = !showChrome;
  userLabel.textContent = user?.email || '';
  for (const link of nav.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!location.pathname.startsWith('/search')) searchInput.value = '';
}

async function render() {
  legacyShareLink();
  const path = location.pathname;
  let route = null;
  let params = [];
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) {
      route = r;
      params = m.slice(1).map(decodeURIComponent);
      break;
    }
  }

  if (current.controller) current.controller.abort();
  if (typeof current.cleanup === 'function') {
    try {
      current.cleanup();
    } catch {
      /* a view's cleanup must never block navigation */
    }
  }
  current = { cleanup: null, controller: new AbortController() };
  const { signal } = current.controller;

  if (!route) {
    updateShell({});
    document.title = 'Not found · PhotoVault';
    clear(main).append(
      h('section', { class: 'empty-state card', testid: 'not-found' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/', 'data-link': true }, 'Back to your gallery'))),
    );
    return;
  }
  if (!route.public && !auth.isSignedIn()) {
    const next = path + location.search;
    history.replaceState(null, '', next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`);
    return render();
  }
  if ((path.startsWith('/signin') || path.startsWith('/signup')) && auth.isSignedIn()) {
    history.replaceState(null, '', '/');
    return render();
  }

  updateShell(route);
  document.title = `${route.title} · PhotoVault`;
  // Each render draws into its own container: a slower, superseded render then writes into a detached node
  // instead of next to the current page.
  const view = h('div', { class: 'view' });
  clear(main).append(view);
  try {
    const cleanup = await route.view(view, { params, query: new URLSearchParams(location.search), signal, navigate });
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
  if (!firstRender && !signal.aborted && !view.contains(document.activeElement)) {
    // Move focus to the new page for keyboard and screen-reader users, as a full page load would.
    const heading = view.querySelector('h1');
    if (heading) heading.setAttribute('tabindex', '-1');
    (heading || main).focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  firstRender = false;
}

function errorCard(err) {
  const notFound = err instanceof ApiError && err.status === 404;
  return h(
    'section',
    { class: 'empty-state card', role: 'alert', testid: 'error' },
    h('h1', {}, notFound ? 'Not found' : 'Something went wrong'),
    h('p', { class: 'muted' }, notFound ? 'This photo does not exist or has been deleted.' : err.message || String(err)),
    h('p', {}, h('a', { href: '/', 'data-link': true, class: 'btn' }, 'Back to gallery')),
  );
}

// ---- global wiring ----------------------------------------------------------------------------------------------

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-link]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});

window.addEventListener('popstate', () => render());

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const q = searchInput.value.trim();
  if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
});

document.querySelector('[data-testid="sign-out"]').addEventListener('click', () => {
  auth.signOut(); // the onChange listener below leaves the private page
  toast('Signed out.');
});

window.addEventListener('pv:unauthorized', () => {
  if (location.pathname.startsWith('/signin') || location.pathname.startsWith('/s/')) return;
  toast('Your session has ended. Please sign in again.', 'info');
  const next = location.pathname + location.search;
  navigate(`/signin?next=${encodeURIComponent(next)}`, { replace: true });
});

auth.onChange((user) => {
  // Signed out in another tab: leave private pages.
  if (!user && !location.pathname.startsWith('/s/') && !location.pathname.startsWith('/sign')) navigate('/signin', { replace: true });
});

// A 401 that reached a view after it handled it is not a bug; everything else stays visible in the console.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof ApiError && event.reason.status === 401) event.preventDefault();
});

render();
