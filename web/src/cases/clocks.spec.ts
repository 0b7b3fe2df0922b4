import { describe, expect, it } from 'vitest'

import type { ClockRead } from '@/kit/api'

import { clockViews } from './clocks'

function clock(over: Partial<ClockRead>): ClockRead {
  return {
    case_id: '00000000-0000-0000-0000-000000000001',
    tracking_no: 'GC1',
    kind: 'resolution',
    generation: 1,
    status: 'running',
    started_at: '2026-11-20T00:00:00Z',
    due_at: '2026-11-30T00:00:00Z',
    limit: '10 days',
    remaining_seconds: 0,
    paused: false,
    breached: false,
    stopped_at: null,
    stop_reason: null,
    assignee_id: 'gm111a',
    grid_code: null,
    department_code: null,
    ...over,
  }
}

describe('clockViews', () => {
  it('colours a running clock by the share of its time used, and says the time left', () => {
    const now = new Date('2026-11-28T22:30:00Z')
    const [view] = clockViews([clock({})], now)
    expect(view?.sla).toBe('red')
    expect(view?.span).toEqual({ overdue: false, days: 1, hours: 1, minutes: 30 })
    expect(clockViews([clock({})], new Date('2026-11-21T00:00:00Z'))[0]?.sla).toBe('green')
    expect(clockViews([clock({})], new Date('2026-11-26T00:00:00Z'))[0]?.sla).toBe('yellow')
    expect(clockViews([clock({})], new Date('2026-12-01T00:00:00Z'))[0]?.sla).toBe('breached')
  })

  it('shows a paused clock with the time it had left, and leaves stopped clocks out', () => {
    const views = clockViews(
      [
        clock({ status: 'paused', paused: true, remaining_seconds: 2 * 86_400 }),
        clock({ kind: 'sign_for', status: 'stopped', due_at: '2026-11-20T02:00:00Z' }),
      ],
      new Date('2026-12-25T00:00:00Z'),
    )
    expect(views).toHaveLength(1)
    expect(views[0]).toMatchObject({ kind: 'resolution', paused: true, sla: 'red' })
    expect(views[0]?.span).toEqual({ overdue: false, days: 2, hours: 0, minutes: 0 })
  })

  it('takes escalation’s colour (its warnings, pauses left out) over the phone’s estimate', () => {
    // Eight of ten days gone on the wall, but escalation has fired no warning (a pause).
    const now = new Date('2026-11-28T22:30:00Z')
    expect(clockViews([clock({ sla: 'green' })], now)[0]?.sla).toBe('green')
    expect(clockViews([clock({ sla: 'yellow' })], now)[0]?.sla).toBe('yellow')
    expect(clockViews([clock({ sla: 'green' })], new Date('2026-12-01T00:00:00Z'))[0]?.sla).toBe(
      'breached',
    )
  })
})
