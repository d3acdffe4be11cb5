// A real OpenID provider for Yubin's tests and demo: the certified `oidc-provider` package
// (npm), on 127.0.0.1 over HTTPS with the mail stack's certificate.
//
// Its own login and consent pages (devInteractions: the login name is the account, here an
// e-mail address; any password is taken — these are test users) issue authorization codes with
// PKCE; the token endpoint issues short-lived opaque access tokens and rotating refresh tokens;
// Dovecot checks access tokens at the introspection endpoint; revocation ends a grant.
//
// A second listener on 127.0.0.1 (ADMIN_PORT, plain HTTP, tests only) mints a grant with an
// access and a refresh token for a user through the provider's own models, so gateway tests
// get real tokens without a browser: POST /mint?user=alice@example.test[&ttl=seconds]
// [&client=yubin-static]; and
// withdraws every grant a user gave, as they would in their account settings at a provider:
// POST /revoke?user=alice@example.test
//
// Environment: OIDC_PORT, ADMIN_PORT, OIDC_CERT, OIDC_KEY, OIDC_ACCESS_TTL (seconds),
// OIDC_CLIENT_SECRET, OIDC_DOVECOT_SECRET.
import https from 'node:https';
import http from 'node:http';
import fs from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 10443);
const adminPort = Number(process.env.ADMIN_PORT || 10444);
const issuer = `https://127.0.0.1:${port}`;
const accessTtl = Number(process.env.OIDC_ACCESS_TTL || 60);
const scope = 'openid email offline_access';

// The provider's storage: the documented adapter interface over one in-memory map, so that
// every grant of a user can be found and withdrawn (the built-in memory adapter has no index).
const store = new Map();
const grantsOf = new Map(); // accountId -> Set(grantId)

class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    store.set(this.key(id), { payload, expires: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (payload.grantId) {
      const members = store.get(`grant:${payload.grantId}`)?.payload ?? [];
      store.set(`grant:${payload.grantId}`, { payload: [...members, this.key(id)] });
    }
    if (this.model === 'Grant' && payload.accountId) {
      if (!grantsOf.has(payload.accountId)) grantsOf.set(payload.accountId, new Set());
      grantsOf.get(payload.accountId).add(id);
    }
    if (payload.uid) store.set(`${this.model}:uid:${payload.uid}`, { payload: id });
    if (payload.userCode) store.set(`${this.model}:userCode:${payload.userCode}`, { payload: id });
  }

  async find(id) {
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expires && entry.expires < Date.now()) {
      store.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    const id = store.get(`${this.model}:uid:${uid}`)?.payload;
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode) {
    const id = store.get(`${this.model}:userCode:${userCode}`)?.payload;
    return id ? this.find(id) : undefined;
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of store.get(`grant:${grantId}`)?.payload ?? []) store.delete(key);
    store.delete(`grant:${grantId}`);
    store.delete(`Grant:${grantId}`);
  }
}

async function revokeAll(user) {
  const grants = [...(grantsOf.get(user) ?? [])];
  for (const grantId of grants) await new MemoryAdapter('Grant').revokeByGrantId(grantId);
  grantsOf.delete(user);
  return { revoked: grants.length };
}

// The gateway: a confidential client; a native one so that its loopback redirect URI may come
// on any port (RFC 8252 §7.3), as test gateways listen on ephemeral ports.
const gatewayClient = (clientId) => ({
  client_id: clientId,
  client_secret: process.env.OIDC_CLIENT_SECRET || 'yubin-secret',
  application_type: 'native',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/oauth/callback'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const configuration = {
  adapter: MemoryAdapter,
  clients: [
    gatewayClient('yubin'),
    // The same, for a provider that keeps one refresh token for good (as Google does): no
    // rotation for this client.
    gatewayClient('yubin-static'),
    {
      // Dovecot, which only introspects tokens.
      client_id: 'dovecot',
      client_secret: process.env.OIDC_DOVECOT_SECRET || 'dovecot-secret',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, email: id, email_verified: true }; } };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  scopes: ['openid', 'email', 'offline_access'],
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: {
    AccessToken: accessTtl,
    AuthorizationCode: 60,
    RefreshToken: 24 * 3600,
    Grant: 24 * 3600,
    Session: 24 * 3600,
    Interaction: 600,
  },
  // A refresh token whenever the client may use one (Google and Microsoft need their own
  // parameters for this; the presets send them).
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  rotateRefreshToken: (ctx) => ctx.oidc.client.clientId !== 'yubin-static',
  // The e-mail address in the ID token too: the gateway signs in to the mail servers as it.
  conformIdTokenClaims: false,
  cookies: { keys: ['yubin-test-oidc-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));

https
  .createServer({ cert: fs.readFileSync(process.env.OIDC_CERT), key: fs.readFileSync(process.env.OIDC_KEY) }, provider.callback())
  .listen(port, '127.0.0.1', () => console.log(`oidc-provider ${issuer}`));

async function mint(user, ttl, clientId = 'yubin') {
  const client = await provider.Client.find(clientId);
  const grant = new provider.Grant({ accountId: user, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  const common = { accountId: user, client, grantId, scope, gty: 'authorization_code' };
  const accessToken = await new provider.AccessToken({ ...common, ...(ttl ? { expiresIn: ttl } : {}) }).save();
  const refreshToken = await new provider.RefreshToken({ ...common, rotations: 0 }).save();
  return { access_token: accessToken, refresh_token: refreshToken, expires_in: ttl || accessTtl, grant_id: grantId };
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    try {
      if (req.method === 'POST' && url.pathname === '/mint') {
        const ttl = Number(url.searchParams.get('ttl')) || undefined;
        const client = url.searchParams.get('client') || undefined;
        const body = JSON.stringify(await mint(url.searchParams.get('user'), ttl, client));
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else if (req.method === 'POST' && url.pathname === '/revoke') {
        const body = JSON.stringify(await revokeAll(url.searchParams.get('user')));
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  })
  .listen(adminPort, '127.0.0.1');
