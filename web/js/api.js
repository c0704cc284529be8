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

// ---- endpoints: each answers the shape docs/openapi.json documents for it, as is ----------------------------------

const id = encodeURIComponent;

export const api = {
  /** SignedOut: tokens issued until now (or, keeping this session, before its token) are refused from now on. */
  signOutEverywhere: (keepThisSession = false) =>
    request('POST', '/account/sign-out-everywhere', { body: { keep_this_session: keepThisSession } }),

  /** NotificationSettings: {email, address}: is the digest e-mailed, to the account's address. */
  notificationSettings: () => request('GET', '/account/notifications'),
  setEmailNotifications: (email) => request('PUT', '/account/notifications', { body: { email } }),

  /** UploadCreated: {photo_id, url, fields, expires_at, max_bytes}. */
  createUpload: (file) =>
    request('POST', '/uploads', { body: { filename: file.name, content_type: file.type, size: file.size } }),

  // -- the timeline and one photo
  /** PhotoList: READY photos in the library by date taken. {order: taken_desc|taken_asc, from, to (YYYY-MM-DD), favorite}. */
  listPhotos: ({ cursor, limit, order, from, to, favorite, signal } = {}) =>
    request('GET', '/photos', { params: { cursor, limit, order, from, to, favorite: favorite ? 'true' : undefined }, signal }),
  /** MonthList: {items: [{month, count}], total}, newest first. */
  months: ({ signal } = {}) => request('GET', '/photos/dates', { signal }),
  /** PhotoList of uploads not in the timeline (unfinished, REJECTED, QUARANTINED, DUPLICATE, FAILED). */
  attention: ({ cursor, limit, signal } = {}) => request('GET', '/photos/attention', { params: { cursor, limit }, signal }),
  /** PhotoDetail: every PhotoSummary field and what the photo page shows (albums, neighbours…). */
  getPhoto: (photoId, { signal } = {}) => request('GET', `/photos/${id(photoId)}`, { signal }),
  /** Move to the trash (204). */
  trashPhoto: (photoId) => request('DELETE', `/photos/${id(photoId)}`),
  restorePhoto: (photoId) => request('POST', `/photos/${id(photoId)}/restore`),
  setFavorite: (photoId, on) => request(on ? 'PUT' : 'DELETE', `/photos/${id(photoId)}/favorite`),
  /** ActionResults: {action, results: [{id, result}], ok, failed}; at most 100 ids. */
  act: (action, photoIds, albumId) =>
    request('POST', '/photos/actions', { body: albumId ? { action, photo_ids: photoIds, album_id: albumId } : { action, photo_ids: photoIds } }),
  /** MediaUrlList: {items: [{id, urls}]} for the READY photos among at most 100 ids. */
  mediaUrls: (photoIds) => request('POST', '/media/urls', { body: { photo_ids: photoIds } }),

  // -- trash
  /** TrashList: {items, cursor, retention_days}. */
  listTrash: ({ cursor, limit, signal } = {}) => request('GET', '/trash', { params: { cursor, limit }, signal }),
  deleteForever: (photoId) => request('DELETE', `/trash/photos/${id(photoId)}`),

  // -- search
  /** SearchResults: {query, label, terms, partial, items: [{photo, matches}], cursor}. */
  search: ({ q, label, person, cursor, signal }) => request('GET', '/search', { params: { q, label, person, cursor }, signal }),
  /** LabelList: {items: [{label, count}]}. */
  labels: ({ signal } = {}) => request('GET', '/labels', { signal }),
  /** PlaceList: {items: [{place, count}]} — the owner's cities, regions and countries, most photos first. */
  places: ({ signal } = {}) => request('GET', '/places', { signal }),
  /** MapPoints: {items: [{id, lat, lon}], cursor} — the owner's geotagged photos (thumbnails: mediaUrls). */
  mapPoints: ({ cursor, limit, signal } = {}) => request('GET', '/map', { params: { cursor, limit }, signal }),

  // -- albums
  /** AlbumList: {items: Album[], cursor}. */
  listAlbums: ({ cursor, limit, signal } = {}) => request('GET', '/albums', { params: { cursor, limit }, signal }),
  /** Album. */
  createAlbum: (name) => request('POST', '/albums', { body: { name } }),
  getAlbum: (albumId, { signal } = {}) => request('GET', `/albums/${id(albumId)}`, { signal }),
  /** Album; `changes` is {name} and/or {cover_photo_id}. */
  updateAlbum: (albumId, changes) => request('PATCH', `/albums/${id(albumId)}`, { body: changes }),
  deleteAlbum: (albumId) => request('DELETE', `/albums/${id(albumId)}`),
  /** PhotoList: the album's photos by date taken. */
  albumPhotos: (albumId, { cursor, limit, order, signal } = {}) =>
    request('GET', `/albums/${id(albumId)}/photos`, { params: { cursor, limit, order }, signal }),
  /** ActionResults; at most 100 ids. */
  addToAlbum: (albumId, photoIds) => request('POST', `/albums/${id(albumId)}/photos`, { body: { photo_ids: photoIds } }),
  removeFromAlbum: (albumId, photoIds) => request('DELETE', `/albums/${id(albumId)}/photos`, { body: { photo_ids: photoIds } }),

  // -- people
  /** PersonList: {items: [{id, name, face_count, cover_url}], cursor}; named people first. */
  listPeople: ({ cursor, limit, signal } = {}) => request('GET', '/people', { params: { cursor, limit }, signal }),
  /** Person. */
  getPerson: (personId, { signal } = {}) => request('GET', `/people/${id(personId)}`, { signal }),
  /** Person, named. */
  renamePerson: (personId, name) => request('PATCH', `/people/${id(personId)}`, { body: { name } }),
  /** PersonFaceList: {items: [{id, photo_id, crop_url, box}], cursor}, newest taken first. */
  personFaces: (personId, { cursor, limit, signal } = {}) =>
    request('GET', `/people/${id(personId)}/faces`, { params: { cursor, limit }, signal }),
  /** Person: `otherId`'s faces moved into `personId`. */
  mergePeople: (personId, otherId) => request('POST', `/people/${id(personId)}/merge`, { body: { person_id: otherId } }),
  /** Person: the face taken out of the person (it becomes a person of its own). */
  removeFace: (personId, faceId) => request('DELETE', `/people/${id(personId)}/faces/${id(faceId)}`),

  // -- shares
  /** Share (kind photo). */
  createShare: (photoId, { expiresIn, maxViews }) =>
    request('POST', `/photos/${id(photoId)}/shares`, { body: shareBody(expiresIn, maxViews) }),
  /** Share (kind album). */
  createAlbumShare: (albumId, { expiresIn, maxViews }) =>
    request('POST', `/albums/${id(albumId)}/shares`, { body: shareBody(expiresIn, maxViews) }),
  /** ShareList: {items: Share[], cursor}. */
  listShares: ({ cursor, signal } = {}) => request('GET', '/shares', { params: { cursor }, signal }),
  revokeShare: (token) => request('DELETE', `/shares/${id(token)}`),
  /** PublicShare: {caption, preview: {url, width, height, expires_at}, expires_at}. */
  publicShare: (token) => request('GET', `/public/shares/${id(token)}`, { anonymous: true }),
  /** PublicAlbum: {title, items: [{caption, thumb, preview}], cursor, expires_at}. */
  publicAlbum: (token, { cursor } = {}) => request('GET', `/public/albums/${id(token)}`, { params: { cursor }, anonymous: true }),

  // -- account
  /** Usage: {photos, bytes, quota_bytes}. */
  usage: () => request('GET', '/account/usage'),
  /** JobAccepted {id}: delete the account for good; follow it with getJob until it answers 404 (the account is gone). */
  deleteAccount: () => request('POST', '/account/deletion', { body: { confirm: 'DELETE' } }),

  // -- jobs
  /** JobAccepted {id}: download the originals of up to 10,000 photos as zip parts. */
  downloadJob: (photoIds) => request('POST', '/jobs', { body: { kind: 'download', photo_ids: photoIds } }),
  /** JobAccepted {id}: "Download everything": every original and a metadata.json as zip parts. */
  exportJob: () => request('POST', '/jobs', { body: { kind: 'export' } }),
  /** Job: {id, kind, state, progress: {done, total}, files: [{name, url, expires_at, size_bytes, photos}], error}. */
  getJob: (jobId, { signal } = {}) => request('GET', `/jobs/${id(jobId)}`, { signal }),
};

function shareBody(expiresIn, maxViews) {
  return maxViews ? { expires_in: expiresIn, max_views: maxViews } : { expires_in: expiresIn };
}
