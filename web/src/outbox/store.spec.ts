import { describe, expect, it } from 'vitest'

import { ApiError } from '@/kit/http'

import { classify } from './store'

describe('classify', () => {
  it('retries while the network or a service is away', () => {
    for (const [kind, status] of [
      ['network', 0],
      ['unavailable', 503],
      ['server', 500],
      ['rate_limited', 429],
    ] as const) {
      expect(classify(new ApiError(kind, status, '', 'c')).retry).toBe(true)
    }
  })

  it('calls a 409 or a 412 a conflict, with where the case is now', () => {
    const moved = new ApiError('conflict', 412, 'stale', 'c', [], { status: 'accepted', version: 5 })
    expect(classify(moved)).toEqual({
      retry: false,
      conflict: true,
      status: 412,
      detail: 'stale',
      currentStatus: 'accepted',
    })
  })

  it('stops on any other refusal, with what the service said', () => {
    const refused = classify(new ApiError('invalid', 422, 'points.0.at: outside the patrol', 'c'))
    expect(refused).toMatchObject({ retry: false, conflict: false, status: 422 })
  })
})
