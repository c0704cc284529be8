// The upload panel: one floating card for the whole app with the overall line ("12 of 17 ready"), a bar, and a
// row per file — progress while its bytes go up, then what became of it: a link to the photo, the photo a
// duplicate repeats, the reason a file was refused or failed, "retrying" while the pipeline tries again.
// Files come from the header's Upload button or a drop anywhere on the page. Nothing here ever shows in the grid.

import { announce, formatBytes, h, icon } from '../dom.js';
import { ACCEPT, ACCEPTED_LABELS } from '../formats.js';
import { STATUS_TEXT } from '../photos.js';
import { PROBLEM_STATES, itemBadge, itemDetail, queueSummary } from '../queue.js';
import { photoPath } from '../routes.js';
import { uploads } from '../upload.js';

const FORMATS_HINT = `${ACCEPTED_LABELS} photos, up to 50 MB each.`;

const BADGE_TEXT = { ...STATUS_TEXT, retrying: 'Retrying', gone: 'Expired', trashed: 'In the trash' };

function announcement(item) {
  const what = {
    READY: 'is ready',
    REJECTED: `was rejected. ${item.message}`,
    QUARANTINED: `was quarantined. ${item.message}`,
    FAILED: `could not be processed. ${item.message}`,
    DUPLICATE: 'is a duplicate of a photo you already have',
    failed: `failed to upload. ${item.message}`,
    gone: `expired. ${item.message}`,
    trashed: 'was moved to the trash',
  }[item.state];
  return what ? `${item.name} ${what}`.trim() : '';
}

function row(item) {
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': `Upload progress for ${item.name}`, 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('div', { class: 'progress-fill' }));
  const detail = h('p', { class: 'upload-detail', testid: 'upload-reason' });
  const badge = h('span', { class: 'badge', testid: 'status' });
  const link = h('a', { class: 'upload-name', 'data-link': true }, item.name);
  const extra = h('div', { class: 'upload-extra' });
  const el = h(
    'li',
    { class: 'upload-row', testid: 'upload-item', 'data-name': item.name, 'data-upload-id': item.id },
    h('div', { class: 'upload-head' }, link, h('span', { class: 'upload-size muted' }, formatBytes(item.size)), badge),
    bar,
    detail,
    extra,
  );
  el.refresh = () => {
    const state = itemBadge(item);
    el.dataset.state = item.state;
    el.dataset.badge = state;
    if (item.photoId) el.dataset.photoId = item.photoId;
    const pct = Math.round((item.state === 'uploading' ? item.progress : item.state === 'queued' ? 0 : 1) * 100);
    bar.setAttribute('aria-valuenow', String(pct));
    bar.firstChild.style.width = `${pct}%`;
    bar.dataset.state = state;
    bar.hidden = item.done;
    badge.className = ['badge', `badge-${state.toLowerCase()}`].join(' ');
    badge.dataset.status = state;
    badge.textContent = BADGE_TEXT[state] || state;
    detail.textContent = itemDetail(item);
    detail.classList.toggle('upload-detail-bad', PROBLEM_STATES.has(item.state) && item.state !== 'DUPLICATE');
    if (item.state === 'READY') link.setAttribute('href', photoPath(item.photoId));
    else link.removeAttribute('href');
    const parts = [];
    if (item.state === 'DUPLICATE' && item.photo?.duplicate_of) {
      parts.push(h('a', { href: photoPath(item.photo.duplicate_of), 'data-link': true, class: 'small', testid: 'duplicate-link' }, 'Open the photo you already have'));
    }
    if (item.state === 'failed') {
      const retry = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'upload-retry' }, 'Try again');
      retry.addEventListener('click', () => uploads.retry(item));
      parts.push(retry);
    }
    extra.replaceChildren(...parts);
    extra.hidden = parts.length === 0;
  };
  el.refresh();
  return el;
}

/** Mount the panel and the page-wide drop target once; returns {choose()} (open the file picker). */
export function mountUploadPanel() {
  const input = document.getElementById('file-input');
  input.setAttribute('accept', ACCEPT);
  const overlay = document.querySelector('.drop-overlay');
  overlay.firstElementChild.textContent = `Drop photos to upload them — ${FORMATS_HINT}`;

  const summary = h('p', { class: 'uploads-summary', testid: 'upload-summary', role: 'status' });
  const fill = h('div', { class: 'progress-fill' });
  const overall = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'All uploads', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
  const list = h('ul', { class: 'upload-list', testid: 'upload-list', 'aria-label': 'Uploads' });
  const toggle = h('button', { type: 'button', class: 'btn btn-ghost icon-btn', 'aria-expanded': 'true', 'aria-controls': 'upload-list-body', 'aria-label': 'Hide the list', testid: 'uploads-toggle' }, icon('left'));
  const clearBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'clear-finished' }, 'Clear finished');
  const attention = h('a', { href: '/attention', 'data-link': true, class: 'small', testid: 'attention-link', hidden: true }, 'Needs attention');
  const body = h('div', { class: 'uploads-body', id: 'upload-list-body' }, list, h('div', { class: 'uploads-foot' }, attention, clearBtn));
  const panel = h(
    'section',
    { class: 'uploads card', 'aria-labelledby': 'uploads-title', testid: 'upload-panel', hidden: true },
    h('div', { class: 'uploads-head' }, h('div', { class: 'uploads-title' }, h('h2', { id: 'uploads-title' }, 'Uploads'), summary), toggle),
    overall,
    h('p', { class: 'hint uploads-hint' }, FORMATS_HINT),
    body,
  );
  document.body.append(panel);
  const rows = new Map();

  const paintSummary = () => {
    const s = queueSummary(uploads.items);
    summary.textContent = s.text;
    const pct = Math.round(s.fraction * 100);
    overall.setAttribute('aria-valuenow', String(pct));
    fill.style.width = `${pct}%`;
    panel.hidden = uploads.items.length === 0;
    clearBtn.hidden = !uploads.items.some((i) => i.done);
    attention.hidden = s.problems === 0;
  };
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
    paintSummary();
  };
  uploads.addEventListener('change', sync);
  uploads.addEventListener('item', (e) => {
    rows.get(e.detail.id)?.refresh();
    paintSummary();
  });
  uploads.addEventListener('settled', (e) => {
    const item = e.detail;
    const message = announcement(item);
    if (message) announce(message);
    if (item.state === 'READY') window.dispatchEvent(new CustomEvent('pv:photo-ready', { detail: item.photo }));
  });
  toggle.addEventListener('click', () => {
    const open = body.hidden;
    body.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.setAttribute('aria-label', open ? 'Hide the list' : 'Show the list');
    panel.classList.toggle('uploads-collapsed', !open);
  });
  clearBtn.addEventListener('click', () => uploads.clearFinished());

  const add = (files) => {
    const chosen = Array.from(files || []);
    if (chosen.length === 0) return;
    uploads.add(chosen);
    announce(`Uploading ${chosen.length} ${chosen.length === 1 ? 'photo' : 'photos'}`);
  };
  input.addEventListener('change', () => {
    add(input.files);
    input.value = '';
  });

  // Drag and drop anywhere on a signed-in page; the overlay shows it will land.
  let depth = 0;
  const canDrop = (e) => Array.from(e.dataTransfer?.types || []).includes('Files') && !document.querySelector('.nav[hidden]');
  document.addEventListener('dragenter', (e) => {
    if (!canDrop(e)) return;
    e.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  document.addEventListener('dragover', (e) => {
    if (!canDrop(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    if (!canDrop(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    add(e.dataTransfer.files);
  });
  sync();
  return { choose: () => input.click(), add };
}
