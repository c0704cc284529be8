// The PhotoVault HTTP API (JSON). Adds the bearer token, refreshes it once on a 401, and turns the
// {code, message, details} error body into an ApiError. A 401 that survives the refresh ends the session; the app
// shell listens for that and returns to the sign-in page.

import * as auth from './auth.js';
import { getConfig } from './config.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || 'error';
    this.details = details || null;
  }
}

function signedOut() {
  auth.signOut();
  window.dispatchEvent(new CustomEvent('pv:unauthorized'));
  return new ApiError(401, 'unauthorized', 'Your session has ended. Please sign in again.');
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function request(method, path, { body, params, anonymous = false, signal } = {}) {
  const cfg = await getConfig();
  const url = `${cfg.apiBaseUrl}${path}${query(params)}`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (!anonymous) {
      const token = await auth.getToken();
      // Not signed in: do not send a request that can only fail.
      if (!token) throw signedOut();
      headers.Authorization = `Bearer ${token}`;
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network_error', 'Cannot reach PhotoVault. Check your connection and try again.');
    }
    if (res.status === 401 && !anonymous) {
      if (attempt === 0 && (await auth.refresh())) continue;
      throw signedOut();
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const err = data && typeof data === 'object' ? data : {};
      throw new ApiError(res.status, err.code, err.message || defaultMessage(res.status), err.details);
    }
    return data;
  }
  throw signedOut();
}

function defaultMessage(status) {
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That file is too large.';
  if (status === 415) return 'That file type is not supported.';
  if (status === 429) return 'Too many requests — please slow down and try again.';
  if (status >= 500) return 'PhotoVault had a problem. Please try again.';
  return `Request failed (${status}).`;
}

// ---- response normalisation: tolerate the small naming differences a JSON API grows --------------------------

/** A page of items: {items, next_cursor}. */
export function page(data, ...keys) {
  const d = data || {};
  let items = d.items;
  for (const key of keys) if (!items && Array.isArray(d[key])) items = d[key];
  if (!items && Array.isArray(data)) items = data;
  return { items: items || [], cursor: d.next_cursor ?? d.nextCursor ?? d.cursor ?? null };
}

// ---- endpoints ----------------------------------------------------------------------------------------------------

export const api = {
  createUpload: (file) =>
    request('POST', '/uploads', { body: { filename: file.name, content_type: file.type, size: file.size } }),
  listPhotos: ({ cursor, limit, status, signal } = {}) =>
    request('GET', '/photos', { params: { cursor, limit, status }, signal }).then((d) => page(d, 'photos')),
  getPhoto: (id, { signal } = {}) => request('GET', `/photos/${encodeURIComponent(id)}`, { signal }).then(photoDetail),
  deletePhoto: (id) => request('DELETE', `/photos/${encodeURIComponent(id)}`),
  search: ({ q, cursor, signal }) =>
    request('GET', '/search', { params: { q, cursor }, signal }).then((d) => page(d, 'hits', 'results', 'photos')),
  labels: ({ signal } = {}) =>
    request('GET', '/labels', { signal }).then((d) => {
      const items = Array.isArray(d) ? d : d?.labels || d?.items || d?.facets || [];
      return items
        .map((x) => (typeof x === 'string' ? { name: x, count: null } : { name: x.name || x.label || x.term, count: x.count ?? x.photos ?? null }))
        .filter((x) => x.name);
    }),
  createShare: (photoId, { expiresIn, maxViews }) =>
    request('POST', `/photos/${encodeURIComponent(photoId)}/shares`, {
      body: maxViews ? { expires_in: expiresIn, max_views: maxViews } : { expires_in: expiresIn },
    }),
  listShares: ({ signal } = {}) => request('GET', '/shares', { signal }).then((d) => page(d, 'shares')),
  revokeShare: (token) => request('DELETE', `/shares/${encodeURIComponent(token)}`),
  publicShare: (token) => request('GET', `/public/shares/${encodeURIComponent(token)}`, { anonymous: true }),
};

/** A photo's media URL of one kind, whether the API nests them under `urls` or flattens them. */
export function mediaUrl(photo, kind) {
  if (!photo) return null;
  const urls = photo.urls || {};
  return urls[kind] || photo[`${kind}_url`] || (kind === 'thumb' ? photo.thumbnail_url || urls.thumbnail : null) || null;
}

/** GET /photos/{id} answers {photo: {...stored fields}, urls: {thumb, preview, original, expires_at}}: flatten it. */
export function photoDetail(data) {
  if (data && data.photo && typeof data.photo === 'object' && !data.photo_id) {
    return { ...data.photo, urls: { ...(data.photo.urls || {}), ...(data.urls || {}) } };
  }
  return data;
}

/** The photo of a list item or search hit ({photo: {...}, matches} or flat). */
export function photoOf(item) {
  return item && item.photo && typeof item.photo === 'object' ? item.photo : item;
}

/** Why a search hit matched: [{term, field, confidence}] (the API calls it `matches`; `matched` also accepted). */
export function matchesOf(item) {
  return item?.matches || item?.matched || item?.photo?.matches || [];
}

export function captionOf(photo) {
  const c = photo?.caption;
  if (!c) return { text: '', fallback: false };
  if (typeof c === 'string') return { text: c, fallback: Boolean(photo.caption_fallback) };
  return { text: c.text || '', fallback: Boolean(c.fallback) };
}

export const TERMINAL = new Set(['READY', 'REJECTED', 'QUARANTINED', 'DUPLICATE']);
