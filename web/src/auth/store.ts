import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import type { PersonRead } from '@/kit/api'
import { forgetAll } from '@/kit/offline'
import { configureAuth } from '@/kit/http'

import { developmentSignIn } from './api'

/**
 * Who is signed in. A session says how it was obtained (`via`): today only the
 * development sign-in (GRIDCASE_ENV=development); production's OpenID Connect sign-in
 * (authorization code + PKCE) will add `via: 'oidc'` with its own sign-in and refresh
 * actions, and every screen keeps reading `token`, `person` and `signedIn` only.
 */
export interface Session {
  via: 'development'
  token: string
  expiresAt: string
  person: PersonRead
}

const STORAGE_KEY = 'gridcase.session'

function load(now: Date): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const session = JSON.parse(raw) as Session
    return new Date(session.expiresAt) > now ? session : null
  } catch {
    return null
  }
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(load(new Date()))

  const token = computed(() => session.value?.token ?? null)
  const person = computed(() => session.value?.person ?? null)
  const signedIn = computed(() => session.value !== null)

  function save(next: Session | null): void {
    session.value = next
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
    else localStorage.removeItem(STORAGE_KEY)
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

  function signOut(): void {
    save(null)
    // What this person's lists and cases said stays off a phone handed to someone else.
    forgetAll()
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

  return { session, token, person, signedIn, signInAs, signOut }
})
