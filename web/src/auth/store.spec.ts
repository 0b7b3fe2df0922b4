import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { request } from '@/kit/http'

import { useAuthStore } from './store'

const person = {
  staff_id: 'gm111a',
  name: '李磊静',
  role: 'grid_member',
  post: 'A',
  area_code: '510302001001001',
  area_name: '一网格',
  department_code: null,
  department_name: null,
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('auth store', () => {
  it('keeps the development session and sends its token afterwards', async () => {
    const expires = new Date(Date.now() + 3600_000).toISOString()
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(Response.json({ token: 'tok-1', expires_at: expires, person }))
      .mockResolvedValueOnce(Response.json([]))
    vi.stubGlobal('fetch', fetch)
    const auth = useAuthStore()

    await auth.signInAs('gm111a')
    await request('dispatch', '/v1/tasks')

    expect(auth.person?.name).toBe('李磊静')
    const init = fetch.mock.calls[1]?.[1] as RequestInit
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok-1')
    expect(JSON.parse(localStorage.getItem('gridcase.session') ?? '{}').via).toBe('development')
  })

  it('does not restore an expired session', () => {
    localStorage.setItem(
      'gridcase.session',
      JSON.stringify({ via: 'development', token: 't', expiresAt: '2020-01-01T00:00:00Z', person }),
    )

    expect(useAuthStore().signedIn).toBe(false)
  })

  it('forgets the session when a service refuses its token', async () => {
    const expires = new Date(Date.now() + 3600_000).toISOString()
    vi.stubGlobal(
      'fetch',
      vi
        .fn()
        .mockResolvedValueOnce(Response.json({ token: 'tok-1', expires_at: expires, person }))
        .mockResolvedValueOnce(Response.json({ detail: 'token expired' }, { status: 401 })),
    )
    const auth = useAuthStore()
    await auth.signInAs('gm111a')

    await request('dispatch', '/v1/tasks').catch(() => undefined)

    expect(auth.signedIn).toBe(false)
    expect(localStorage.getItem('gridcase.session')).toBeNull()
  })
})
