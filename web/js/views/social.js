// Social sign-in: one button per identity provider the configuration names (none → nothing is shown), and the
// callback page the hosted UI sends people back to.

import * as auth from '../auth.js';
import { h } from '../dom.js';

/** "Continue with …" buttons for the configured providers, or null when there are none. */
export function socialButtons(cfg, next, showError) {
  const providers = cfg.auth.hostedUi?.providers || [];
  if (!providers.length) return null;
  return h(
    'div',
    { class: 'stack social-sign-in', testid: 'social-sign-in' },
    h('p', { class: 'muted' }, 'or'),
    ...providers.map((provider) => {
      const button = h('button', { type: 'button', class: 'btn btn-block', testid: `social-${provider.id}` }, `Continue with ${provider.label}`);
      button.addEventListener('click', () => {
        button.disabled = true;
        auth.startSocialSignIn(provider.id, next).catch((err) => {
          button.disabled = false;
          showError(err.message);
        });
      });
      return button;
    }),
  );
}

function samePath(path) {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}

/** /auth/callback: trade the code for tokens, then go where the person was going; or say what went wrong. */
export async function renderAuthCallback(main, { navigate }) {
  const status = h('p', { class: 'muted', role: 'status', testid: 'callback-status' }, 'Signing you in…');
  main.append(h('div', { class: 'auth-page' }, h('section', { class: 'auth-card card' }, h('h1', {}, 'Signing in'), status)));
  try {
    const next = await auth.finishSocialSignIn(window.location.search);
    navigate(samePath(next), { replace: true });
  } catch (err) {
    status.textContent = err.message;
    status.className = 'form-error';
    status.after(h('p', { class: 'auth-switch' }, h('a', { href: '/signin', 'data-link': true }, 'Back to sign in')));
  }
}
