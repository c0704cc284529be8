// Two-step sign-in with an authenticator app (TOTP): what to give the app. Pure functions, tested with node --test.

const ISSUER = 'PhotoVault';

/** The otpauth:// URI authenticator apps accept (Google's Key Uri Format): issuer, account, secret, 6 digits, 30 s. */
export function otpauthUri(secret, account, issuer = ISSUER) {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${params}`;
}

/** The secret in groups of four, easier to type into an app by hand (apps ignore the spaces). */
export function groupSecret(secret) {
  return String(secret).replace(/\s+/g, '').match(/.{1,4}/g)?.join(' ') || '';
}

/** Only six digits make a code (spaces and dashes people copy from apps are dropped). */
export function cleanCode(value) {
  const digits = String(value).replace(/[\s-]+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}
