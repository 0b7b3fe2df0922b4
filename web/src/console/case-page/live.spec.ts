import { describe, expect, it } from 'vitest'

import type { CaseDetail } from '@/kit/api'

import { changedElsewhere, lastChange } from './live'

const at = (version: number, timeline: { actor: string; action: string }[] = []) =>
  ({ version, timeline }) as unknown as CaseDetail

describe('changedElsewhere', () => {
  it('is a newer version than the one shown', () => {
    expect(changedElsewhere(at(3), at(4))).toBe(true)
    expect(changedElsewhere(at(4), at(4))).toBe(false)
    expect(changedElsewhere(null, at(4))).toBe(false)
  })
})

describe('lastChange', () => {
  it('names the newest entry of the timeline', () => {
    expect(lastChange(at(2, [{ actor: 'system', action: 'reported' }, { actor: 'dp2', action: 'dispatched' }]))).toEqual({
      actor: 'dp2',
      action: 'dispatched',
    })
    expect(lastChange(at(1))).toBeNull()
  })
})
