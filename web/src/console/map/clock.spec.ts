import { describe, expect, it } from 'vitest'

import { pinColour, worstState } from './clock'

describe('case pins by clock state', () => {
  it('colours a pin by its state, grey without a running clock', () => {
    expect(pinColour('green')).toBe('#15803d')
    expect(pinColour('breached')).toBe('#7f1d1d')
    expect(pinColour(null)).toBe('#6b7280')
  })

  it('gives a cluster the state of its most urgent pin', () => {
    expect(worstState(['green', 'red', 'yellow', null])).toBe('red')
    expect(worstState(['green', 'breached'])).toBe('breached')
    expect(worstState([null, undefined])).toBeNull()
  })
})
