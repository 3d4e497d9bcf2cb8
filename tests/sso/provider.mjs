// A real OpenID Connect provider on loopback for Siger's SSO tests: panva's certified `oidc-provider` with its
// development login form (any password), one static confidential client and accounts read from a JSON file at
// every sign-in, so a test can add the person it needs without restarting the provider.
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (JSON list), POST_LOGOUT_REDIRECT_URIS (JSON list),
// ACCOUNTS_FILE ({"<login>": {"nip": "...", "email": "...", "email_verified": true, "name": "...", ...}}).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

function accounts() {
  return JSON.parse(readFileSync(process.env.ACCOUNTS_FILE, 'utf8'));
}

// A fresh RS256 key per run: Siger must find it through the provider's JWKS, never by configuration.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `test-${Date.now()}`, alg: 'RS256', use: 'sig' };

const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  // The province's own scope: NIP and the person's work unit.
  nip: ['nip', 'opd'],
};

const configuration = {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: JSON.parse(process.env.REDIRECT_URIS),
      post_logout_redirect_uris: JSON.parse(process.env.POST_LOGOUT_REDIRECT_URIS || '[]'),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [signingKey] },
  claims: CLAIMS,
  scopes: ['openid', 'email', 'profile', 'nip'],
  cookies: { keys: ['siger-test-provider-cookie-key'] },
  // Siger must send PKCE: without a code_challenge the provider refuses the request.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // A first-party client: no consent screen, the grant covers what Siger asks for (as the province's own
  // provider does for its own applications).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile nip');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
