// A real OpenID Connect provider for the browser tests (npm's oidc-provider): one public
// client (the web app: authorization code + PKCE, S256 only), RS256 JWT access tokens for
// gridcase's audience carrying the role and scope claims, and demo people who sign in on
// the provider's own (development) login page with any password.
//
//   node web/e2e/oidc/provider.mjs <config.json>
//
// config.json: {port, issuer, audience, scope, signingKey (a private RSA JWK with kid),
//   client: {client_id, redirect_uris, post_logout_redirect_uris},
//   accounts: {<sub>: {name, role, area_code?, department_code?}}, accessTokenTTL?}
// Prints "ready <issuer>" once it listens on 127.0.0.1:<port>.

import { readFileSync } from 'node:fs'

import Provider from 'oidc-provider'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const accounts = config.accounts

function gridcaseClaims(accountId) {
  const person = accounts[accountId]
  if (!person) return {}
  const claims = { role: person.role }
  if (person.area_code) claims.area_code = person.area_code
  if (person.department_code) claims.department_code = person.department_code
  return claims
}

const provider = new Provider(config.issuer, {
  clients: [
    {
      ...config.client,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [config.signingKey] },
  cookies: { keys: ['gridcase-e2e-cookie-key'] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'offline_access', config.scope],
  claims: { openid: ['sub'], profile: ['name'] },
  ttl: { AccessToken: config.accessTokenTTL ?? 600 },
  async findAccount(_ctx, id) {
    if (!accounts[id]) return undefined
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: accounts[id].name }
      },
    }
  },
  extraTokenClaims(_ctx, token) {
    return token.kind === 'AccessToken' ? gridcaseClaims(token.accountId) : undefined
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== config.audience) throw new Provider.errors.InvalidTarget()
        return {
          scope: config.scope,
          audience: config.audience,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }
      },
    },
  },
})

// What the provider refused, and why, in its log (the test prints it on a failure).
for (const event of ['end_session.error', 'authorization.error', 'grant.error', 'server_error']) {
  provider.on(event, (_ctx, error) => {
    console.log(`${event}: ${error.message} ${error.error_description ?? ''} ${error.cause ?? ''}`)
  })
}

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${config.issuer}`)
})
