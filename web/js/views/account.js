// The account page: change the password, and sign out everywhere (every device; old tokens stop working at the API).

import { api } from '../api.js';
import * as auth from '../auth.js';
import { h, toast } from '../dom.js';
import { mfaSection } from './mfa.js';
import { notificationsSection } from './notifications.js';

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

  main.append(
    h(
      'div',
      { class: 'auth-page' },
      h(
        'section',
        { class: 'auth-card card', 'aria-labelledby': 'account-title' },
        h('h1', { id: 'account-title' }, 'Your account'),
        h('p', { class: 'muted', testid: 'account-email' }, user?.email || ''),
        h('h2', {}, 'Change password'),
        form,
        mfa,
        notificationsSection(),
        h('h2', {}, 'Devices'),
        h('p', { class: 'muted' }, 'Sign out on every device, this one included. Links you shared keep working.'),
        everywhere,
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
}
