// Two-step sign-in (TOTP) views: the account page's section (turn it on with an authenticator app, turn it off),
// the code asked for at sign-in, and enrolment during sign-in when the pool requires MFA (Cognito MFA_SETUP).

import * as auth from '../auth.js';
import { getConfig } from '../config.js';
import { h, toast } from '../dom.js';
import { cleanCode, groupSecret, otpauthUri } from '../mfa.js';

function codeField(testid) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: testid }, 'Code from your authenticator app'),
    h('input', { id: testid, name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]*', maxlength: 7, required: true, testid }),
  );
}

/** The secret and its otpauth:// URI, both selectable text (no QR image: nothing to build or fetch). */
function secretBlock(secret, account) {
  return h(
    'div',
    { class: 'stack', testid: 'totp-setup' },
    h('p', {}, 'Add PhotoVault to your authenticator app with this key (or paste the link into an app that accepts it):'),
    h('p', {}, h('code', { class: 'totp-secret', testid: 'totp-secret', 'data-secret': secret }, groupSecret(secret))),
    h('p', { class: 'hint' }, h('code', { class: 'totp-uri', testid: 'totp-uri' }, otpauthUri(secret, account))),
  );
}

function errorLine(testid) {
  return h('p', { class: 'form-error', role: 'alert', testid, hidden: true });
}

function show(box, message) {
  box.textContent = message || '';
  box.hidden = !message;
}

const WRONG_CODE = 'That code is not right. Enter the newest 6-digit code from your authenticator app.';

function message(err) {
  return err.code === 'CodeMismatchException' || err.code === 'EnableSoftwareTokenMFAException' ? WRONG_CODE : err.message;
}

/** The account page's "Two-step sign-in" section; null when the pool has MFA off. */
export async function mfaSection(user) {
  const cfg = await getConfig();
  if (cfg.auth.mfa === 'OFF') return null;
  const body = h('div', { class: 'stack', testid: 'mfa-section' }, h('p', { class: 'muted' }, 'Checking…'));
  const section = h('section', { 'aria-labelledby': 'mfa-title' }, h('h2', { id: 'mfa-title' }, 'Two-step sign-in'), body);

  const render = async () => {
    let enabled;
    try {
      enabled = await auth.totpEnabled();
    } catch (err) {
      body.replaceChildren(h('p', { class: 'form-error' }, err.message));
      return;
    }
    if (enabled) renderOn();
    else renderOff();
  };

  const renderOn = () => {
    const required = cfg.auth.mfa === 'ON';
    const off = h('button', { type: 'button', class: 'btn', testid: 'totp-disable' }, 'Turn off');
    body.replaceChildren(
      h('p', { testid: 'totp-status' }, 'On: signing in asks for a code from your authenticator app.'),
      required ? h('p', { class: 'muted' }, 'This vault requires it for every account.') : off,
    );
    off.addEventListener('click', async () => {
      off.disabled = true;
      try {
        await auth.disableTotp();
        toast('Two-step sign-in is off.', 'success');
        renderOff();
      } catch (err) {
        off.disabled = false;
        toast(err.message, 'error');
      }
    });
  };

  const renderOff = () => {
    const start = h('button', { type: 'button', class: 'btn btn-primary', testid: 'totp-enable' }, 'Set up an authenticator app');
    body.replaceChildren(h('p', { testid: 'totp-status' }, 'Off: your password alone signs you in.'), start);
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        const { secret } = await auth.startTotp();
        renderEnrol(secret);
      } catch (err) {
        start.disabled = false;
        toast(err.message, 'error');
      }
    });
  };

  const renderEnrol = (secret) => {
    const errorBox = errorLine('totp-error');
    const form = h('form', { class: 'stack', testid: 'totp-form' }, codeField('totp-code'), errorBox, h('button', { type: 'submit', class: 'btn btn-primary', testid: 'totp-submit' }, 'Turn on'));
    body.replaceChildren(secretBlock(secret, user?.email || ''), form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const code = cleanCode(form.elements.code.value);
      if (!code) return show(errorBox, 'Enter the 6-digit code your app shows.');
      show(errorBox, '');
      form.setAttribute('aria-busy', 'true');
      try {
        await auth.confirmTotp(code);
        toast('Two-step sign-in is on.', 'success');
        renderOn();
      } catch (err) {
        show(errorBox, message(err));
        form.elements.code.select();
      } finally {
        form.removeAttribute('aria-busy');
      }
    });
    form.elements.code.focus();
  };

  render();
  return section;
}

/**
 * At sign-in, after the password: the authenticator code (SOFTWARE_TOKEN_MFA), or enrolment first (MFA_SETUP).
 * Replaces the card's content; calls done() once signed in.
 */
export async function showTotpChallenge(card, challenge, done) {
  const errorBox = errorLine('auth-error');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'mfa-submit' }, 'Sign in');
  const form = h('form', { class: 'stack', testid: 'mfa-form' }, codeField('mfa-code'), errorBox, submit);
  let setup = null;
  if (challenge.name === 'MFA_SETUP') setup = await auth.beginMfaSetup(challenge);
  card.replaceChildren(
    h('h1', { id: 'auth-title', tabindex: '-1' }, setup ? 'Set up two-step sign-in' : 'Two-step sign-in'),
    h('p', { class: 'muted' }, setup ? 'This vault asks every account for a code from an authenticator app.' : 'Enter the code your authenticator app shows for PhotoVault.'),
    setup ? secretBlock(setup.secret, challenge.username) : null,
    form,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = cleanCode(form.elements.code.value);
    if (!code) return show(errorBox, 'Enter the 6-digit code your app shows.');
    show(errorBox, '');
    submit.disabled = true;
    try {
      if (setup) await auth.finishMfaSetup(challenge, setup.session, code);
      else await auth.answerTotp(challenge, code);
      done();
    } catch (err) {
      submit.disabled = false;
      // A sign-in session lasts a few minutes and dies after wrong codes: then start again from the password.
      if (err.code === 'NotAuthorizedException') return show(errorBox, 'This sign-in has expired. Go back and sign in again.');
      show(errorBox, message(err));
      form.elements.code.select();
    }
  });
  form.elements.code.focus();
}
