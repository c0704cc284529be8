// Social sign-in through Cognito's hosted UI: the OAuth 2.0 authorization-code flow with PKCE (RFC 7636) for a
// public client. Pure functions over Web Crypto and URLs, so node --test covers them (tests/js/oauth.test.js);
// auth.js keeps the state between the two page loads and stores the tokens.

function base64url(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh random string of `bytes` random bytes (43 characters for 32: RFC 7636's code verifier length). */
export function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The hosted UI's /oauth2/authorize URL that goes straight to one provider's sign-in page. */
export function authorizeUrl({ hostedUiUrl, clientId, redirectUri, provider, state, challenge, scope = 'openid email' }) {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    identity_provider: provider,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${hostedUiUrl.replace(/\/+$/, '')}/oauth2/authorize?${params}`;
}

export class CallbackError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'CallbackError';
    this.code = code;
  }
}

/**
 * The authorization code of a callback URL's query, checked against the state this browser sent (a callback it did
 * not start — a forged or replayed link — is refused). Throws CallbackError with a message a person can read.
 */
export function parseCallback(search, expectedState) {
  const params = new URLSearchParams(search);
  if (params.get('error')) {
    const cancelled = params.get('error') === 'access_denied';
    throw new CallbackError(params.get('error'), cancelled ? 'Sign-in was cancelled.' : `Sign-in failed: ${params.get('error_description') || params.get('error')}.`);
  }
  const code = params.get('code');
  const state = params.get('state');
  if (!code || !state) throw new CallbackError('invalid_request', 'This sign-in link is incomplete. Please try again.');
  if (!expectedState || state !== expectedState) throw new CallbackError('invalid_state', 'This sign-in was not started here, or has expired. Please try again.');
  return code;
}

/** The POST to /oauth2/token that trades the code (and the verifier only this browser knows) for tokens. */
export function tokenRequest({ hostedUiUrl, clientId, redirectUri, code, verifier }) {
  return {
    url: `${hostedUiUrl.replace(/\/+$/, '')}/oauth2/token`,
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
    },
  };
}

/** The token endpoint's answer in Cognito's AuthenticationResult shape (what the password sign-in returns). */
export function authenticationResult(tokens) {
  return { IdToken: tokens.id_token, AccessToken: tokens.access_token, RefreshToken: tokens.refresh_token, ExpiresIn: tokens.expires_in };
}
