import { afterEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from './i18n'
import { changedBy, describeError } from './errors'
import type { OutboxSpec } from '@/outbox/outbox'

import { ApiError, configureAuth, configureQueue, CORRELATION_HEADER, request } from './http'

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('request', () => {
  it('sends the bearer token and a correlation id to the service under /api/', async () => {
    const fetch = vi.fn().mockResolvedValue(answer(200, []))
    vi.stubGlobal('fetch', fetch)
    configureAuth({ token: () => 'tok', unauthorized: () => undefined })

    await request('dispatch', '/v1/tasks', { query: { limit: 200 } })

    const [url, init] = fetch.mock.calls[0] as [string, RequestInit]
    const headers = init.headers as Record<string, string>
    expect(url).toBe('/api/dispatch/v1/tasks?limit=200')
    expect(headers.Authorization).toBe('Bearer tok')
    expect(headers[CORRELATION_HEADER]).toMatch(/^web-[0-9a-f]{24}$/)
  })

  it('turns a 409 into a conflict that says where the case is now', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(answer(409, { detail: 'the case changed', status: 'accepted', version: 4 })),
    )

    const error = await request('dispatch', '/v1/cases/x/accept', { method: 'POST' }).catch(
      (e: unknown) => e,
    )

    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).kind).toBe('conflict')
    expect((error as ApiError).current).toEqual({ status: 'accepted', version: 4 })
  })

  it('reads who saved a versioned setting from a 409, and says it in zh-CN', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        answer(409, {
          detail: 'admin1 changed the phrases at 2026-11-28T19:44:35+00:00; reload it',
          updated_by: 'admin1',
          updated_at: '2026-11-28T19:44:35+00:00',
        }),
      ),
    )
    const { global } = createAppI18n('zh-CN')

    const error = (await request('notify', '/v1/preferences/sm12', { method: 'PUT' }).catch((e: unknown) => e)) as ApiError

    expect(error.changed).toEqual({ by: 'admin1', at: '2026-11-28T19:44:35+00:00' })
    const said = changedBy(error, global.t, 'zh-CN')
    expect(said).toMatch(/^admin1 于 .*11.*28.* 保存过$/)
    expect(said).not.toContain('changed the phrases')
  })

  it('turns 422 field errors into a sentence naming the field', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        answer(422, { detail: [{ loc: ['body', 'reason'], msg: 'String should have at least 1 character' }] }),
      ),
    )
    const { global } = createAppI18n('zh-CN')

    const error = await request('dispatch', '/v1/cases/x/return').catch((e: unknown) => e)

    expect(describeError(error, global.t)).toBe(
      '填写的内容有误：reason: String should have at least 1 character',
    )
  })

  it('signs out on a 401 when a token was sent', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(401, { detail: 'token expired' })))
    const unauthorized = vi.fn()
    configureAuth({ token: () => 'old', unauthorized })

    await request('dispatch', '/v1/tasks').catch(() => undefined)

    expect(unauthorized).toHaveBeenCalledOnce()
  })

  it('says the network is down when fetch itself fails', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const { global } = createAppI18n('zh-CN')

    const error = await request('dispatch', '/v1/tasks').catch((e: unknown) => e)

    expect(describeError(error, global.t)).toBe('网络不通，请检查网络后重试。')
  })

  it('gives the reference of a server error so a person can report it', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        new Response('{"detail":"internal error"}', {
          status: 500,
          headers: { [CORRELATION_HEADER]: 'abc-123' },
        }),
      ),
    )
    const { global } = createAppI18n('en')

    const error = await request('dispatch', '/v1/tasks').catch((e: unknown) => e)

    expect(describeError(error, global.t)).toContain('abc-123')
  })
})

describe('request offline', () => {
  it('keeps a GET answer and returns it, flagged, when the network is gone', async () => {
    const { forgetAll, showingSaved } = await import('./offline')
    forgetAll()
    configureAuth({ token: () => 'tok', unauthorized: () => undefined })
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(200, [{ id: 'c1' }])))
    expect(await request('dispatch', '/v1/tasks', { offline: true })).toEqual([{ id: 'c1' }])
    expect(showingSaved.value).toBe(false)

    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    expect(await request('dispatch', '/v1/tasks', { offline: true })).toEqual([{ id: 'c1' }])
    expect(showingSaved.value).toBe(true)

    // Not kept for another URL, nor without asking; sign-out forgets.
    await expect(request('dispatch', '/v1/cases/x', { offline: true })).rejects.toMatchObject({
      kind: 'network',
    })
    await expect(request('dispatch', '/v1/tasks')).rejects.toMatchObject({ kind: 'network' })
    forgetAll()
    await expect(request('dispatch', '/v1/tasks', { offline: true })).rejects.toMatchObject({
      kind: 'network',
    })
    expect(showingSaved.value).toBe(false)
  })
})

describe('request with queue', () => {
  it('hands an action that cannot reach the network to the outbox, with its headers', async () => {
    const fetch = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    vi.stubGlobal('fetch', fetch)
    const kept: OutboxSpec[] = []
    configureQueue((spec) => kept.push(spec))

    const error = await request('dispatch', '/v1/cases/c-1/accept', {
      method: 'POST',
      headers: { 'If-Match': '"3"' },
      queue: { kind: 'accept', caseId: 'c-1' },
    }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).kind).toBe('queued')
    expect(kept).toEqual([
      {
        kind: 'accept',
        caseId: 'c-1',
        service: 'dispatch',
        path: '/v1/cases/c-1/accept',
        headers: { 'If-Match': '"3"', 'Idempotency-Key': expect.stringMatching(/^web-[0-9a-f]{32}$/) },
        json: undefined,
      },
    ])
    // The first try carried the very key the outbox resends with: if that try reached
    // dispatch after all (its answer lost), the resend is a replay, not a second 签收.
    const firstTry = (fetch.mock.calls[0] as [string, RequestInit])[1].headers as Record<string, string>
    expect(firstTry['Idempotency-Key']).toBe(kept[0]?.headers['Idempotency-Key'])
    configureQueue(null)
  })

  it('sends a desk action with a fresh Idempotency-Key per call, or the one given', async () => {
    const fetch = vi.fn().mockImplementation(() => Promise.resolve(new Response('{}')))
    vi.stubGlobal('fetch', fetch)
    const keyOf = (call: number): string =>
      ((fetch.mock.calls[call] as [string, RequestInit])[1].headers as Record<string, string>)[
        'Idempotency-Key'
      ] ?? ''

    await request('dispatch', '/v1/cases/c-1/close', { method: 'POST', json: {}, idempotent: true })
    await request('dispatch', '/v1/cases/c-1/close', { method: 'POST', json: {}, idempotent: true })
    await request('dispatch', '/v1/cases/c-1/close', {
      method: 'POST',
      json: {},
      idempotent: true,
      headers: { 'Idempotency-Key': 'given' },
    })
    await request('dispatch', '/v1/views', { method: 'POST', json: {} })

    expect(keyOf(0)).toMatch(/^web-/)
    expect(keyOf(1)).toMatch(/^web-/)
    expect(keyOf(0)).not.toBe(keyOf(1))
    expect(keyOf(2)).toBe('given')
    expect(keyOf(3)).toBe('')
  })

  it('does not keep a photo upload: it fails as a network error', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const kept: OutboxSpec[] = []
    configureQueue((spec) => kept.push(spec))
    const error = await request('intake', '/v1/attachments', {
      method: 'POST',
      form: new FormData(),
      queue: { kind: 'resolve' },
    }).catch((e: unknown) => e)
    expect((error as ApiError).kind).toBe('network')
    expect(kept).toEqual([])
    configureQueue(null)
  })
})
