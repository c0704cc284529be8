// The drop zone and the per-file upload list with progress bars and live pipeline status.

import { announce, formatBytes, h, icon } from '../dom.js';
import { uploads } from '../upload.js';
import { STATUS_TEXT, statusBadge } from './components.js';

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.gif,.heic,.heif';

function describe(item) {
  switch (item.state) {
    case 'queued':
      return 'Waiting to upload…';
    case 'uploading':
      return `Uploading… ${Math.round(item.progress * 100)}%`;
    case 'processing':
      return 'Analysing: labels, faces, text and caption…';
    case 'READY': {
      const caption = item.photo?.caption;
      const text = typeof caption === 'string' ? caption : caption?.text;
      return text ? `Ready — ${text}` : 'Ready';
    }
    case 'DUPLICATE':
      return item.message || 'You already have this photo.';
    case 'REJECTED':
    case 'QUARANTINED':
    case 'failed':
      return item.message || STATUS_TEXT[item.state];
    default:
      return item.state;
  }
}

function announcement(item) {
  const what = {
    READY: 'is ready',
    REJECTED: `was rejected. ${item.message || ''}`,
    QUARANTINED: `was quarantined. ${item.message || ''}`,
    DUPLICATE: 'is a duplicate of a photo you already have',
    failed: `failed to upload. ${item.message || ''}`,
  }[item.state];
  return what ? `${item.name} ${what}`.trim() : '';
}

function row(item) {
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': `Upload progress for ${item.name}`, 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('div', { class: 'progress-fill' }));
  const detail = h('p', { class: 'upload-detail', testid: 'upload-reason' });
  const badgeSlot = h('span', { class: 'upload-badge' });
  const link = h('a', { class: 'upload-name', 'data-link': true }, item.name);
  const el = h(
    'li',
    { class: 'upload-row', testid: 'upload-item', 'data-name': item.name, 'data-upload-id': item.id },
    h('div', { class: 'upload-head' }, link, h('span', { class: 'upload-size muted' }, formatBytes(item.size)), badgeSlot),
    bar,
    detail,
  );
  el.refresh = () => {
    const pct = Math.round((item.state === 'uploading' ? item.progress : item.state === 'queued' ? 0 : 1) * 100);
    bar.setAttribute('aria-valuenow', String(pct));
    bar.firstChild.style.width = `${pct}%`;
    bar.dataset.state = item.state;
    bar.hidden = item.done && item.state !== 'READY';
    el.dataset.state = item.state;
    if (item.photoId) el.dataset.photoId = item.photoId;
    detail.textContent = describe(item);
    detail.className = ['upload-detail', ['REJECTED', 'QUARANTINED', 'failed'].includes(item.state) ? 'upload-detail-bad' : ''].join(' ');
    badgeSlot.replaceChildren(statusBadge(item.state));
    const target = item.state === 'DUPLICATE' && item.photo?.duplicate_of ? item.photo.duplicate_of : item.photoId;
    if (target && item.done && item.state !== 'failed') link.setAttribute('href', `/photos/${encodeURIComponent(target)}`);
    else link.removeAttribute('href');
  };
  el.refresh();
  return el;
}

/** Returns {element, cleanup}; `onReady(photo)` is called when a photo of this session becomes READY. */
export function uploader({ onReady } = {}) {
  const input = h('input', { type: 'file', multiple: true, accept: ACCEPT, class: 'visually-hidden', id: 'file-input', testid: 'file-input', tabindex: '-1' });
  const choose = h('button', { type: 'button', class: 'btn btn-primary', testid: 'choose-files' }, icon('upload'), 'Choose photos');
  const zone = h(
    'section',
    { class: 'dropzone card', testid: 'dropzone', 'aria-labelledby': 'dropzone-title' },
    h('div', { class: 'dropzone-icon', 'aria-hidden': 'true' }, icon('upload')),
    h('div', { class: 'dropzone-text' }, h('h2', { id: 'dropzone-title' }, 'Add photos'), h('p', { class: 'muted' }, 'Drag and drop here, or choose files. JPEG, PNG, WebP, GIF or HEIC, up to 50 MB each.')),
    choose,
    input,
  );
  const list = h('ul', { class: 'upload-list', testid: 'upload-list', 'aria-label': 'Uploads' });
  const clearBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'clear-finished' }, 'Clear finished');
  const listCard = h('section', { class: 'uploads card', 'aria-label': 'Upload progress', hidden: true }, h('div', { class: 'uploads-head' }, h('h2', {}, 'Uploads'), clearBtn), list);
  const rows = new Map();

  const sync = () => {
    const keep = new Set(uploads.items.map((i) => i.id));
    for (const [id, el] of rows) {
      if (!keep.has(id)) {
        el.remove();
        rows.delete(id);
      }
    }
    uploads.items.forEach((item, index) => {
      let el = rows.get(item.id);
      if (!el) {
        el = row(item);
        rows.set(item.id, el);
      }
      if (list.children[index] !== el) list.insertBefore(el, list.children[index] || null);
      el.refresh();
    });
    listCard.hidden = uploads.items.length === 0;
    clearBtn.hidden = !uploads.items.some((i) => i.done);
  };
  const onItem = (e) => {
    rows.get(e.detail.id)?.refresh();
    clearBtn.hidden = !uploads.items.some((i) => i.done);
  };
  const onSettled = (e) => {
    const item = e.detail;
    const message = announcement(item);
    if (message) announce(message);
    if (item.state === 'READY' && item.photo && onReady) onReady(item.photo);
  };
  uploads.addEventListener('change', sync);
  uploads.addEventListener('item', onItem);
  uploads.addEventListener('settled', onSettled);
  sync();

  const add = (files) => {
    const list = Array.from(files || []).filter((f) => f.size >= 0);
    if (list.length === 0) return;
    uploads.add(list);
    announce(`Uploading ${list.length} ${list.length === 1 ? 'photo' : 'photos'}`);
  };

  choose.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    add(input.files);
    input.value = '';
  });
  clearBtn.addEventListener('click', () => uploads.clearFinished());

  // Drag and drop anywhere on the page lands in the zone; the highlight shows where.
  let depth = 0;
  const hasFiles = (e) => Array.from(e.dataTransfer?.types || []).includes('Files');
  const onEnter = (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    zone.classList.add('dropzone-active');
  };
  const onOver = (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onLeave = () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dropzone-active');
  };
  const onDrop = (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    zone.classList.remove('dropzone-active');
    add(e.dataTransfer.files);
  };
  document.addEventListener('dragenter', onEnter);
  document.addEventListener('dragover', onOver);
  document.addEventListener('dragleave', onLeave);
  document.addEventListener('drop', onDrop);

  return {
    element: h('div', { class: 'uploader' }, zone, listCard),
    cleanup() {
      uploads.removeEventListener('change', sync);
      uploads.removeEventListener('item', onItem);
      uploads.removeEventListener('settled', onSettled);
      document.removeEventListener('dragenter', onEnter);
      document.removeEventListener('dragover', onOver);
      document.removeEventListener('dragleave', onLeave);
      document.removeEventListener('drop', onDrop);
    },
  };
}
