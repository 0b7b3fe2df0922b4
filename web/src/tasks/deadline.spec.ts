import { describe, expect, it } from 'vitest'

import { asSla, byDeadline, slaNow, span } from './deadline'

const now = new Date('2026-11-28T08:00:00Z')

function task(id: string, dueAt: string | null, reportedAt = '2026-11-27T00:00:00Z') {
  return { id, reportedAt, deadline: { dueAt, sla: dueAt ? asSla('green') : null } }
}

describe('byDeadline', () => {
  it('puts the earliest deadline first and tasks without a clock last', () => {
    const sorted = byDeadline([
      task('later', '2026-11-29T08:00:00Z'),
      task('none', null),
      task('overdue', '2026-11-27T08:00:00Z'),
      task('soon', '2026-11-28T09:00:00Z'),
    ])
    expect(sorted.map((t) => t.id)).toEqual(['overdue', 'soon', 'later', 'none'])
  })

  it('orders tasks without a clock by the newest report', () => {
    const sorted = byDeadline([
      task('old', null, '2026-11-20T00:00:00Z'),
      task('new', null, '2026-11-27T00:00:00Z'),
    ])
    expect(sorted.map((t) => t.id)).toEqual(['new', 'old'])
  })

  it('does not change the list it is given', () => {
    const list = [task('b', '2026-11-29T00:00:00Z'), task('a', '2026-11-28T00:00:00Z')]
    byDeadline(list)
    expect(list.map((t) => t.id)).toEqual(['b', 'a'])
  })
})

describe('slaNow', () => {
  it('keeps the search state while the deadline is ahead', () => {
    expect(slaNow({ dueAt: '2026-11-28T09:00:00Z', sla: 'yellow' }, now)).toBe('yellow')
    expect(slaNow({ dueAt: '2026-11-28T09:00:00Z', sla: 'red' }, now)).toBe('red')
  })

  it('marks a deadline passed on this clock as breached', () => {
    expect(slaNow({ dueAt: '2026-11-28T08:00:00Z', sla: 'red' }, now)).toBe('breached')
    expect(slaNow({ dueAt: '2026-11-28T07:59:00Z', sla: 'green' }, now)).toBe('breached')
  })

  it('shows no mark when no clock runs', () => {
    expect(slaNow({ dueAt: null, sla: null }, now)).toBeNull()
  })

  it('ignores states it does not know', () => {
    expect(asSla('purple')).toBeNull()
    expect(asSla(null)).toBeNull()
    expect(asSla('breached')).toBe('breached')
  })
})

describe('span', () => {
  it('says the time left, rounded down to the minute', () => {
    expect(span('2026-11-29T10:15:59Z', now)).toEqual({
      overdue: false,
      days: 1,
      hours: 2,
      minutes: 15,
    })
  })

  it('says how long overdue, rounded up to the minute', () => {
    expect(span('2026-11-28T06:59:30Z', now)).toEqual({
      overdue: true,
      days: 0,
      hours: 1,
      minutes: 1,
    })
  })
})
