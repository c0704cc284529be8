// Modal dialogs on the native <dialog> element: focus moves in and is trapped by the browser, Escape cancels,
// Enter submits the form, and focus returns to the button that opened it.

import { api } from '../api.js';
import { formatDate, formatRelative, h, icon, toast } from '../dom.js';

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

/** Absolute link a person can paste anywhere, whatever form the API returns it in. */
export function shareLink(share) {
  const raw = share.url || share.share_url || (share.token ? `/s/${encodeURIComponent(share.token)}` : '');
  try {
    return new URL(raw, location.origin).href;
  } catch {
    return raw;
  }
}

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

function shareState(share) {
  if (share.state) return share.state === 'exhausted' ? 'used up' : share.state;
  if (share.revoked) return 'revoked';
  const exp = share.expires_at;
  const expMs = typeof exp === 'number' ? exp * 1000 : Date.parse(exp);
  if (Number.isFinite(expMs) && expMs <= Date.now()) return 'expired';
  if (share.max_views && (share.views || 0) >= share.max_views) return 'used up';
  return 'active';
}

/** One row of a shares list (the dialog and the Shared links page). */
export function shareRow(share, { onRevoked, showPhoto = false } = {}) {
  const link = shareLink(share);
  const state = shareState(share);
  const revoke = h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm', testid: 'revoke-share', disabled: state !== 'active' }, 'Revoke');
  const input = h('input', { class: 'link-input', type: 'text', readonly: true, value: link, 'aria-label': 'Share link', testid: 'share-row-url' });
  const views = share.max_views ? `${share.views || 0} of ${share.max_views} views` : `${share.views || 0} views`;
  const row = h(
    'li',
    { class: ['share-row', `share-${state.replace(' ', '-')}`], testid: 'share-row', 'data-token': share.token, 'data-state': state },
    h(
      'div',
      { class: 'share-meta' },
      showPhoto && share.photo_id
        ? h('a', { href: `/photos/${encodeURIComponent(share.photo_id)}`, 'data-link': true, class: 'share-photo' }, share.filename || share.caption?.text || 'Open photo')
        : null,
      h('span', { class: ['badge', state === 'active' ? 'badge-ready' : 'badge-muted'] }, state),
      h('span', { class: 'muted' }, state === 'active' ? `expires ${formatRelative(share.expires_at)}` : `expiry ${formatDate(share.expires_at)}`),
      h('span', { class: 'muted' }, ` · ${views}`),
    ),
    h('div', { class: 'share-link' }, input, state === 'active' ? copyButton(link, input, 'copy-share-row') : null, revoke),
  );
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    try {
      await api.revokeShare(share.token);
      toast('Link revoked. It no longer opens the photo.', 'success');
      onRevoked?.(share);
    } catch (err) {
      revoke.disabled = false;
      toast(err.message, 'error');
    }
  });
  return row;
}

/** Create a share link for a photo and manage this photo's existing links. */
export async function shareDialog(photo, returnFocus) {
  const photoId = photo.photo_id || photo.id;
  const { dialog, body } = modal({ title: 'Share this photo', testid: 'share-dialog' });

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
  const listTitle = h('h3', { class: 'list-title' }, 'Links to this photo');
  const list = h('ul', { class: 'share-list', testid: 'share-list' });
  const listEmpty = h('p', { class: 'muted', testid: 'share-list-empty' }, 'Loading links…');
  body.append(form, result, listTitle, list, listEmpty);

  form.addEventListener('change', () => {
    custom.hidden = form.elements.expiry.value !== 'custom';
  });

  const loadList = async () => {
    try {
      const { items } = await api.listShares();
      const mine = items.filter((s) => !s.photo_id || s.photo_id === photoId);
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
      const share = await api.createShare(photoId, { expiresIn, maxViews: views });
      const link = shareLink(share);
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
