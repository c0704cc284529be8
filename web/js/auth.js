// Sign-up, sign-in, token refresh and sign-out. Everything about identity lives here, behind one small interface,
// with two backends chosen by /config.json:
//   CognitoBackend — the Cognito IdP JSON API (X-Amz-Target AWSCognitoIdentityProviderService.*). In AWS the browser
//                    calls https://cognito-idp.<region>.amazonaws.com/ directly; locally the gateway may expose the
//                    emulator's endpoint (or a same-origin proxy of it) that speaks the same protocol.
//   LocalBackend   — a small same-origin REST facade (/auth/signin, /auth/signup, /auth/confirm, /auth/refresh) for a
//                    local gateway that prefers not to proxy the Cognito protocol.
// Both return Cognito's AuthenticationResult shape, so the session code below does not care which one ran.

import { getConfig } from './config.js';
import { authenticationResult, authorizeUrl, codeChallenge, parseCallback, randomString, tokenRequest } from './oauth.js';

const STORAGE_KEY = 'photovault.session';
const SOCIAL_KEY = 'photovault.social'; // the PKCE verifier and state between leaving for the hosted UI and coming back
export const CALLBACK_PATH = '/auth/callback';
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
  EnableSoftwareTokenMFAException: 'That code is not right. Check the time on your phone and enter the newest code.',
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
    return CognitoBackend.outcome(data, username);
  }

  // A sign-in either ends with tokens or asks for a second factor: SOFTWARE_TOKEN_MFA (a code from the person's
  // authenticator app) or MFA_SETUP (a pool with MFA "ON" and a person who has not enrolled yet).
  static outcome(data, username) {
    if (data.AuthenticationResult) return data.AuthenticationResult;
    if (data.ChallengeName === 'SOFTWARE_TOKEN_MFA' || data.ChallengeName === 'MFA_SETUP') {
      const err = new AuthError(data.ChallengeName, 'Enter the code from your authenticator app.');
      err.challenge = { name: data.ChallengeName, session: data.Session, username };
      throw err;
    }
    throw new AuthError(data.ChallengeName || 'Challenge', 'This account needs an extra step we do not support here yet.');
  }

  async answerTotp(challenge, code) {
    const data = await this.call('RespondToAuthChallenge', {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, SOFTWARE_TOKEN_MFA_CODE: code },
    });
    return CognitoBackend.outcome(data, challenge.username);
  }

  /** A new TOTP secret: for the signed-in person ({ accessToken }) or during an MFA_SETUP sign-in ({ session }). */
  async associateTotp({ accessToken, session }) {
    const data = await this.call('AssociateSoftwareToken', accessToken ? { AccessToken: accessToken } : { Session: session }, { withClient: false });
    return { secret: data.SecretCode, session: data.Session || null };
  }

  async verifyTotp({ accessToken, session }, code) {
    const who = accessToken ? { AccessToken: accessToken } : { Session: session };
    const data = await this.call('VerifySoftwareToken', { ...who, UserCode: code, FriendlyDeviceName: 'Authenticator' }, { withClient: false });
    return { session: data.Session || null };
  }

  async finishMfaSetup(challenge, session) {
    const data = await this.call('RespondToAuthChallenge', {
      ChallengeName: 'MFA_SETUP',
      Session: session,
      ChallengeResponses: { USERNAME: challenge.username },
    });
    return CognitoBackend.outcome(data, challenge.username);
  }

  async setTotpPreference(accessToken, enabled) {
    await this.call('SetUserMFAPreference', { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled } }, { withClient: false });
  }

  async getUser(accessToken) {
    return this.call('GetUser', { AccessToken: accessToken }, { withClient: false });
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

/**
 * Social sign-in, step 1: leave for the provider through Cognito's hosted UI. The verifier and state stay in this
 * tab's sessionStorage (never sent anywhere but to the token endpoint, after the provider sent us back).
 */
export async function startSocialSignIn(provider, next = '/') {
  const cfg = await getConfig();
  if (!cfg.auth.hostedUi) throw new AuthError('Unsupported', 'Social sign-in is not configured here.');
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(SOCIAL_KEY, JSON.stringify({ verifier, state, next }));
  window.location.assign(
    authorizeUrl({
      hostedUiUrl: cfg.auth.hostedUi.url,
      clientId: cfg.auth.clientId,
      redirectUri: `${window.location.origin}${CALLBACK_PATH}`,
      provider,
      state,
      challenge: await codeChallenge(verifier),
    }),
  );
}

/** Step 2, on the callback page: check the state, trade the code for tokens, sign in. Resolves to where to go. */
export async function finishSocialSignIn(search) {
  const cfg = await getConfig();
  const started = JSON.parse(sessionStorage.getItem(SOCIAL_KEY) || 'null');
  sessionStorage.removeItem(SOCIAL_KEY); // one use: a reload or a replayed link cannot reuse it
  const code = parseCallback(search, started?.state);
  if (!cfg.auth.hostedUi) throw new AuthError('Unsupported', 'Social sign-in is not configured here.');
  const { url, init } = tokenRequest({
    hostedUiUrl: cfg.auth.hostedUi.url,
    clientId: cfg.auth.clientId,
    redirectUri: `${window.location.origin}${CALLBACK_PATH}`,
    code,
    verifier: started.verifier,
  });
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw authError('NetworkError');
  }
  const tokens = await res.json().catch(() => ({}));
  if (!res.ok) throw new AuthError(tokens.error || 'TokenError', 'Sign-in failed: the code was refused. Please try again.');
  save(fromResult(authenticationResult(tokens)));
  return started.next || '/';
}

/** Answer a SOFTWARE_TOKEN_MFA challenge (err.challenge of signIn) with a code from the authenticator app. */
export async function answerTotp(challenge, code) {
  const next = fromResult(await (await backend()).answerTotp(challenge, code.replace(/\s+/g, '')));
  if (!next.email) next.email = challenge.username;
  save(next);
  return currentUser();
}

/** MFA_SETUP at sign-in: a secret for the session; then finishMfaSetup with a code of it signs in. */
export async function beginMfaSetup(challenge) {
  return (await backend()).associateTotp({ session: challenge.session });
}

export async function finishMfaSetup(challenge, setupSession, code) {
  const b = await backend();
  const verified = await b.verifyTotp({ session: setupSession }, code.replace(/\s+/g, ''));
  const next = fromResult(await b.finishMfaSetup(challenge, verified.session || setupSession));
  if (!next.email) next.email = challenge.username;
  save(next);
  return currentUser();
}

function currentAccessToken() {
  if (!session?.accessToken) throw new AuthError('NotAuthorizedException', 'Sign in again to change two-step sign-in.');
  return session.accessToken;
}

/** Whether the signed-in person signs in with an authenticator code (Cognito GetUser's UserMFASettingList). */
export async function totpEnabled() {
  const user = await (await backend()).getUser(currentAccessToken());
  return (user.UserMFASettingList || []).includes('SOFTWARE_TOKEN_MFA');
}

/** Step 1 of enrolment: a new secret for the authenticator app. */
export async function startTotp() {
  return (await backend()).associateTotp({ accessToken: currentAccessToken() });
}

/** Step 2: prove the app has the secret with one of its codes; from then on sign-in asks for a code. */
export async function confirmTotp(code) {
  const b = await backend();
  await b.verifyTotp({ accessToken: currentAccessToken() }, code.replace(/\s+/g, ''));
  await b.setTotpPreference(currentAccessToken(), true);
}

export async function disableTotp() {
  await (await backend()).setTotpPreference(currentAccessToken(), false);
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
