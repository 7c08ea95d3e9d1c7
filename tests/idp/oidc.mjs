// A real OpenID Connect provider (oidc-provider) for the single sign-on tests.
//
//   node oidc.mjs <port>    with CLIENTS='[{"client_id":..,"client_secret":..,"redirect_uris":[..]}]'
//
// Its sign-in page (the library's development login form) takes any login and
// password: the login is the account and its subject (sub). Login "sub-<email>" has
// the email <email> unless POST /__test/accounts changes that account's claims. POST /__test/tamper
// makes the next token response carry an ID token with some claims replaced
// (audience, expiry, nonce), signed with the provider's own key, like a provider
// that is broken or an attacker who holds its key; POST /__test/reset clears both.
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 7901);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS || '[]');

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-idp-key', alg: 'RS256', use: 'sig' };

let accounts = {};
let tamper = null;

function claimsFor(login) {
  const email = login.replace(/^sub-/, '');
  return { email, email_verified: true, name: email.split('@')[0], ...(accounts[login] || {}), sub: login };
}

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({ grant_types: ['authorization_code'], response_types: ['code'], ...client })),
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    const claims = claimsFor(id);
    return { accountId: id, async claims() { return claims; } };
  },
  // The test client is first-party: no consent screen.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = true;


async function readJson(ctx) {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  return body ? JSON.parse(body) : {};
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/accounts' && ctx.method === 'POST') {
    accounts = { ...accounts, ...(await readJson(ctx)) };
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
    tamper = await readJson(ctx);
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/__test/reset' && ctx.method === 'POST') {
    accounts = {};
    tamper = null;
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
    const header = decodeProtectedHeader(ctx.body.id_token);
    const claims = { ...decodeJwt(ctx.body.id_token) };
    const now = Math.floor(Date.now() / 1000);
    if (tamper.aud) claims.aud = tamper.aud;
    if (tamper.nonce) claims.nonce = tamper.nonce;
    if (tamper.expired) { claims.iat = now - 7200; claims.exp = now - 3600; }
    ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader(header).sign(privateKey) };
    tamper = null;
  }
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc provider ready at ${issuer}`));
