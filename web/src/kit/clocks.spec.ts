import { describe, expect, it } from 'vitest'

import { clockColour, type ColouredClock } from './clocks'

const NOW = new Date('2026-03-02T13:00:00Z')

function clock(fields: Partial<ColouredClock>): ColouredClock {
  return {
    status: 'running',
    started_at: '2026-03-02T03:00:00Z',
    due_at: '2026-03-02T23:00:00Z', // 20 hours, 10 used
    remaining_seconds: 36_000,
    breached: false,
    ...fields,
  }
}

describe('clockColour', () => {
  it('takes escalation’s colour, counted on the clock’s own time', () => {
    // Half the wall time has gone, but escalation (working time) has fired no warning.
    expect(clockColour(clock({ sla: 'green' }), NOW)).toBe('green')
    expect(clockColour(clock({ sla: 'red' }), NOW)).toBe('red')
    expect(clockColour(clock({ sla: 'yellow', status: 'paused' }), NOW)).toBe('yellow')
  })

  it('turns 超时 once the deadline has passed on the phone, whatever the answer said', () => {
    expect(clockColour(clock({ sla: 'red', due_at: '2026-03-02T12:59:00Z' }), NOW)).toBe('breached')
    expect(clockColour(clock({ sla: 'green', breached: true }), NOW)).toBe('breached')
  })

  it('keeps a paused clock’s colour though its deadline has passed on the wall', () => {
    expect(
      clockColour(clock({ sla: 'yellow', status: 'paused', due_at: '2026-03-02T12:00:00Z' }), NOW),
    ).toBe('yellow')
  })

  it('approximates on the wall clock when the answer has no colour', () => {
    expect(clockColour(clock({}), NOW)).toBe('yellow') // 10 of 20 hours used
    expect(clockColour(clock({ sla: null, due_at: '2026-03-03T03:00:00Z' }), NOW)).toBe('green')
    expect(clockColour(clock({ due_at: '2026-03-02T14:00:00Z' }), NOW)).toBe('red')
    expect(clockColour(clock({ due_at: '2026-03-02T12:00:00Z' }), NOW)).toBe('breached')
    // Paused: what it had left, not the wall clock.
    expect(
      clockColour(
        clock({ status: 'paused', due_at: '2026-03-02T12:00:00Z', remaining_seconds: 18 * 3600 }),
        NOW,
      ),
    ).toBe('green')
  })
})
