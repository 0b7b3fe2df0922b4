// Sign-in at the city's identity provider: OpenID Connect, authorization code with PKCE
// (S256), by oidc-client-ts. The provider and this app's client id come from dispatch at
// run time (GET /v1/sign-in/config, set by GRIDCASE_JWT_ISSUER and GRIDCASE_OIDC_*), so one
// build serves every deployment. oidc-client-ts checks the state on the way back, and the
// nonce we send against the ID token; its own records (the PKCE verifier, the state) and the
// tokens live in sessionStorage: gone with the tab, never in localStorage.
//
// The library is loaded only when someone signs in this way (its own chunk).

import type { User, UserManager } from 'oidc-client-ts'

import type { OidcConfigRead, SignInConfigRead } from '@/kit/api'

import { signInConfig } from './api'

let config: Promise<SignInConfigRead> | null = null

/** The deployment's sign-in configuration, read once per page load. */
export function loadSignInConfig(): Promise<SignInConfigRead> {
  config ??= signInConfig().catch((error: unknown) => {
    config = null
    throw error
  })
  return config
}

/** For tests: forget the configuration read. */
export function forgetSignInConfig(): void {
  config = null
  manager = null
}

let manager: Promise<UserManager> | null = null

async function userManager(): Promise<UserManager> {
  manager ??= (async () => {
    const settings = await loadSignInConfig()
    if (!settings.oidc) throw new Error('no identity provider is configured')
    const oidc: OidcConfigRead = settings.oidc
    const { UserManager: Manager, WebStorageStateStore } = await import('oidc-client-ts')
    const origin = window.location.origin
    return new Manager({
      authority: oidc.issuer,
      client_id: oidc.client_id,
      redirect_uri: origin + oidc.redirect_path,
      post_logout_redirect_uri: origin + oidc.post_logout_redirect_path,
      response_type: 'code',
      scope: oidc.scopes,
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      // Renewal uses the refresh token when the provider gives one (auth/store.ts); a
      // hidden iframe would need frame-src in the CSP and third-party cookies.
      automaticSilentRenew: false,
      loadUserInfo: false,
    })
  })().catch((error: unknown) => {
    manager = null
    throw error
  })
  return manager
}

function randomText(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Leaves for the provider's sign-in page; `next` is where to land afterwards. */
export async function redirectToProvider(next: string): Promise<void> {
  const users = await userManager()
  await users.signinRedirect({ nonce: randomText(), state: { next } })
}

export interface ProviderSignIn {
  accessToken: string
  idToken: string | null
  expiresAt: Date
  canRenew: boolean
  next: string
}

function signInOf(user: User, next: string): ProviderSignIn {
  return {
    accessToken: user.access_token,
    idToken: user.id_token ?? null,
    expiresAt: new Date((user.expires_at ?? 0) * 1000),
    canRenew: Boolean(user.refresh_token),
    next,
  }
}

/** Completes the sign-in on the way back (code exchange with the PKCE verifier). */
export async function completeProviderSignIn(url: string): Promise<ProviderSignIn> {
  const users = await userManager()
  const user = await users.signinRedirectCallback(url)
  const state = user.state as { next?: unknown } | undefined
  return signInOf(user, typeof state?.next === 'string' ? state.next : '/tasks')
}

/** A fresh access token with the refresh token; null when there is none to use. */
export async function renewAtProvider(): Promise<ProviderSignIn | null> {
  const users = await userManager()
  const current = await users.getUser()
  if (!current?.refresh_token) return null
  const user = await users.signinSilent()
  return user ? signInOf(user, '') : null
}

/** Forgets the provider's tokens here and ends the session at the provider. */
export async function signOutAtProvider(idToken: string | null): Promise<void> {
  const users = await userManager()
  await users.removeUser()
  await users.signoutRedirect(idToken ? { id_token_hint: idToken } : {})
}
