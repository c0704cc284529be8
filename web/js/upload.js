// The upload queue: ask the API for a presigned POST, send the file straight to S3 with XHR (for progress events),
// then poll the photo until the pipeline settles it (READY / REJECTED / QUARANTINED / DUPLICATE).
// The queue outlives page navigation: uploads keep going while a person looks at other photos.

import { ApiError, TERMINAL, api } from './api.js';

const CONCURRENCY = 3;
const POLL_FIRST_MS = 700;
const POLL_MAX_MS = 3000;
const POLL_GIVE_UP_MS = 5 * 60 * 1000;

const EXT_TYPES = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** The browser leaves File.type empty for some formats (HEIC on most desktops): infer it from the extension. */
export function contentTypeOf(file) {
  if (file.type) return file.type;
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  return EXT_TYPES[ext] || 'application/octet-stream';
}

let nextLocalId = 1;

/**
 * One file's journey. `state` is one of: queued, uploading, processing, READY, REJECTED, QUARANTINED, DUPLICATE,
 * failed (the upload itself failed: API refused it, network error).
 */
class UploadItem {
  constructor(file) {
    this.id = `u${nextLocalId++}`;
    this.file = file;
    this.name = file.name;
    this.size = file.size;
    this.state = 'queued';
    this.progress = 0;
    this.photoId = null;
    this.photo = null;
    this.message = '';
  }

  get done() {
    return this.state === 'failed' || TERMINAL.has(this.state);
  }
}

function postToS3(url, fields, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    // S3 requires the policy fields first and the file last.
    for (const [key, value] of Object.entries(fields || {})) form.append(key, value);
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
  const m = /<Message>([^<]*)<\/Message>/.exec(body || '');
  if (status === 400 && /EntityTooLarge/.test(body || '')) return 'That file is too large.';
  return m ? `Storage refused the file: ${m[1]}` : `Storage refused the file (${status}).`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class UploadQueue extends EventTarget {
  constructor() {
    super();
    this.items = [];
    this.active = 0;
  }

  /** Queue files; returns the new items. */
  add(fileList) {
    const added = Array.from(fileList || []).map((file) => new UploadItem(file));
    this.items.unshift(...added.slice().reverse());
    this.emit('change');
    this.pump();
    return added;
  }

  /** Forget finished items (the "Clear finished" button). */
  clearFinished() {
    this.items = this.items.filter((item) => !item.done);
    this.emit('change');
  }

  emit(type, item = null) {
    this.dispatchEvent(new CustomEvent(type, { detail: item }));
  }

  update(item, changes) {
    Object.assign(item, changes);
    this.emit('item', item);
  }

  pump() {
    while (this.active < CONCURRENCY) {
      const item = this.items.slice().reverse().find((i) => i.state === 'queued');
      if (!item) return;
      this.active += 1;
      this.update(item, { state: 'uploading', progress: 0 });
      this.run(item)
        .catch((err) => {
          if (err instanceof ApiError && err.status === 401) return; // the shell returns to sign-in
          this.update(item, { state: 'failed', message: err.message || 'Upload failed.' });
        })
        .finally(() => {
          this.active -= 1;
          if (item.done) this.emit('settled', item);
          this.pump();
        });
    }
  }

  async run(item) {
    const type = contentTypeOf(item.file);
    const file = item.file.type === type ? item.file : new File([item.file], item.file.name, { type });
    const created = await api.createUpload(file);
    const photoId = created.photo_id || created.photoId || created.id;
    const upload = created.upload || created;
    this.update(item, { photoId });
    await postToS3(upload.url, upload.fields, file, (fraction) => this.update(item, { progress: fraction }));
    this.update(item, { state: 'processing', progress: 1 });
    await this.poll(item);
  }

  async poll(item) {
    const started = Date.now();
    let delay = POLL_FIRST_MS;
    while (Date.now() - started < POLL_GIVE_UP_MS) {
      await sleep(delay);
      let photo;
      try {
        photo = await api.getPhoto(item.photoId);
      } catch (err) {
        // Right after the POST the item may not be visible yet on an eventually consistent read; keep polling.
        if (err instanceof ApiError && (err.status === 404 || err.status === 0 || err.status >= 500)) {
          delay = Math.min(delay * 1.5, POLL_MAX_MS);
          continue;
        }
        throw err;
      }
      if (TERMINAL.has(photo.status)) {
        this.update(item, { state: photo.status, photo, message: photo.reason || '' });
        return;
      }
      delay = Math.min(delay * 1.3, POLL_MAX_MS);
    }
    this.update(item, { state: 'failed', message: 'Still processing after 5 minutes — check the gallery later.' });
  }
}

export const uploads = new UploadQueue();
