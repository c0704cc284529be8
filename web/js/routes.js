// The single-page app's routes: real paths (CloudFront's viewer-request function and the local gateway answer
// every extension-less path with index.html). Pure, so node --test covers it (tests/js/routes.test.js).
//
// `overlay` routes (the photo viewer) open on top of the page they were reached from, which stays as it was
// (scroll position, loaded pages, selection); opened directly they stand alone.

export const ROUTES = [
  { name: 'signin', pattern: /^\/signin\/?$/, public: true, title: 'Sign in' },
  { name: 'signup', pattern: /^\/signup\/?$/, public: true, title: 'Create account' },
  { name: 'forgot', pattern: /^\/forgot\/?$/, public: true, title: 'Reset password' },
  { name: 'authCallback', pattern: /^\/auth\/callback\/?$/, public: true, title: 'Signing in' },
  { name: 'share', pattern: /^\/s\/([^/]+)\/?$/, public: true, bare: true, title: 'Shared photo' },
  { name: 'publicAlbum', pattern: /^\/a\/([^/]+)\/?$/, public: true, bare: true, title: 'Shared album' },
  { name: 'timeline', pattern: /^\/?$/, nav: 'photos', title: 'Photos' },
  { name: 'favorites', pattern: /^\/favorites\/?$/, nav: 'photos', title: 'Favourites' },
  { name: 'photo', pattern: /^\/photos\/([^/]+)\/?$/, nav: 'photos', overlay: true, title: 'Photo' },
  { name: 'albums', pattern: /^\/albums\/?$/, nav: 'albums', title: 'Albums' },
  { name: 'album', pattern: /^\/albums\/([^/]+)\/?$/, nav: 'albums', title: 'Album' },
  { name: 'people', pattern: /^\/people\/?$/, nav: 'people', title: 'People' },
  { name: 'person', pattern: /^\/people\/([^/]+)\/?$/, nav: 'people', title: 'Person' },
  { name: 'search', pattern: /^\/search\/?$/, title: 'Search' },
  { name: 'map', pattern: /^\/map\/?$/, nav: 'map', title: 'Map' },
  { name: 'attention', pattern: /^\/attention\/?$/, nav: 'attention', title: 'Needs attention' },
  { name: 'trash', pattern: /^\/trash\/?$/, nav: 'trash', title: 'Trash' },
  { name: 'shares', pattern: /^\/shares\/?$/, nav: 'shares', title: 'Shared links' },
  { name: 'account', pattern: /^\/account\/?$/, nav: 'account', title: 'Account' },
];

/** The route for a path and its decoded parameters, or null (the "not found" page). */
export function matchRoute(pathname) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(pathname);
    if (found) {
      try {
        return { route, params: found.slice(1).map(decodeURIComponent) };
      } catch {
        return null; // a malformed %-escape is not a page
      }
    }
  }
  return null;
}

/** Share links handed out before they were real paths read /#/s/<token>; they last up to 30 days. */
export function legacySharePath(hash) {
  const found = /^#\/?s\/([^/?#]+)/.exec(hash);
  return found ? `/s/${found[1]}` : null;
}

/** A person's page. */
export function personPath(personId) {
  return `/people/${encodeURIComponent(personId)}`;
}

/** The viewer's path for a photo. */
export function photoPath(photoId) {
  return `/photos/${encodeURIComponent(photoId)}`;
}

/** The search page's path for a query and optional label and person facets. */
export function searchPath(q, label = null, person = null) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (label) params.set('label', label);
  if (person) params.set('person', person);
  const s = params.toString();
  return s ? `/search?${s}` : '/search';
}
