import { describe, expect, it } from 'vitest'

import { type Clock, clockColour, currentClocks, describeSeconds, secondsLeft } from './clocks'

const NOW = new Date('2026-03-02T10:00:00Z')

function clock(over: Partial<Clock>): Clock {
  return {
    case_id: 'c',
    tracking_no: 'GC1',
    kind: 'resolution',
    generation: 1,
    status: 'running',
    started_at: '2026-03-02T00:00:00Z',
    due_at: '2026-03-02T20:00:00Z',
    limit: '20 hours',
    remaining_seconds: 36_000,
    paused: false,
    breached: false,
    stopped_at: null,
    stop_reason: null,
    grid_code: null,
    department_code: null,
    assignee_id: null,
    ...over,
  }
}

const say = (key: string, named: Record<string, unknown>): string => `${key}:${JSON.stringify(named)}`

describe('a case clocks', () => {
  it('keeps the newest generation of each kind, sign-for before resolution', () => {
    const shown = currentClocks([
      clock({ kind: 'resolution', generation: 1 }),
      clock({ kind: 'resolution', generation: 2 }),
      clock({ kind: 'sign_for', generation: 1 }),
    ])
    expect(shown.map((c) => [c.kind, c.generation])).toEqual([
      ['sign_for', 1],
      ['resolution', 2],
    ])
  })

  it('is green, yellow, red by the time used and breached once past', () => {
    expect(clockColour(clock({ due_at: '2026-03-02T23:00:00Z' }), NOW)).toBe('green')
    expect(clockColour(clock({}), NOW)).toBe('yellow') // 10 of 20 hours used
    expect(clockColour(clock({ due_at: '2026-03-02T12:00:00Z' }), NOW)).toBe('red')
    expect(clockColour(clock({ due_at: '2026-03-02T09:00:00Z' }), NOW)).toBe('breached')
    expect(clockColour(clock({ breached: true }), NOW)).toBe('breached')
  })

  it('counts a running clock to its deadline and holds a paused one', () => {
    expect(secondsLeft(clock({}), NOW)).toBe(36_000)
    expect(secondsLeft(clock({ status: 'paused', paused: true, remaining_seconds: 600 }), NOW)).toBe(600)
  })

  it('says the time left or overdue in two units', () => {
    expect(describeSeconds(93_600, say)).toBe(
      'console.left:{"time":"console.duration.days:{\\"n\\":1}console.duration.hours:{\\"n\\":2}"}',
    )
    expect(describeSeconds(-300, say)).toContain('console.overdue')
  })
})
