// Runtime configuration from /config.json (written by Terraform in AWS, served by the local gateway in `make run`).
// The same build runs everywhere; only this document differs. Keys are read leniently (camelCase or snake_case).

let configPromise = null;

function first(obj, ...keys) {
  for (const key of keys) {
    if (obj && obj[key] !== undefined && obj[key] !== null && obj[key] !== '') return obj[key];
  }
  return undefined;
}

function hostedUi(raw) {
  const url = String(first(raw || {}, 'url') || '').replace(/\/+$/, '');
  const providers = Array.isArray(raw?.providers) ? raw.providers.filter((p) => p && typeof p.id === 'string' && p.id) : [];
  return url && providers.length ? { url, providers: providers.map((p) => ({ id: p.id, label: String(p.label || p.id) })) } : null;
}

/** Normalise whatever /config.json holds into the shape the app uses. Exported for tests of the shape. */
export function normaliseConfig(raw = {}) {
  const auth = first(raw, 'auth', 'cognito') || {};
  const region = first(auth, 'region') || first(raw, 'region', 'aws_region', 'awsRegion') || 'us-east-1';
  const clientId = first(auth, 'clientId', 'client_id', 'userPoolClientId', 'user_pool_client_id') ||
    first(raw, 'userPoolClientId', 'user_pool_client_id', 'cognitoClientId', 'cognito_client_id', 'clientId', 'client_id');
  const userPoolId = first(auth, 'userPoolId', 'user_pool_id') || first(raw, 'userPoolId', 'user_pool_id');
  // "cognito": the Cognito IdP JSON API, in AWS at cognito-idp.<region>.amazonaws.com, or at any endpoint that speaks
  // the same protocol (the local gateway's proxy of the emulator). "local": the local gateway's small REST facade.
  const mode = String(first(auth, 'mode', 'backend', 'type') || first(raw, 'authMode', 'auth_mode') || 'cognito').toLowerCase();
  const endpoint = first(auth, 'endpoint', 'cognitoEndpoint', 'cognito_endpoint', 'url') ||
    first(raw, 'cognitoEndpoint', 'cognito_endpoint') || `https://cognito-idp.${region}.amazonaws.com/`;
  const api = String(first(raw, 'apiBaseUrl', 'api_base_url', 'apiUrl', 'api_url', 'api') || '/api').replace(/\/+$/, '');
  return {
    apiBaseUrl: api,
    auth: {
      mode: mode === 'local' || mode === 'proxy' || mode === 'rest' ? 'local' : 'cognito',
      region,
      clientId,
      userPoolId,
      endpoint,
      basePath: String(first(auth, 'basePath', 'base_path', 'proxyBase', 'proxy_base', 'path') || '/auth').replace(/\/+$/, ''),
      // Which Cognito token the API authorizer expects as the Bearer (both carry the client id: aud / client_id).
      tokenUse: String(first(auth, 'tokenUse', 'token_use') || 'id').toLowerCase() === 'access' ? 'access' : 'id',
      demoUser: first(auth, 'demoUser', 'demo_user') || first(raw, 'demoUser', 'demo_user') || null,
      // The pool's MFA setting: OFF hides two-step sign-in, ON makes it required (no "turn off").
      mfa: ['OFF', 'ON'].includes(String(first(auth, 'mfa', 'mfaConfiguration') || '').toUpperCase())
        ? String(first(auth, 'mfa', 'mfaConfiguration')).toUpperCase()
        : 'OPTIONAL',
      // Social sign-in through Cognito's hosted UI: its URL and the providers to offer; none → no buttons.
      hostedUi: hostedUi(first(auth, 'hostedUi', 'hosted_ui')),
    },
    environment: first(raw, 'environment', 'env') || '',
    maxUploadBytes: Number(first(raw, 'maxUploadBytes', 'max_upload_bytes')) || 50 * 1024 * 1024,
  };
}

export function getConfig() {
  if (!configPromise) {
    configPromise = fetch('/config.json', { cache: 'no-store', headers: { Accept: 'application/json' } })
      .then((res) => (res.ok ? res.json() : {}))
      .catch(() => ({}))
      .then((raw) => normaliseConfig(raw));
  }
  return configPromise;
}
