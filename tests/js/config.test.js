import assert from 'node:assert/strict';
import { test } from 'node:test';

import { normaliseConfig } from '../../web/js/config.js';

test('without identity providers there is no hosted UI, so no social buttons', () => {
  assert.equal(normaliseConfig({ auth: { clientId: 'c' } }).auth.hostedUi, null);
  assert.equal(normaliseConfig({ auth: { hostedUi: { url: '', providers: [] } } }).auth.hostedUi, null);
  assert.equal(normaliseConfig({ auth: { hostedUi: { url: 'https://x.auth.eu-west-1.amazoncognito.com', providers: [] } } }).auth.hostedUi, null);
});

test('one configured provider gives its button, labelled', () => {
  const cfg = normaliseConfig({
    auth: { hostedUi: { url: 'https://x.auth.eu-west-1.amazoncognito.com/', providers: [{ id: 'SignInWithApple', label: 'Apple' }, { label: 'no id' }] } },
  });
  assert.deepEqual(cfg.auth.hostedUi, { url: 'https://x.auth.eu-west-1.amazoncognito.com', providers: [{ id: 'SignInWithApple', label: 'Apple' }] });
});

test('the pool MFA setting is OFF, ON, or optional by default', () => {
  assert.equal(normaliseConfig({ auth: { mfa: 'on' } }).auth.mfa, 'ON');
  assert.equal(normaliseConfig({ auth: { mfa: 'OFF' } }).auth.mfa, 'OFF');
  assert.equal(normaliseConfig({}).auth.mfa, 'OPTIONAL');
});
