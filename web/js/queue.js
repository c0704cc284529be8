// What the upload queue's items mean to a person: each item's state, the panel's overall line ("12 of 17 ready")
// and whether leaving the page would lose bytes. Pure (no DOM, no network), so node --test covers it
// (tests/js/queue.test.js). The queue itself (web/js/upload.js) moves items through these states:
//
//   queued → uploading → processing (bytes stored; the pipeline's PENDING/PROCESSING) → a final status
//   (READY, REJECTED, QUARANTINED, DUPLICATE, FAILED) — or `failed` (the upload itself failed: refused by the API
//   or the storage, network gone, upload form expired) — or `gone` (the photo no longer exists: it expired or was
//   deleted) — or `trashed` (its owner moved the photo to the trash, before or after it was processed: it stays
//   there, never counted as ready nor sent to the timeline). A processing item whose photo carries `retry`
//   (contract: PhotoSummary.retry) is shown as retrying.

import { FINAL_STATUSES } from './photos.js';

/** States in which the browser still holds bytes the server does not have: leaving the page loses them. */
const SENDING = new Set(['queued', 'uploading']);
/** States that need the person's attention (the panel lists them with their reason). */
export const PROBLEM_STATES = new Set(['REJECTED', 'QUARANTINED', 'FAILED', 'DUPLICATE', 'failed', 'gone']);

export function isDone(item) {
  return item.state === 'failed' || item.state === 'gone' || item.state === 'trashed' || FINAL_STATUSES.has(item.state);
}

/**
 * Where a tracked upload settles given its photo as the API reads it (a PhotoSummary): `trashed` as soon as it is
 * in the trash — whatever its status, as a trashed upload is processed into the trash — its final status, or null
 * while it is still on its way.
 */
export function settledState(photo) {
  if (photo.trashed_at) return 'trashed';
  return FINAL_STATUSES.has(photo.status) ? photo.status : null;
}

export function isRetrying(item) {
  return item.state === 'processing' && Boolean(item.photo?.retry);
}

/** The badge of an item: the queue's own states, "Retrying", or the photo's final status. */
export function itemBadge(item) {
  if (isRetrying(item)) return 'retrying';
  return item.state;
}

/** The sentence under an item. */
export function itemDetail(item) {
  switch (item.state) {
    case 'queued':
      return 'Waiting to upload…';
    case 'uploading':
      return `Uploading… ${Math.round(item.progress * 100)}%`;
    case 'processing':
      if (isRetrying(item)) {
        const { attempts, cause } = item.photo.retry;
        const why = cause === 'interrupted' ? 'the last attempt was interrupted' : 'a service it needs failed for a moment';
        return `Retrying: ${why} (attempt ${attempts + 1} next). Nothing to do — it will finish on its own.`;
      }
      return item.photo?.status === 'PROCESSING' ? 'Uploaded. Finding labels, faces and text…' : 'Uploaded. Waiting for processing…';
    case 'READY':
      return item.photo?.caption ? `Ready — ${item.photo.caption}` : 'Ready';
    case 'DUPLICATE':
      return item.photo?.reason?.message || 'You already have this photo.';
    case 'gone':
      return item.message || 'This upload expired before its file arrived, or was deleted.';
    case 'trashed':
      return 'Moved to the trash. Restore it from Trash within 30 days.';
    default:
      return item.message || item.photo?.reason?.message || 'This upload could not be processed.';
  }
}

/**
 * The panel's overall line and bar: {total, ready, sending, processing, problems, fraction, text}. `fraction` is
 * how far the whole batch is: each file counts half for its bytes and half for being settled.
 */
export function queueSummary(items) {
  const total = items.length;
  let ready = 0;
  let sending = 0;
  let processing = 0;
  let problems = 0;
  let trashed = 0;
  let progress = 0;
  for (const item of items) {
    if (item.state === 'READY') ready += 1;
    else if (SENDING.has(item.state)) sending += 1;
    else if (item.state === 'processing') processing += 1;
    else if (PROBLEM_STATES.has(item.state)) problems += 1;
    else if (item.state === 'trashed') trashed += 1;
    const bytes = SENDING.has(item.state) ? (item.state === 'uploading' ? item.progress : 0) : 1;
    progress += bytes / 2 + (isDone(item) ? 0.5 : 0);
  }
  const parts = [`${ready} of ${total} ready`];
  if (sending) parts.push(`${sending} uploading`);
  if (processing) parts.push(`${processing} processing`);
  if (problems) parts.push(`${problems} need${problems === 1 ? 's' : ''} attention`);
  if (trashed) parts.push(`${trashed} in the trash`);
  return { total, ready, sending, processing, problems, fraction: total ? progress / total : 0, text: parts.join(' · ') };
}

/** True while some file's bytes are not yet stored (the page warns before it is left). */
export function sendingBytes(items) {
  return items.some((item) => SENDING.has(item.state));
}
