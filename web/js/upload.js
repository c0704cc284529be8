// The upload queue: ask the API for a presigned POST, send the file straight to S3 with XHR (for progress
// events), and move on to the next file as soon as the bytes are stored. Processing is followed separately by one
// tracker for all stored files: GET /photos/attention lists every upload still in the pipeline or refused, so one
// request per tick covers them all; a file that left that list is read once (READY, or gone). The queue outlives
// page navigation, and the page warns before it is left while bytes are still being sent. States: web/js/queue.js.

import { ApiError, api } from './api.js';
import { EXTENSION_TYPES } from './formats.js';
import { isDone, sendingBytes, settledState } from './queue.js';

const CONCURRENCY = 3;
const TRACK_FIRST_MS = 800;
const TRACK_MAX_MS = 4000;
const TRACK_GIVE_UP_MS = 10 * 60 * 1000;
const ATTENTION_PAGE = 100;

/** The browser leaves File.type empty for some formats (HEIC, AVIF on many desktops): infer it from the extension. */
export function contentTypeOf(file) {
  if (file.type) return file.type;
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  return EXTENSION_TYPES[ext] || 'application/octet-stream';
}

let nextLocalId = 1;

class UploadItem {
  constructor(file) {
    this.id = `u${nextLocalId++}`;
    this.file = file;
    this.name = file.name;
    this.size = file.size;
    this.state = 'queued';
    this.progress = 0;
    this.photoId = null;
    this.photo = null; // the latest PhotoSummary/PhotoDetail the API gave for it
    this.message = '';
    this.storedAt = 0;
  }

  get done() {
    return isDone(this);
  }
}

function postToS3(url, fields, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    // S3 requires the policy fields first and the file last.
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    form.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(s3Message(xhr.responseText, xhr.status)));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload was interrupted. Please try again.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    xhr.send(form);
  });
}

function s3Message(body, status) {
  const text = body || '';
  if (status === 400 && /EntityTooLarge/.test(text)) return 'That file is too large.';
  if (status === 403 && /expired/i.test(text)) return 'The upload form expired before the file was sent. Please try again.';
  const m = /<Message>([^<]*)<\/Message>/.exec(text);
  return m ? `Storage refused the file: ${m[1]}` : `Storage refused the file (${status}).`;
}

export class UploadQueue extends EventTarget {
  constructor() {
    super();
    this.items = [];
    this.active = 0;
    this.trackTimer = null;
    this.trackDelay = TRACK_FIRST_MS;
    this.tracking = false;
  }

  /** Queue files; returns the new items. */
  add(fileList) {
    const added = Array.from(fileList || []).map((file) => new UploadItem(file));
    this.items.unshift(...added.slice().reverse());
    this.emit('change');
    this.pump();
    return added;
  }

  /** Send a failed upload again (a new upload: the old form may have expired). */
  retry(item) {
    if (item.state !== 'failed') return;
    Object.assign(item, { state: 'queued', progress: 0, photoId: null, photo: null, message: '' });
    this.emit('item', item);
    this.pump();
  }

  /** Forget finished items (the "Clear finished" button). */
  clearFinished() {
    this.items = this.items.filter((item) => !item.done);
    this.emit('change');
  }

  /** Bytes are still on their way: leaving the page would lose them. */
  sendingBytes() {
    return sendingBytes(this.items);
  }

  emit(type, item = null) {
    this.dispatchEvent(new CustomEvent(type, { detail: item }));
  }

  update(item, changes) {
    Object.assign(item, changes);
    this.emit('item', item);
    if (item.done) this.emit('settled', item);
  }

  pump() {
    while (this.active < CONCURRENCY) {
      const item = this.items.slice().reverse().find((i) => i.state === 'queued');
      if (!item) return;
      this.active += 1;
      this.update(item, { state: 'uploading', progress: 0 });
      this.send(item)
        .catch((err) => {
          if (err instanceof ApiError && err.status === 401) return; // the shell returns to sign-in
          this.update(item, { state: 'failed', message: err.message || 'Upload failed.' });
        })
        .finally(() => {
          this.active -= 1;
          this.pump();
        });
    }
  }

  /** Only the bytes: once S3 has them, the slot goes to the next file and the tracker follows this one. */
  async send(item) {
    const type = contentTypeOf(item.file);
    const file = item.file.type === type ? item.file : new File([item.file], item.file.name, { type });
    const created = await api.createUpload(file);
    item.photoId = created.photo_id;
    await postToS3(created.url, created.fields, file, (fraction) => this.update(item, { progress: fraction }));
    this.update(item, { state: 'processing', progress: 1, storedAt: Date.now() });
    this.trackSoon(true);
  }

  trackSoon(reset = false) {
    if (reset) this.trackDelay = TRACK_FIRST_MS;
    if (this.trackTimer || this.tracking) return;
    this.trackTimer = setTimeout(() => {
      this.trackTimer = null;
      this.track();
    }, this.trackDelay);
  }

  /** One tick: the attention listing for everything still in the pipeline, one read for each that left it. */
  async track() {
    const waiting = this.items.filter((item) => item.state === 'processing');
    if (waiting.length === 0) return;
    this.tracking = true;
    let changed = false;
    try {
      const { items } = await api.attention({ limit: ATTENTION_PAGE });
      const listed = new Map(items.map((photo) => [photo.id, photo]));
      for (const item of waiting) {
        const photo = listed.get(item.photoId);
        if (photo) {
          changed = this.observe(item, photo) || changed;
          continue;
        }
        if (Date.now() - item.storedAt > TRACK_GIVE_UP_MS) {
          this.update(item, { state: 'failed', message: 'Still not processed after 10 minutes — see Needs attention later.' });
          continue;
        }
        // Not among the unfinished ones: READY (in the timeline now), gone, or not yet listed (a fresh upload).
        try {
          changed = this.observe(item, await api.getPhoto(item.photoId)) || changed;
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) {
            this.update(item, { state: 'gone', message: 'This upload no longer exists: its file never arrived in time, or it was deleted.' });
            changed = true;
          } else if (!(err instanceof ApiError) || err.status === 401) {
            throw err;
          }
        }
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      // A failed tick (network, throttling): try again on the next one.
    } finally {
      this.tracking = false;
    }
    this.trackDelay = changed ? TRACK_FIRST_MS : Math.min(TRACK_MAX_MS, this.trackDelay * 1.4);
    if (this.items.some((item) => item.state === 'processing')) this.trackSoon();
  }

  /** Take in what the API says about an item's photo; true when something a person sees changed. */
  observe(item, photo) {
    const before = `${item.photo?.status}|${Boolean(item.photo?.retry)}`;
    const settled = settledState(photo);
    if (settled) {
      this.update(item, { state: settled, photo, message: photo.reason?.message || '' });
      return true;
    }
    item.photo = photo;
    const now = `${photo.status}|${Boolean(photo.retry)}`;
    if (now !== before) this.emit('item', item);
    return now !== before;
  }
}

export const uploads = new UploadQueue();

// Leaving while bytes are on their way loses them; processing continues on the server either way.
window.addEventListener('beforeunload', (event) => {
  if (!uploads.sendingBytes()) return;
  event.preventDefault();
  event.returnValue = '';
});
