import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { authenticationResult, authorizeUrl, CallbackError, codeChallenge, parseCallback, randomString, tokenRequest } from '../../web/js/oauth.js';

const HOSTED = 'https://pv-dev-111122223333.auth.eu-west-1.amazoncognito.com';

test('the code challenge is the RFC 7636 S256 of the verifier', async () => {
  // RFC 7636 appendix B's example
  assert.equal(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  const verifier = randomString();
  assert.equal(await codeChallenge(verifier), createHash('sha256').update(verifier).digest('base64url'));
});

test('verifiers and states are 43 url-safe characters and never repeat', () => {
  const values = new Set(Array.from({ length: 50 }, () => randomString()));
  assert.equal(values.size, 50);
  for (const value of values) assert.match(value, /^[A-Za-z0-9_-]{43}$/);
});

test('the authorize URL goes to the chosen provider with the challenge and the state', () => {
  const url = new URL(authorizeUrl({ hostedUiUrl: `${HOSTED}/`, clientId: 'client123', redirectUri: 'https://photos.example.com/auth/callback', provider: 'Google', state: 'st', challenge: 'ch' }));
  assert.equal(url.origin + url.pathname, `${HOSTED}/oauth2/authorize`);
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    response_type: 'code',
    client_id: 'client123',
    redirect_uri: 'https://photos.example.com/auth/callback',
    identity_provider: 'Google',
    scope: 'openid email',
    state: 'st',
    code_challenge: 'ch',
    code_challenge_method: 'S256',
  });
});

test('a callback gives its code only with the state this browser sent', () => {
  assert.equal(parseCallback('?code=abc&state=s1', 's1'), 'abc');
  assert.throws(() => parseCallback('?code=abc&state=forged', 's1'), (err) => err instanceof CallbackError && err.code === 'invalid_state');
  assert.throws(() => parseCallback('?code=abc&state=s1', null), { code: 'invalid_state' });
  assert.throws(() => parseCallback('?state=s1', 's1'), { code: 'invalid_request' });
});

test('a refusal or a cancel at the provider is a readable error', () => {
  assert.throws(() => parseCallback('?error=access_denied&state=s1', 's1'), { message: 'Sign-in was cancelled.' });
  assert.throws(() => parseCallback('?error=invalid_request&error_description=bad+scope&state=s1', 's1'), { message: 'Sign-in failed: bad scope.' });
});

test('the token request trades the code and the verifier, as a form, without any secret', () => {
  const { url, init } = tokenRequest({ hostedUiUrl: HOSTED, clientId: 'client123', redirectUri: 'https://photos.example.com/auth/callback', code: 'abc', verifier: 'v' });
  assert.equal(url, `${HOSTED}/oauth2/token`);
  assert.equal(init.method, 'POST');
  assert.equal(init.headers['Content-Type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(init.body)), {
    grant_type: 'authorization_code',
    client_id: 'client123',
    code: 'abc',
    redirect_uri: 'https://photos.example.com/auth/callback',
    code_verifier: 'v',
  });
});

test('the token answer becomes the password sign-in result shape', () => {
  assert.deepEqual(authenticationResult({ id_token: 'i', access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'Bearer' }), { IdToken: 'i', AccessToken: 'a', RefreshToken: 'r', ExpiresIn: 900 });
});
