// Modal dialogs on the native <dialog> element: focus moves in and is trapped by the browser, Escape cancels,
// Enter submits the form, and focus returns to the button that opened it.

import { api } from '../api.js';
import { formatBytes, formatDate, formatRelative, h, icon, toast } from '../dom.js';
import { shareStateText, viewsText } from '../photos.js';

function modal({ title, testid, labelledBy = `${testid}-title` }) {
  const dialog = h('dialog', { class: 'dialog', testid, 'aria-labelledby': labelledBy });
  const close = h('button', { type: 'button', class: 'btn btn-ghost icon-btn dialog-close', 'aria-label': 'Close', testid: 'dialog-close' }, icon('close'));
  const body = h('div', { class: 'dialog-body' });
  dialog.append(h('div', { class: 'dialog-head' }, h('h2', { id: labelledBy }, title), close), body);
  close.addEventListener('click', () => dialog.close('cancel'));
  // A click on the backdrop (outside the box) closes too.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close('cancel');
  });
  document.body.append(dialog);
  return { dialog, body };
}

function open(dialog, returnFocus) {
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        const value = dialog.returnValue;
        dialog.remove();
        if (returnFocus?.isConnected) returnFocus.focus();
        resolve(value);
      },
      { once: true },
    );
    dialog.showModal();
  });
}

/** Resolves true when the person confirms. */
export async function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false, returnFocus = document.activeElement }) {
  const { dialog, body: content } = modal({ title, testid: 'confirm-dialog' });
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost', testid: 'confirm-cancel' }, 'Cancel');
  const ok = h('button', { type: 'submit', value: 'confirm', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], testid: 'confirm-ok' }, confirmLabel);
  cancel.addEventListener('click', () => dialog.close('cancel'));
  content.append(h('p', {}, body), h('form', { method: 'dialog', class: 'dialog-actions' }, cancel, ok));
  const result = open(dialog, returnFocus);
  // The safe choice has focus, so a stray Enter does not delete anything.
  cancel.focus();
  return (await result) === 'confirm';
}

const EXPIRY_CHOICES = [
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
  { value: 'custom', label: 'Custom' },
];
const UNIT_SECONDS = { minutes: 60, hours: 3600, days: 86400 };
const MIN_EXPIRY = 60;
const MAX_EXPIRY = 30 * 86400;

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API unavailable (http, permissions): fall back to selecting the text for the person.
    input?.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

export function copyButton(text, input, testid = 'copy-link') {
  const button = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid }, icon('copy'), h('span', {}, 'Copy link'));
  button.addEventListener('click', async () => {
    const ok = await copyText(text, input);
    button.lastChild.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    if (ok) toast('Link copied to the clipboard.', 'success');
    setTimeout(() => {
      button.lastChild.textContent = 'Copy link';
    }, 2000);
  });
  return button;
}

function sharedThing(share) {
  return share.kind === 'album'
    ? h('a', { href: `/albums/${encodeURIComponent(share.album_id)}`, 'data-link': true, class: 'share-photo', testid: 'share-album' }, 'Open album')
    : h('a', { href: `/photos/${encodeURIComponent(share.photo_id)}`, 'data-link': true, class: 'share-photo' }, 'Open photo');
}

/** Every share of the signed-in person (all pages of GET /shares). */
export async function allShares({ signal } = {}) {
  const out = [];
  let cursor = null;
  do {
    const page = await api.listShares({ cursor, signal });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** One row of a shares list (the dialog and the Shared links page). `share.url` is the absolute link to hand out. */
export function shareRow(share, { onRevoked, showPhoto = false } = {}) {
  const link = share.url;
  const state = shareStateText(share.state);
  const revoke = h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm', testid: 'revoke-share', disabled: state !== 'active' }, 'Revoke');
  const input = h('input', { class: 'link-input', type: 'text', readonly: true, value: link, 'aria-label': 'Share link', testid: 'share-row-url' });
  const row = h(
    'li',
    { class: ['share-row', `share-${state.replace(' ', '-')}`], testid: 'share-row', 'data-token': share.token, 'data-state': state },
    h(
      'div',
      { class: 'share-meta' },
      showPhoto ? sharedThing(share) : null,
      h('span', { class: ['badge', state === 'active' ? 'badge-ready' : 'badge-muted'] }, state),
      h('span', { class: 'muted' }, state === 'active' ? `expires ${formatRelative(share.expires_at)}` : `expiry ${formatDate(share.expires_at)}`),
      h('span', { class: 'muted' }, ` · ${viewsText(share)}`),
    ),
    h('div', { class: 'share-link' }, input, state === 'active' ? copyButton(link, input, 'copy-share-row') : null, revoke),
  );
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    try {
      await api.revokeShare(share.token);
      toast('Link revoked. It no longer works.', 'success');
      onRevoked?.(share);
    } catch (err) {
      revoke.disabled = false;
      toast(err.message, 'error');
    }
  });
  return row;
}

/** Create a share link for a photo (a PhotoDetail) and manage this photo's existing links. */
export function sharePhotoDialog(photo, returnFocus) {
  return shareDialog({
    title: 'Share this photo',
    listTitle: 'Links to this photo',
    create: (options) => api.createShare(photo.id, options),
    mine: (share) => share.kind === 'photo' && share.photo_id === photo.id,
    returnFocus,
  });
}

/** Create a share link for an album (an Album) and manage its existing links. */
export function shareAlbumDialog(album, returnFocus) {
  return shareDialog({
    title: `Share “${album.name}”`,
    listTitle: 'Links to this album',
    note: 'Anyone with the link sees the album’s title and its photos — never their dates, file names or locations.',
    create: (options) => api.createAlbumShare(album.id, options),
    mine: (share) => share.kind === 'album' && share.album_id === album.id,
    returnFocus,
  });
}

async function shareDialog({ title, listTitle: listHeading, note = null, create, mine: isMine, returnFocus }) {
  const { dialog, body } = modal({ title, testid: 'share-dialog' });

  const radios = EXPIRY_CHOICES.map((choice, i) =>
    h(
      'label',
      { class: 'radio-pill' },
      h('input', { type: 'radio', name: 'expiry', value: choice.value, checked: i === 1, testid: `expiry-${choice.value}` }),
      h('span', {}, choice.label),
    ),
  );
  const customAmount = h('input', { type: 'number', name: 'amount', min: '1', value: '3', 'aria-label': 'Custom expiry amount', testid: 'custom-amount', class: 'input-narrow' });
  const customUnit = h(
    'select',
    { name: 'unit', 'aria-label': 'Custom expiry unit', testid: 'custom-unit' },
    h('option', { value: 'minutes' }, 'minutes'),
    h('option', { value: 'hours' }, 'hours'),
    h('option', { value: 'days', selected: true }, 'days'),
  );
  const custom = h('div', { class: 'custom-expiry', hidden: true }, customAmount, customUnit, h('span', { class: 'muted' }, 'from 1 minute to 30 days'));
  const maxViews = h('input', { type: 'number', name: 'max_views', min: '1', max: '100000', placeholder: 'Unlimited', id: 'max-views', testid: 'max-views', class: 'input-narrow' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, testid: 'share-error' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'create-share' }, icon('link'), 'Create link');
  const form = h(
    'form',
    { class: 'stack', testid: 'share-form' },
    h('fieldset', { class: 'fieldset' }, h('legend', {}, 'Link expires after'), h('div', { class: 'radio-row' }, radios), custom),
    h('div', { class: 'field field-inline' }, h('label', { for: 'max-views' }, 'Maximum views (optional)'), maxViews),
    error,
    h('div', { class: 'dialog-actions' }, submit),
  );
  const result = h('div', { class: 'share-result', hidden: true, testid: 'share-result', role: 'status' });
  const listTitle = h('h3', { class: 'list-title' }, listHeading);
  const list = h('ul', { class: 'share-list', testid: 'share-list' });
  const listEmpty = h('p', { class: 'muted', testid: 'share-list-empty' }, 'Loading links…');
  body.append(...(note ? [h('p', { class: 'muted small' }, note)] : []), form, result, listTitle, list, listEmpty);

  form.addEventListener('change', () => {
    custom.hidden = form.elements.expiry.value !== 'custom';
  });

  const loadList = async () => {
    try {
      const mine = (await allShares()).filter(isMine);
      list.replaceChildren(...mine.map((s) => shareRow(s, { onRevoked: loadList })));
      listEmpty.textContent = 'No links yet.';
      listEmpty.hidden = mine.length > 0;
    } catch (err) {
      listEmpty.hidden = false;
      listEmpty.textContent = err.message;
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    let expiresIn = Number(form.elements.expiry.value);
    if (form.elements.expiry.value === 'custom') {
      expiresIn = Math.round(Number(customAmount.value) * UNIT_SECONDS[customUnit.value]);
    }
    const views = maxViews.value ? Number(maxViews.value) : null;
    if (!Number.isFinite(expiresIn) || expiresIn < MIN_EXPIRY || expiresIn > MAX_EXPIRY) {
      error.textContent = 'Choose an expiry between 1 minute and 30 days.';
      error.hidden = false;
      customAmount.focus();
      return;
    }
    if (views !== null && (!Number.isInteger(views) || views < 1)) {
      error.textContent = 'Maximum views must be a whole number of at least 1, or empty for unlimited.';
      error.hidden = false;
      maxViews.focus();
      return;
    }
    submit.disabled = true;
    try {
      const share = await create({ expiresIn, maxViews: views });
      const link = share.url;
      const input = h('input', { class: 'link-input', type: 'text', readonly: true, value: link, 'aria-label': 'New share link', testid: 'share-url' });
      result.replaceChildren(
        h('p', { class: 'result-title' }, 'Link ready', h('span', { class: 'muted' }, ` · expires ${formatDate(share.expires_at)}`)),
        h('div', { class: 'share-link' }, input, copyButton(link, input)),
      );
      result.hidden = false;
      input.focus();
      input.select();
      loadList();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  loadList();
  const closed = open(dialog, returnFocus);
  form.querySelector('input[name="expiry"]:checked').focus();
  return closed;
}

/** Ask for a short text (an album name). Resolves the trimmed text, or null when cancelled. */
export async function promptDialog({ title, label, value = '', confirmLabel = 'Save', testid = 'prompt-dialog', maxLength = 200, returnFocus = document.activeElement }) {
  const { dialog, body } = modal({ title, testid });
  const input = h('input', { type: 'text', id: `${testid}-input`, value, maxlength: String(maxLength), required: true, testid: 'prompt-input', autocomplete: 'off' });
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost' }, 'Cancel');
  const ok = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'prompt-ok' }, confirmLabel);
  const form = h('form', { class: 'stack' }, h('div', { class: 'field' }, h('label', { for: `${testid}-input` }, label), input), h('div', { class: 'dialog-actions' }, cancel, ok));
  body.append(form);
  let answer = null;
  cancel.addEventListener('click', () => dialog.close('cancel'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    answer = text;
    dialog.close('ok');
  });
  const closed = open(dialog, returnFocus);
  input.focus();
  input.select();
  await closed;
  return answer;
}

/**
 * Choose an album for photos, or create one: resolves the Album, or null when cancelled. The album list is the
 * first 100 (most recently changed first, as the API orders them); a new name creates an album on the spot.
 */
export async function albumPicker({ title = 'Add to album', returnFocus = document.activeElement } = {}) {
  const { dialog, body } = modal({ title, testid: 'album-picker' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, testid: 'album-picker-error' });
  const name = h('input', { type: 'text', id: 'new-album-name', placeholder: 'New album name', maxlength: '200', testid: 'new-album-name', autocomplete: 'off' });
  const createBtn = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'create-album' }, icon('plus'), 'Create');
  const form = h('form', { class: 'new-album' }, h('label', { for: 'new-album-name', class: 'visually-hidden' }, 'New album name'), name, createBtn);
  const list = h('ul', { class: 'album-choices', testid: 'album-choices', 'aria-label': 'Your albums' });
  const status = h('p', { class: 'muted small' }, 'Loading albums…');
  body.append(form, error, status, list);
  let chosen = null;
  const choose = (album) => {
    chosen = album;
    dialog.close('ok');
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = name.value.trim();
    if (!text) {
      name.focus();
      return;
    }
    createBtn.disabled = true;
    try {
      choose(await api.createAlbum(text));
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      createBtn.disabled = false;
    }
  });
  api
    .listAlbums({ limit: 100 })
    .then(({ items }) => {
      status.textContent = items.length ? '' : 'No albums yet: name one above.';
      status.hidden = items.length > 0;
      list.replaceChildren(
        ...items.map((album) => {
          const button = h(
            'button',
            { type: 'button', class: 'album-choice', testid: 'album-choice', 'data-album-id': album.id },
            album.cover ? h('img', { src: album.cover.urls.thumb, alt: '', class: 'album-choice-cover' }) : h('span', { class: 'album-choice-cover' }, icon('album')),
            h('span', { class: 'album-choice-name' }, album.name),
            h('span', { class: 'muted small' }, `${album.photo_count} ${album.photo_count === 1 ? 'photo' : 'photos'}`),
          );
          button.addEventListener('click', () => choose(album));
          return h('li', {}, button);
        }),
      );
    })
    .catch((err) => {
      status.textContent = err.message;
    });
  const closed = open(dialog, returnFocus);
  name.focus();
  await closed;
  return chosen;
}

const JOB_POLL_FIRST_MS = 800;
const JOB_POLL_MAX_MS = 4000;

/** A progress bar (role progressbar) and a function that moves it to `done` of `total`. */
export function progressBar(label) {
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' }, h('div', { class: 'progress-fill' }));
  const set = ({ done, total }) => {
    const pct = total ? Math.round((100 * done) / total) : 0;
    bar.setAttribute('aria-valuenow', String(pct));
    bar.firstChild.style.width = `${pct}%`;
  };
  return { bar, set };
}

/** Wait before the next poll of a job: starts short, grows to a few seconds. */
export function pollDelays() {
  let delay = JOB_POLL_FIRST_MS;
  return () => {
    const now = delay;
    delay = Math.min(JOB_POLL_MAX_MS, delay * 1.5);
    return new Promise((resolve) => setTimeout(resolve, now));
  };
}

/**
 * Download the originals of photos: starts a download job and follows it (GET /jobs/{id}) with a progress bar until
 * its zip parts are ready, then lists them as links. The job runs on the server; closing the dialog stops only
 * the following.
 */
export async function downloadDialog(photoIds, { returnFocus = document.activeElement } = {}) {
  const preparing = `Preparing ${photoIds.length} ${photoIds.length === 1 ? 'photo' : 'photos'}…`;
  return jobDialog({ title: 'Download originals', preparing, start: () => api.downloadJob(photoIds), returnFocus });
}

/** "Download everything": every original and a metadata.json, as zip parts (an export job), followed like a download. */
export async function exportDialog({ returnFocus = document.activeElement } = {}) {
  const preparing = 'Listing your photos…';
  return jobDialog({ title: 'Download everything', preparing, start: () => api.exportJob(), returnFocus });
}

async function jobDialog({ title, preparing, start, returnFocus }) {
  const { dialog, body } = modal({ title, testid: 'download-dialog' });
  const { bar, set } = progressBar('Preparing the download');
  const status = h('p', { class: 'muted', role: 'status', testid: 'download-status' }, preparing);
  const files = h('ul', { class: 'download-files', testid: 'download-files' });
  body.append(status, bar, files);
  const closed = open(dialog, returnFocus);
  let stopped = false;
  dialog.addEventListener('close', () => (stopped = true), { once: true });
  try {
    const { id } = await start();
    const wait = pollDelays();
    for (;;) {
      if (stopped) break;
      const job = await api.getJob(id);
      set(job.progress);
      if (job.state === 'failed') {
        status.textContent = job.error?.message || 'The download could not be prepared.';
        status.className = 'form-error';
        break;
      }
      status.textContent = job.state === 'done' ? 'Ready. Each link works for a limited time.' : `Preparing… ${job.progress.done} of ${job.progress.total} photos`;
      files.replaceChildren(
        ...job.files.map((file) =>
          h(
            'li',
            {},
            h('a', { href: file.url, class: 'btn btn-ghost', testid: 'download-file', download: file.name }, icon('download'), file.name),
            h('span', { class: 'muted small' }, ` ${file.photos} photos · ${formatBytes(file.size_bytes)}`),
          ),
        ),
      );
      if (job.state === 'done') break;
      await wait();
    }
  } catch (err) {
    status.textContent = err.message;
    status.className = 'form-error';
  }
  return closed;
}
