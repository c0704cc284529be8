// What the API contract's photo and share fields mean to a person (docs/openapi.json: PhotoSummary, PhotoDetail,
// Share). Pure functions of documented fields — no DOM — so node --test covers them (tests/js/photos.test.js).

/** Statuses that do not change any more; PENDING and PROCESSING do (contract: PhotoSummary.status). */
export const FINAL_STATUSES = new Set(['READY', 'REJECTED', 'QUARANTINED', 'DUPLICATE', 'FAILED']);

/** Badge text: the API's statuses, then the upload queue's own states (before the API knows the photo). */
export const STATUS_TEXT = {
  PENDING: 'Waiting',
  PROCESSING: 'Processing',
  READY: 'Ready',
  REJECTED: 'Rejected',
  QUARANTINED: 'Quarantined',
  DUPLICATE: 'Duplicate',
  FAILED: 'Failed',
  queued: 'Queued',
  uploading: 'Uploading',
  processing: 'Processing',
  failed: 'Failed',
};

/** Statuses shown as a problem with the photo (its reason says what). */
export const BAD_STATUSES = new Set(['REJECTED', 'QUARANTINED', 'FAILED', 'failed']);

export function isFinal(status) {
  return FINAL_STATUSES.has(status);
}

/** A tile's accessible name: the caption (or file name), and the status unless the photo is ready. */
export function cardLabel(photo) {
  const name = photo.caption || photo.filename;
  return photo.status === 'READY' ? name : `${name} (${STATUS_TEXT[photo.status] || photo.status})`;
}

/** The sentence under a photo that is not READY (null for a READY one). */
export function statusNote(photo) {
  switch (photo.status) {
    case 'READY':
      return null;
    case 'PENDING':
      return 'Waiting for processing…';
    case 'PROCESSING':
      return 'Processing: labels, faces, text and caption are on their way.';
    case 'DUPLICATE':
      return 'You already have this photo.';
    case 'QUARANTINED':
      return photo.reason?.message || 'This file was quarantined by moderation and cannot be shared.';
    case 'FAILED':
      return photo.reason?.message || 'This upload could not be processed.';
    default:
      return photo.reason?.message || 'This file was rejected.';
  }
}

/** "Canon EOS R5" from the detail's camera (null when the file named none). */
export function cameraText(camera) {
  return camera ? [camera.make, camera.model].filter(Boolean).join(' ') || null : null;
}

/** How a detected face reads: its age range when the analysis knows it, else just "face N" — never "age unknown"
 * (the offline face detector finds faces without guessing ages). */
export function faceText(face, index) {
  if (face.age_low === null || face.age_low === undefined) return `face ${index + 1}`;
  return `age ${face.age_low}–${face.age_high ?? face.age_low}`;
}

/** An OpenStreetMap link for the detail's location. */
export function mapLink(location) {
  const { latitude, longitude } = location;
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=15/${latitude}/${longitude}`;
}

/** How a share's state reads in a list. */
export function shareStateText(state) {
  return state === 'exhausted' ? 'used up' : state;
}

/** "2 of 5 views" / "3 views". */
export function viewsText(share) {
  return share.max_views === null ? `${share.views} views` : `${share.views} of ${share.max_views} views`;
}

/**
 * How long a photo stays in the trash: whole days left until `trashed_at` + `retentionDays` (TrashList), never
 * below 0. `now` in milliseconds.
 */
export function trashDaysLeft(trashedAt, retentionDays, now = Date.now()) {
  const end = new Date(trashedAt).getTime() + retentionDays * 86_400_000;
  return Math.max(0, Math.ceil((end - now) / 86_400_000));
}

/** "Deleted in 29 days" / "Deleted tomorrow" / "Deleted within a day" for a trashed photo's tile. */
export function trashNotice(daysLeft) {
  if (daysLeft <= 0) return 'Deleted within a day';
  if (daysLeft === 1) return 'Deleted tomorrow';
  return `Deleted in ${daysLeft} days`;
}
