// Sign-up, sign-in, token refresh and sign-out. Everything about identity lives here, behind one small interface,
// with two backends chosen by /config.json:
//   CognitoBackend — the Cognito IdP JSON API (X-Amz-Target AWSCognitoIdentityProviderService.*). In AWS the browser
//                    calls https://cognito-idp.<region>.amazonaws.com/ directly; locally the gateway may expose the
//                    emulator's endpoint (or a same-origin proxy of it) that speaks the same protocol.
//   LocalBackend   — a small same-origin REST facade (/auth/signin, /auth/signup, /auth/confirm, /auth/refresh) for a
//                    local gateway that prefers not to proxy the Cognito protocol.
// Both return Cognito's AuthenticationResult shape, so the session code below does not care which one ran.

import { getConfig } from './config.js';

const STORAGE_KEY = 'photovault.session';
const REFRESH_MARGIN_SECONDS = 60;

export class AuthError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = 'AuthError';
    this.code = code;
  }
}

/** Messages a person can act on, keyed by Cognito exception name. */
const FRIENDLY = {
  NotAuthorizedException: 'Incorrect email or password.',
  UserNotFoundException: 'Incorrect email or password.',
  UserNotConfirmedException: 'Please confirm your account first — enter the code we sent you.',
  UsernameExistsException: 'An account with this email already exists. Sign in instead.',
  InvalidPasswordException: 'That password is too weak: use at least 12 characters with upper and lower case letters, a number and a symbol.',
  InvalidParameterException: 'Please check the fields and try again.',
  CodeMismatchException: 'That code is not right.',
  ExpiredCodeException: 'That confirmation code has expired.',
  TooManyRequestsException: 'Too many attempts. Please wait a moment and try again.',
  LimitExceededException: 'Too many attempts. Please wait a moment and try again.',
  NetworkError: 'Cannot reach the sign-in service. Check your connection and try again.',
};

function authError(type, message) {
  const code = String(type || 'AuthError').split('#').pop().split(':')[0];
  return new AuthError(code, FRIENDLY[code] && code !== 'InvalidParameterException' ? FRIENDLY[code] : message || FRIENDLY[code] || 'Sign-in failed.');
}

function decodeJwt(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')))
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .join(''),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

class CognitoBackend {
  constructor({ endpoint, clientId }) {
    this.endpoint = endpoint;
    this.clientId = clientId;
  }

  // Operations authorised by an access token (ChangePassword, GlobalSignOut) take no ClientId.
  async call(action, body, { withClient = true } = {}) {
    let res;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(withClient ? { ClientId: this.clientId, ...body } : body),
      });
    } catch {
      throw authError('NetworkError');
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw authError(data.__type || data.code || res.headers.get('x-amzn-ErrorType'), data.message || data.Message);
    return data;
  }

  async signIn(username, password) {
    const data = await this.call('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    if (!data.AuthenticationResult) {
      throw new AuthError(data.ChallengeName || 'Challenge', 'This account needs an extra step we do not support here yet.');
    }
    return data.AuthenticationResult;
  }

  async signUp(username, password) {
    const data = await this.call('SignUp', {
      Username: username,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: username }],
    });
    return { confirmed: Boolean(data.UserConfirmed), delivery: data.CodeDeliveryDetails || null };
  }

  async confirm(username, code) {
    await this.call('ConfirmSignUp', { Username: username, ConfirmationCode: code });
  }

  async forgotPassword(username) {
    const data = await this.call('ForgotPassword', { Username: username });
    return data.CodeDeliveryDetails || null;
  }

  async confirmForgotPassword(username, code, password) {
    await this.call('ConfirmForgotPassword', { Username: username, ConfirmationCode: code, Password: password });
  }

  async changePassword(accessToken, previous, proposed) {
    await this.call('ChangePassword', { AccessToken: accessToken, PreviousPassword: previous, ProposedPassword: proposed }, { withClient: false });
  }

  async globalSignOut(accessToken) {
    await this.call('GlobalSignOut', { AccessToken: accessToken }, { withClient: false });
  }

  async refresh(refreshToken) {
    const data = await this.call('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    return data.AuthenticationResult;
  }
}

class LocalBackend {
  constructor({ basePath }) {
    this.base = basePath;
  }

  async call(path, body) {
    let res;
    try {
      res = await fetch(`${this.base}/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      throw authError('NetworkError');
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw authError(data.__type || data.code, data.message);
    return data;
  }

  static result(data) {
    // Accept Cognito's AuthenticationResult or a flat {id_token, access_token, refresh_token, expires_in}.
    const r = data.AuthenticationResult || data;
    return {
      IdToken: r.IdToken || r.id_token || r.idToken,
      AccessToken: r.AccessToken || r.access_token || r.accessToken,
      RefreshToken: r.RefreshToken || r.refresh_token || r.refreshToken,
      ExpiresIn: r.ExpiresIn || r.expires_in || r.expiresIn,
    };
  }

  async signIn(username, password) {
    return LocalBackend.result(await this.call('signin', { username, password }));
  }

  async signUp(username, password) {
    const data = await this.call('signup', { username, password, email: username });
    return { confirmed: Boolean(data.UserConfirmed ?? data.confirmed ?? data.user_confirmed), delivery: null };
  }

  async confirm(username, code) {
    await this.call('confirm', { username, code });
  }

  async refresh(refreshToken) {
    return LocalBackend.result(await this.call('refresh', { refresh_token: refreshToken }));
  }
}

// ---- session ----------------------------------------------------------------------------------------------------

let backendPromise = null;
let session = load();
let refreshing = null;
const listeners = new Set();

function backend() {
  if (!backendPromise) {
    backendPromise = getConfig().then((cfg) =>
      cfg.auth.mode === 'local' ? new LocalBackend(cfg.auth) : new CognitoBackend(cfg.auth),
    );
  }
  return backendPromise;
}

function load() {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    return raw && raw.refreshToken ? raw : null;
  } catch {
    return null;
  }
}

function save(next) {
  session = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  for (const fn of listeners) fn(currentUser());
}

function fromResult(result, previous = null) {
  if (!result || !(result.IdToken || result.AccessToken)) throw new AuthError('NoTokens', 'The sign-in service returned no tokens.');
  const idClaims = decodeJwt(result.IdToken || '');
  const accessClaims = decodeJwt(result.AccessToken || '');
  const exp = Math.min(idClaims.exp || Infinity, accessClaims.exp || Infinity);
  const expiresAt = Number.isFinite(exp) ? exp : Math.floor(Date.now() / 1000) + Number(result.ExpiresIn || 3600);
  return {
    idToken: result.IdToken || null,
    accessToken: result.AccessToken || null,
    // A refresh answers without a new refresh token: keep the one we had.
    refreshToken: result.RefreshToken || previous?.refreshToken || null,
    expiresAt,
    sub: idClaims.sub || accessClaims.sub || previous?.sub || null,
    email: idClaims.email || previous?.email || null,
  };
}

export function currentUser() {
  return session ? { sub: session.sub, email: session.email } : null;
}

export function isSignedIn() {
  return Boolean(session);
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function signIn(email, password) {
  const result = await (await backend()).signIn(email.trim(), password);
  const next = fromResult(result);
  if (!next.email) next.email = email.trim();
  save(next);
  return currentUser();
}

export async function signUp(email, password) {
  return (await backend()).signUp(email.trim(), password);
}

export async function confirmSignUp(email, code) {
  return (await backend()).confirm(email.trim(), code.trim());
}

export function signOut() {
  save(null);
}

/** Ask for a password-reset code by e-mail; resolves to where it was sent (Cognito's CodeDeliveryDetails). */
export async function forgotPassword(email) {
  const b = await backend();
  if (!b.forgotPassword) throw new AuthError('Unsupported', 'Password reset is not available here.');
  return b.forgotPassword(email.trim());
}

export async function confirmForgotPassword(email, code, password) {
  return (await backend()).confirmForgotPassword(email.trim(), code.trim(), password);
}

export async function changePassword(previous, proposed) {
  if (!session?.accessToken) throw new AuthError('NotAuthorizedException', 'Sign in again to change your password.');
  return (await backend()).changePassword(session.accessToken, previous, proposed);
}

/**
 * After a new password: kill every refresh token of the user (GlobalSignOut needs a session, so one is made for it
 * and thrown away) and keep one fresh session here. Only the last session is ever saved, so no page of this tab
 * starts a request with a token that is about to be revoked.
 */
export async function renewSession(email, password) {
  const b = await backend();
  const throwaway = fromResult(await b.signIn(email.trim(), password));
  await b.globalSignOut(throwaway.accessToken);
  const next = fromResult(await b.signIn(email.trim(), password));
  if (!next.email) next.email = email.trim();
  save(next);
  return currentUser();
}

/** Cognito's GlobalSignOut: every refresh token of the user dies (the API's own check refuses their older tokens). */
export async function globalSignOut() {
  if (!session?.accessToken) return;
  await (await backend()).globalSignOut(session.accessToken);
}

/** Exchange the refresh token for fresh tokens; concurrent callers share one request. False if that is impossible. */
export async function refresh() {
  if (!session?.refreshToken) return false;
  if (!refreshing) {
    const previous = session;
    refreshing = (async () => {
      try {
        const result = await (await backend()).refresh(previous.refreshToken);
        save(fromResult(result, previous));
        return true;
      } catch (err) {
        // Only a definite "no" from the service ends the session; a network blip keeps it for the next try.
        if (err.code !== 'NetworkError') save(null);
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

/** The bearer token for the API, refreshed first when it is about to expire. Null when signed out. */
export async function getToken() {
  if (!session) return null;
  if (session.expiresAt - REFRESH_MARGIN_SECONDS <= Date.now() / 1000) {
    const ok = await refresh();
    if (!ok) return null;
  }
  const cfg = await getConfig();
  return cfg.auth.tokenUse === 'access' ? session.accessToken || session.idToken : session.idToken || session.accessToken;
}

// Another tab signing in or out changes this tab's session too.
window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY) return;
  session = load();
  for (const fn of listeners) fn(currentUser());
});
