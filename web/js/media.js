// Photos' signed media URLs on the page: one renewer for the whole app (web/js/renewal.js) fed by
// POST /media/urls, and the <img> helper every view uses so that no image outlives its URL.

import { api } from './api.js';
import { h } from './dom.js';
import { UrlRenewer } from './renewal.js';

export const renewer = new UrlRenewer({
  async fetchUrls(ids) {
    const { items } = await api.mediaUrls(ids);
    return new Map(items.map((item) => [item.id, item.urls]));
  },
});

/** The URLs of a photo known by id alone: a `photoImage` of it asks the renewer for real ones at once. */
export const NOT_SIGNED_YET = Object.freeze({ thumb: null, preview: null, original: null, expires_at: 1 });

/** True when the photo's URLs still have `seconds` to live (else fetch fresh ones before using them). */
export function urlsFresh(photo, seconds = 5) {
  return photo.urls.expires_at - Date.now() / 1000 > seconds;
}

/** Fresh MediaUrls for one photo (null when the API no longer has it READY); the photo object is updated. */
export async function refreshUrls(photo) {
  const { items } = await api.mediaUrls([photo.id]);
  const found = items.find((item) => item.id === photo.id);
  if (found) photo.urls = found.urls;
  return found ? found.urls : null;
}

/**
 * An <img> of a PhotoSummary's `kind` (thumb | preview) whose URL is renewed before it expires — the photo
 * object's `urls` too, so a viewer opened later starts from fresh ones. An image that already loaded keeps its
 * pixels and is not fetched again; one still waiting (lazy, below the fold) gets the new URL. A photo whose URLs
 * have run out (drawn again from data kept since) gets no source until the renewal, asked for at once, brings one.
 * A load error (a URL that expired while the computer slept) asks for fresh URLs at once.
 */
export function photoImage(photo, kind, props = {}) {
  const img = h('img', { ...props, src: urlsFresh(photo, 1) ? photo.urls[kind] : null });
  const untrack = renewer.track(photo.id, photo.urls, (urls) => {
    if (!img.isConnected) return false;
    photo.urls = urls;
    if (!(img.complete && img.naturalWidth > 0)) img.src = urls[kind];
    return true;
  });
  img.addEventListener('error', () => {
    if (!renewer.imageFailed(photo.id)) img.classList.add('img-broken');
  });
  img.untrack = untrack;
  return img;
}
