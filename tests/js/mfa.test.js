import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cleanCode, groupSecret, otpauthUri } from '../../web/js/mfa.js';

test('the otpauth URI names the issuer and account and carries the secret', () => {
  const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'ana@example.com'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP');
  assert.equal(uri.searchParams.get('issuer'), 'PhotoVault');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.ok(otpauthUri('S', 'ana@example.com').startsWith('otpauth://totp/PhotoVault%3Aana%40example.com?'));
});

test('a secret is shown in groups of four', () => {
  assert.equal(groupSecret('ABCDEFGHIJ'), 'ABCD EFGH IJ');
});

test('a code is six digits, whatever spaces or dashes were copied with it', () => {
  assert.equal(cleanCode(' 123 456 '), '123456');
  assert.equal(cleanCode('123-456'), '123456');
  assert.equal(cleanCode('12345'), null);
  assert.equal(cleanCode('12345a'), null);
});
