import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import type { PersonRead } from '@/kit/api'
import { forgetAll } from '@/kit/offline'
import { configureAuth } from '@/kit/http'

import { developmentSignIn, me } from './api'
import {
  completeProviderSignIn,
  type ProviderSignIn,
  redirectToProvider,
  renewAtProvider,
  signOutAtProvider,
} from './oidc'

/**
 * Who is signed in. A session says how it was obtained (`via`): the development sign-in
 * (GRIDCASE_ENV=development only), or OpenID Connect at the city's identity provider
 * (authorization code + PKCE, auth/oidc.ts). Every screen reads `token`, `person` and
 * `signedIn` only.
 *
 * A development session is kept in localStorage; a provider's session in sessionStorage
 * (it ends with the tab), and is renewed with the refresh token shortly before it
 * expires when the provider gave one — otherwise the person signs in again.
 */
export type Session =
  | { via: 'development'; token: string; expiresAt: string; person: PersonRead }
  | {
      via: 'oidc'
      token: string
      expiresAt: string
      person: PersonRead
      idToken: string | null
      canRenew: boolean
    }

const STORAGE_KEY = 'gridcase.session'
/** Renew this long before the access token expires. */
const RENEW_AHEAD_MS = 60_000

function load(now: Date): Session | null {
  for (const store of [sessionStorage, localStorage]) {
    try {
      const raw = store.getItem(STORAGE_KEY)
      if (!raw) continue
      const session = JSON.parse(raw) as Session
      return new Date(session.expiresAt) > now ? session : null
    } catch {
      continue
    }
  }
  return null
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(load(new Date()))
  let renewTimer: ReturnType<typeof setTimeout> | null = null

  const token = computed(() => session.value?.token ?? null)
  const person = computed(() => session.value?.person ?? null)
  const signedIn = computed(() => session.value !== null)

  function save(next: Session | null): void {
    session.value = next
    sessionStorage.removeItem(STORAGE_KEY)
    localStorage.removeItem(STORAGE_KEY)
    if (next) {
      const store = next.via === 'oidc' ? sessionStorage : localStorage
      store.setItem(STORAGE_KEY, JSON.stringify(next))
    }
    scheduleRenewal()
  }

  function scheduleRenewal(): void {
    if (renewTimer !== null) clearTimeout(renewTimer)
    renewTimer = null
    const current = session.value
    if (current?.via !== 'oidc' || !current.canRenew) return
    const wait = new Date(current.expiresAt).getTime() - Date.now() - RENEW_AHEAD_MS
    renewTimer = setTimeout(() => void renew(), Math.max(wait, 0))
  }

  async function renew(): Promise<void> {
    const current = session.value
    if (current?.via !== 'oidc') return
    try {
      const renewed = await renewAtProvider()
      if (renewed) {
        save({ ...current, ...fromProvider(renewed) })
        return
      }
    } catch {
      // The provider refused (the refresh token expired or was revoked): sign in again.
    }
    save(null)
  }

  function fromProvider(signIn: ProviderSignIn) {
    return {
      token: signIn.accessToken,
      expiresAt: signIn.expiresAt.toISOString(),
      idToken: signIn.idToken,
      canRenew: signIn.canRenew,
    }
  }

  async function signInAs(staffId: string): Promise<void> {
    const answer = await developmentSignIn({ staff_id: staffId })
    save({
      via: 'development',
      token: answer.token,
      expiresAt: answer.expires_at,
      person: answer.person,
    })
  }

  /** Leaves for the identity provider's sign-in page. */
  async function signInAtProvider(next: string): Promise<void> {
    await redirectToProvider(next)
  }

  /** On the way back from the provider: exchanges the code, then asks who this is.
   * Returns where to go next. */
  async function completeSignIn(url: string): Promise<string> {
    const signIn = await completeProviderSignIn(url)
    const found = await me(signIn.accessToken)
    save({ via: 'oidc', person: found, ...fromProvider(signIn) })
    return signIn.next
  }

  /** Ends the session here; a provider's session also ends at the provider, which then
   * sends the browser back to the sign-in page. */
  function signOut(): void {
    const ended = session.value
    save(null)
    // What this person's lists and cases said stays off a phone handed to someone else.
    forgetAll()
    if (ended?.via === 'oidc') {
      // Signed out here whatever the provider answers; its page is only the last step.
      signOutAtProvider(ended.idToken).catch(() => undefined)
    }
  }

  configureAuth({
    token: () => {
      const current = session.value
      if (current && new Date(current.expiresAt) <= new Date()) {
        save(null)
        return null
      }
      return current?.token ?? null
    },
    unauthorized: () => {
      save(null)
    },
  })
  scheduleRenewal()

  return {
    session,
    token,
    person,
    signedIn,
    signInAs,
    signInAtProvider,
    completeSignIn,
    signOut,
  }
})
