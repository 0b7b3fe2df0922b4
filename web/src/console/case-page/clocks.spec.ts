import { describe, expect, it } from 'vitest'

import desk from '../messages'
import { type Clock, clockColour, currentClocks, describeLimit, describeSeconds, secondsLeft } from './clocks'

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

describe("a clock's limit", () => {
  const words = {
    t: (key: string): string => ({ 'console.admin.units.hours': '小时', 'console.admin.units.working_days': '个工作日' })[key] ?? key,
    te: (key: string): boolean => key === 'console.admin.units.hours' || key === 'console.admin.units.working_days',
  }

  it('reads in the units the deadline rules name, not escalation\'s codes', () => {
    expect(describeLimit('2 hours', words)).toBe('2 小时')
    expect(describeLimit('1 working_days', words)).toBe('1 个工作日')
  })

  it('shows a limit it cannot read as it came', () => {
    expect(describeLimit('2 fortnights', words)).toBe('2 fortnights')
    expect(describeLimit('soon', words)).toBe('soon')
  })
})

describe('the units of a time limit', () => {
  it('each has a name, for every unit a deadline rule may use', () => {
    const units: string[] = ['minutes', 'hours', 'days', 'working_days']
    for (const locale of ['zh-CN', 'en'] as const) {
      const named = Object.keys(desk[locale].admin.units)
      expect(units.filter((unit) => !named.includes(unit))).toEqual([])
    }
  })
})
