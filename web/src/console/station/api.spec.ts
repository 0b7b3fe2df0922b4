import { describe, expect, it } from 'vitest'

import { type ComplianceRead, patrolsByGrid } from './api'

describe('patrol compliance per grid', () => {
  it('counts the days patrolled, the days met and the minutes of each grid', () => {
    const day = (grid_code: string, date: string, minutes: number, met: boolean) => ({
      grid_code,
      date,
      sessions: 1,
      minutes,
      qualifying_sessions: met ? 1 : 0,
      met,
    })
    const compliance = {
      area_code: '510302001001',
      from: '2026-11-01',
      to: '2026-11-30',
      timezone: 'Asia/Shanghai',
      practice: { min_sessions_per_day: 1, min_session_minutes: 30 },
      days: [
        day('510302001001002', '2026-11-02', 45, true),
        day('510302001001001', '2026-11-02', 40, true),
        day('510302001001001', '2026-11-03', 10, false),
      ],
    } as unknown as ComplianceRead
    expect(patrolsByGrid(compliance)).toEqual([
      { grid: '510302001001001', days: 2, daysMet: 1, minutes: 50 },
      { grid: '510302001001002', days: 1, daysMet: 1, minutes: 45 },
    ])
  })
})
