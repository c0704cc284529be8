// Sign in, create an account, confirm it with the emailed code, reset a forgotten password by code.

import * as auth from '../auth.js';
import { getConfig } from '../config.js';
import { h, toast } from '../dom.js';
import { freshSession } from './account.js';
import { showTotpChallenge } from './mfa.js';
import { socialButtons } from './social.js';

function field({ id, label, type = 'text', autocomplete, testid, hint, ...rest }) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id, type, autocomplete, required: true, testid, 'aria-describedby': hint ? `${id}-hint` : null, ...rest }),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
  );
}

function safeNext(query) {
  // Only same-origin paths: never an open redirect (resolving also normalises tricks like "/\\evil.example").
  try {
    const url = new URL(query.get('next') || '/', window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search : '/';
  } catch {
    return '/';
  }
}

export async function renderAuth(main, { mode, query, navigate }) {
  const cfg = await getConfig();
  const isSignUp = mode === 'signup';
  const errorBox = h('p', { class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true });
  const showError = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  };

  const email = field({ id: 'email', label: 'Email', type: isSignUp ? 'email' : 'text', inputmode: 'email', autocapitalize: 'none', spellcheck: 'false', autocomplete: 'username', testid: 'auth-email', value: query.get('email') || '' });
  const password = field({
    id: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: isSignUp ? 'new-password' : 'current-password',
    testid: 'auth-password',
    minlength: isSignUp ? 12 : null,
    hint: isSignUp ? 'At least 12 characters, with upper and lower case letters, a number and a symbol.' : null,
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'auth-submit' }, isSignUp ? 'Create account' : 'Sign in');

  const forgot = isSignUp ? null : h('p', { class: 'auth-switch' }, h('a', { href: '/forgot', testid: 'goto-forgot' }, 'Forgot password?'));
  const form = h('form', { class: 'stack', novalidate: false, testid: isSignUp ? 'signup-form' : 'signin-form' }, email, password, forgot, errorBox, submit);

  const demo = cfg.auth.demoUser;
  const demoName = demo && (demo.email || demo.username);
  const useDemo = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'use-demo' }, 'Use it');
  const demoNote =
    !isSignUp && demoName
      ? h(
          'div',
          { class: 'demo-note', testid: 'demo-account' },
          h('span', {}, 'Local demo account: ', h('code', {}, demoName), demo.password ? [' / ', h('code', {}, demo.password)] : null),
          demo.password ? useDemo : null,
        )
      : null;

  const card = h(
    'section',
    { class: 'auth-card card', 'aria-labelledby': 'auth-title' },
    h('h1', { id: 'auth-title' }, isSignUp ? 'Create your vault' : 'Welcome back'),
    h('p', { class: 'muted' }, isSignUp ? 'Private photo storage with search and expiring share links.' : 'Sign in to your private photo vault.'),
    demoNote,
    form,
    isSignUp ? null : socialButtons(cfg, safeNext(query), showError),
    h(
      'p',
      { class: 'auth-switch' },
      isSignUp ? 'Already have an account? ' : 'New to PhotoVault? ',
      h('a', { href: isSignUp ? '/signin' : '/signup', 'data-link': true, testid: isSignUp ? 'goto-signin' : 'goto-signup' }, isSignUp ? 'Sign in' : 'Create an account'),
    ),
  );
  main.append(h('div', { class: 'auth-page' }, card));

  const busy = (on, label) => {
    submit.disabled = on;
    submit.textContent = on ? label : isSignUp ? 'Create account' : 'Sign in';
    form.setAttribute('aria-busy', String(on));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    const emailValue = form.elements.email.value.trim();
    const passwordValue = form.elements.password.value;
    if (!emailValue || !passwordValue) {
      showError('Enter your email and password.');
      return;
    }
    if (!isSignUp) {
      busy(true, 'Signing in…');
      try {
        await auth.signIn(emailValue, passwordValue);
        navigate(safeNext(query), { replace: true });
      } catch (err) {
        busy(false);
        if (err.code === 'UserNotConfirmedException') {
          showConfirm(card, emailValue, passwordValue, query, navigate);
          return;
        }
        if (err.challenge) {
          await showTotpChallenge(card, err.challenge, () => navigate(safeNext(query), { replace: true })).catch((e) => showError(e.message));
          return;
        }
        showError(err.message);
        form.elements.password.select();
      }
      return;
    }
    busy(true, 'Creating account…');
    try {
      const result = await auth.signUp(emailValue, passwordValue);
      if (result.confirmed) {
        await auth.signIn(emailValue, passwordValue);
        toast('Welcome to PhotoVault!', 'success');
        navigate('/', { replace: true });
        return;
      }
      showConfirm(card, emailValue, passwordValue, query, navigate, result.delivery);
    } catch (err) {
      busy(false);
      showError(err.message);
    }
  });

  forgot?.querySelector('a').addEventListener('click', (event) => {
    event.preventDefault();
    const typed = form.elements.email.value.trim();
    navigate(typed ? `/forgot?email=${encodeURIComponent(typed)}` : '/forgot');
  });

  useDemo.addEventListener('click', () => {
    form.elements.email.value = demoName;
    form.elements.password.value = demo.password;
    submit.focus();
  });

  (form.elements.email.value ? form.elements.password : form.elements.email).focus();
}

function showConfirm(card, email, password, query, navigate, delivery = null) {
  const errorBox = h('p', { class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true });
  const code = field({ id: 'code', label: 'Confirmation code', autocomplete: 'one-time-code', testid: 'auth-code', inputmode: 'numeric' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'confirm-submit' }, 'Confirm and sign in');
  const form = h('form', { class: 'stack', testid: 'confirm-form' }, code, errorBox, submit);
  const where = delivery?.Destination ? ` to ${delivery.Destination}` : '';
  card.replaceChildren(
    h('h1', { id: 'auth-title', tabindex: '-1' }, 'Check your email'),
    h('p', { class: 'muted' }, `We sent a confirmation code${where}. Enter it to finish creating your account.`),
    form,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    submit.disabled = true;
    try {
      await auth.confirmSignUp(email, form.elements.code.value);
      await auth.signIn(email, password);
      toast('Account confirmed. Welcome!', 'success');
      navigate(safeNext(query), { replace: true });
    } catch (err) {
      submit.disabled = false;
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    }
  });
  form.elements.code.focus();
}

/** Forgot password: the e-mail, then the code Cognito sent and a new password; then signed in. */
export function renderForgot(main, { query, navigate }) {
  const errorBox = h('p', { class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true });
  const showError = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  };
  const email = field({ id: 'email', label: 'Email', type: 'email', inputmode: 'email', autocapitalize: 'none', spellcheck: 'false', autocomplete: 'username', testid: 'forgot-email', value: query.get('email') || '' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'forgot-submit' }, 'Send me a code');
  const form = h('form', { class: 'stack', testid: 'forgot-form' }, email, errorBox, submit);
  const card = h(
    'section',
    { class: 'auth-card card', 'aria-labelledby': 'auth-title' },
    h('h1', { id: 'auth-title' }, 'Reset your password'),
    h('p', { class: 'muted' }, 'We will e-mail you a code to choose a new password.'),
    form,
    h('p', { class: 'auth-switch' }, 'Remembered it? ', h('a', { href: '/signin', 'data-link': true, testid: 'goto-signin' }, 'Sign in')),
  );
  main.append(h('div', { class: 'auth-page' }, card));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    const address = form.elements.email.value.trim();
    if (!address) {
      showError('Enter your email.');
      return;
    }
    submit.disabled = true;
    try {
      const delivery = await auth.forgotPassword(address);
      showReset(card, address, delivery, navigate);
    } catch (err) {
      submit.disabled = false;
      showError(err.message);
    }
  });
  form.elements.email.focus();
}

function showReset(card, email, delivery, navigate) {
  const errorBox = h('p', { class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true });
  const code = field({ id: 'code', label: 'Code', autocomplete: 'one-time-code', testid: 'reset-code', inputmode: 'numeric' });
  const password = field({
    id: 'password',
    label: 'New password',
    type: 'password',
    autocomplete: 'new-password',
    testid: 'reset-password',
    hint: 'At least 12 characters, with upper and lower case letters, a number and a symbol.',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'reset-submit' }, 'Set password and sign in');
  const form = h('form', { class: 'stack', testid: 'reset-form' }, code, password, errorBox, submit);
  const where = delivery?.Destination ? ` to ${delivery.Destination}` : '';
  card.replaceChildren(
    h('h1', { id: 'auth-title', tabindex: '-1' }, 'Check your email'),
    h('p', { class: 'muted', testid: 'reset-sent' }, `If an account exists for ${email}, we sent a code${where}. Enter it with your new password.`),
    form,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    submit.disabled = true;
    const proposed = form.elements.password.value;
    try {
      await auth.confirmForgotPassword(email, form.elements.code.value, proposed);
      await freshSession(email, proposed);
      toast('Password reset. Other devices are signed out.', 'success');
      navigate('/', { replace: true });
    } catch (err) {
      submit.disabled = false;
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    }
  });
  form.elements.code.focus();
}
