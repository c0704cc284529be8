// The account page: what the vault holds, change the password, sign out everywhere (every device; old tokens stop
// working at the API), download everything, and delete the account for good.

import { api, ApiError } from '../api.js';
import * as auth from '../auth.js';
import { formatBytes, h, toast } from '../dom.js';
import { exportDialog, pollDelays, progressBar } from './dialogs.js';
import { mfaSection } from './mfa.js';
import { notificationsSection } from './notifications.js';

const CONFIRM_WORD = 'DELETE';

const PASSWORD_HINT = 'At least 12 characters, with upper and lower case letters, a number and a symbol.';

/**
 * After a new password (changed or reset): end every other session and keep a fresh one here. GlobalSignOut kills
 * every refresh token (auth.renewSession); the API then refuses every token older than ours.
 */
export async function freshSession(email, password) {
  await auth.renewSession(email, password);
  await api.signOutEverywhere(true);
}

function passwordField(id, label, autocomplete, hint) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id, type: 'password', autocomplete, required: true, testid: id, 'aria-describedby': hint ? `${id}-hint` : null }),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
  );
}

export function renderAccount(main, { navigate }) {
  const user = auth.currentUser();
  const errorBox = h('p', { class: 'form-error', role: 'alert', testid: 'account-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'change-password-submit' }, 'Change password');
  const form = h(
    'form',
    { class: 'stack', testid: 'change-password-form' },
    passwordField('current-password', 'Current password', 'current-password'),
    passwordField('new-password', 'New password', 'new-password', PASSWORD_HINT),
    errorBox,
    submit,
  );
  const everywhere = h('button', { type: 'button', class: 'btn btn-danger', testid: 'sign-out-everywhere' }, 'Sign out everywhere');
  const mfa = h('div', { class: 'account-mfa' });
  mfaSection(user).then((section) => section && mfa.append(section));
  const usage = h('p', { class: 'muted', testid: 'usage', 'aria-live': 'polite' }, 'Counting…');
  const exportButton = h('button', { type: 'button', class: 'btn', testid: 'export-everything' }, 'Download everything');
  const confirmInput = h('input', { id: 'delete-confirm', name: 'delete-confirm', type: 'text', autocomplete: 'off', spellcheck: 'false', testid: 'delete-confirm', 'aria-describedby': 'delete-confirm-hint' });
  const deleteButton = h('button', { type: 'submit', class: 'btn btn-danger', testid: 'delete-account', disabled: true }, 'Delete my account');
  const deleteStatus = h('p', { class: 'muted', role: 'status', testid: 'delete-status', hidden: true });
  const { bar: deleteBar, set: setDeleteProgress } = progressBar('Deleting the account');
  deleteBar.hidden = true;
  const deleteForm = h(
    'form',
    { class: 'stack', testid: 'delete-account-form' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'delete-confirm' }, `Type ${CONFIRM_WORD} to confirm`),
      confirmInput,
      h('p', { class: 'hint', id: 'delete-confirm-hint' }, 'Every photo, album and link goes, for good, and you are signed out. Download everything first if you want to keep a copy.'),
    ),
    deleteButton,
    deleteBar,
    deleteStatus,
  );

  main.append(
    h(
      'div',
      { class: 'auth-page' },
      h(
        'section',
        { class: 'auth-card card', 'aria-labelledby': 'account-title' },
        h('h1', { id: 'account-title' }, 'Your account'),
        h('p', { class: 'muted', testid: 'account-email' }, user?.email || ''),
        h('h2', {}, 'Storage'),
        usage,
        h('p', { class: 'muted' }, 'Every original as you uploaded it, and a metadata.json of every photo and album, as zip files.'),
        exportButton,
        h('h2', {}, 'Change password'),
        form,
        mfa,
        notificationsSection(),
        h('h2', {}, 'Devices'),
        h('p', { class: 'muted' }, 'Sign out on every device, this one included. Links you shared keep working.'),
        everywhere,
        h('h2', {}, 'Delete my account'),
        deleteForm,
      ),
    ),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    submit.disabled = true;
    const proposed = form.elements['new-password'].value;
    try {
      await auth.changePassword(form.elements['current-password'].value, proposed);
      await freshSession(user.email, proposed);
      form.reset();
      toast('Password changed. Other devices are signed out.', 'success');
    } catch (err) {
      errorBox.textContent = err.code === 'NotAuthorizedException' ? 'Your current password is not right.' : err.message;
      errorBox.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  everywhere.addEventListener('click', async () => {
    everywhere.disabled = true;
    try {
      await api.signOutEverywhere(false);
      await auth.globalSignOut().catch(() => {}); // the API already refuses every token; this ends the refresh tokens
      auth.signOut();
      toast('Signed out everywhere.', 'success');
      navigate('/signin', { replace: true });
    } catch (err) {
      everywhere.disabled = false;
      toast(err.message, 'error');
    }
  });

  api
    .usage()
    .then((used) => {
      const photos = `${used.photos} ${used.photos === 1 ? 'photo' : 'photos'}`;
      usage.textContent = `${photos} · ${formatBytes(used.bytes)} of ${formatBytes(used.quota_bytes)} used`;
    })
    .catch((err) => {
      usage.textContent = err.message;
    });

  exportButton.addEventListener('click', () => exportDialog({ returnFocus: exportButton }));

  confirmInput.addEventListener('input', () => {
    deleteButton.disabled = confirmInput.value.trim() !== CONFIRM_WORD;
  });

  deleteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (confirmInput.value.trim() !== CONFIRM_WORD) return;
    deleteButton.disabled = true;
    confirmInput.disabled = true;
    deleteStatus.hidden = false;
    deleteStatus.className = 'muted';
    deleteStatus.textContent = 'Deleting your account…';
    try {
      await deleteAccount(setDeleteProgress, deleteBar, deleteStatus);
      auth.signOut();
      toast('Your account has been deleted.', 'success');
      navigate('/signin', { replace: true });
    } catch (err) {
      deleteStatus.textContent = err.message;
      deleteStatus.className = 'form-error';
    }
  });
}

/**
 * Start the deletion and follow it until the account is gone: from the moment it starts, this session may only read
 * the deletion job (every other request is refused), and once the account is gone the job is gone with it (404).
 */
async function deleteAccount(setProgress, bar, status) {
  const { id } = await api.deleteAccount();
  bar.hidden = false;
  const wait = pollDelays();
  for (;;) {
    let job;
    try {
      job = await api.getJob(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return; // the account, and its deletion job, are gone
      throw err;
    }
    setProgress(job.progress);
    if (job.state === 'failed') throw new Error(job.error?.message || 'The deletion stopped. Try again later.');
    if (job.state === 'done') return;
    status.textContent = `Deleting your account… step ${job.progress.done} of ${job.progress.total || '…'}`;
    await wait();
  }
}
