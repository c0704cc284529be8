// Needs attention (/attention): every upload that is not in the timeline — still on its way (waiting, processing,
// retrying), or settled outside it (DUPLICATE with a link to the photo it repeats, REJECTED, QUARANTINED, FAILED)
// — with its reason. A settled one can be moved to the trash to clear it from here.

import { api } from '../api.js';
import { formatDate, h, icon, toast } from '../dom.js';
import { STATUS_TEXT, statusNote } from '../photos.js';
import { photoPath } from '../routes.js';
import { pager } from './components.js';

const PAGE_SIZE = 50;
const MOVING = new Set(['PENDING', 'PROCESSING']);

function badgeOf(photo) {
  const state = photo.retry ? 'retrying' : photo.status;
  return h('span', { class: ['badge', `badge-${state.toLowerCase()}`], testid: 'status', 'data-status': state }, photo.retry ? 'Retrying' : STATUS_TEXT[photo.status]);
}

function note(photo) {
  if (photo.retry) {
    return `Retrying on its own (${photo.retry.cause === 'interrupted' ? 'the last attempt was interrupted' : 'a temporary fault'}; ${photo.retry.attempts} ${photo.retry.attempts === 1 ? 'attempt' : 'attempts'} so far).`;
  }
  return statusNote(photo);
}

function item(photo, onRemoved) {
  const remove = MOVING.has(photo.status) ? null : h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'attention-trash' }, icon('trash'), 'Move to trash');
  remove?.addEventListener('click', async () => {
    remove.disabled = true;
    try {
      await api.trashPhoto(photo.id);
      onRemoved(photo.id);
    } catch (err) {
      remove.disabled = false;
      toast(err.message, 'error');
    }
  });
  return h(
    'li',
    { class: 'attention-row', testid: 'attention-item', 'data-photo-id': photo.id, 'data-status': photo.status },
    h('div', { class: 'attention-icon', 'aria-hidden': 'true' }, icon(MOVING.has(photo.status) ? 'upload' : 'alert')),
    h(
      'div',
      { class: 'attention-text' },
      h('div', { class: 'upload-head' }, h('a', { href: photoPath(photo.id), 'data-link': true, class: 'upload-name' }, photo.filename), badgeOf(photo)),
      h('p', { class: 'upload-detail', testid: 'attention-reason' }, note(photo)),
      h(
        'p',
        { class: 'muted small' },
        `Uploaded ${formatDate(photo.uploaded_at)}`,
        photo.status === 'DUPLICATE' && photo.duplicate_of ? [' · ', h('a', { href: photoPath(photo.duplicate_of), 'data-link': true, testid: 'duplicate-link' }, 'Open the photo you already have')] : null,
      ),
    ),
    remove,
  );
}

export async function renderAttention(main, { signal }) {
  const list = h('ul', { class: 'attention-list card', testid: 'attention-list', 'aria-label': 'Uploads that need attention' });
  const empty = h(
    'div',
    { class: 'empty-state card', testid: 'attention-empty', hidden: true },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('check')),
    h('h2', {}, 'Nothing needs your attention'),
    h('p', { class: 'muted' }, 'Every upload is in your library.'),
  );
  const onRemoved = (id) => {
    list.querySelector(`[data-photo-id="${CSS.escape(id)}"]`)?.remove();
    toast('Moved to the trash.', 'success');
    empty.hidden = list.children.length > 0;
    list.hidden = list.children.length === 0;
  };
  let cursor = null;
  const more = pager(async () => {
    const page = await api.attention({ cursor, limit: PAGE_SIZE, signal });
    list.append(...page.items.map((p) => item(p, onRemoved)));
    cursor = page.cursor;
    return Boolean(cursor);
  });
  main.append(
    h(
      'div',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Needs attention')),
      h('p', { class: 'muted lead' }, 'Uploads that are not in your photos: still being processed, duplicates of photos you have, and files that were refused or failed — each with the reason.'),
      list,
      empty,
      more.element,
    ),
  );
  const first = await api.attention({ limit: PAGE_SIZE, signal });
  list.append(...first.items.map((p) => item(p, onRemoved)));
  cursor = first.cursor;
  more.setDone(!cursor);
  empty.hidden = first.items.length > 0;
  list.hidden = first.items.length === 0;
  return () => more.disconnect();
}
