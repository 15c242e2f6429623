// A certified OpenID provider (npm's oidc-provider) on loopback for the sign-in tests.
// Usage: node provider.mjs CONFIG.json; prints "listening ISSUER" once it accepts requests.
// CONFIG: {"port": 0, "clients": [...], "accounts": {"login": {claims}}}. The provider's own
// development login form accepts any password; a login missing from "accounts" is refused.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.OIDC_NODE_MODULES || join(here, '..', '..', '..', '..', 'var', 'node', 'node_modules');
const require = createRequire(join(nodeModules, 'noop.js'));
const { default: Provider } = await import(pathToFileURL(require.resolve('oidc-provider')).href);

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'provider-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['jointaudit-test-provider-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'upn'],
  },
  conformIdTokenClaims: false, // the email claims in the ID token itself, as Entra ID sends them
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(_ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // Consent is taken as given: the tests sign in, they do not test the consent page.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const clientId = ctx.oidc.client.clientId;
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(clientId);
    if (grantId) {
      const found = await Grant.find(grantId);
      if (found) return found;
    }
    const grant = new Grant({ clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    ctx.oidc.session.grantIdFor(clientId, grant.jti);
    return grant;
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
