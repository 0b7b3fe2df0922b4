import { describe, expect, it } from 'vitest'

import type { RateRow } from './api'
import { CHILD, lastMonths, named, percent, ranks, rate, total, within } from './figures'

function row(code: string, counts: Partial<RateRow>): RateRow {
  const base = {
    unit_code: code,
    unit_name: code,
    received: 0,
    sign_for_clocked: 0,
    accepted_in_time: 0,
    resolved: 0,
    closed: 0,
    closed_on_time: 0,
    evaluated: 0,
    satisfied: 0,
    basically_satisfied: 0,
    dissatisfied: 0,
    returns: 0,
    reopenings: 0,
    buck_passing_flags: 0,
    supervision_orders: 0,
    supervision_yellow: 0,
    supervision_red: 0,
    supervision_manual: 0,
    response_rate: null,
    resolution_rate: null,
    on_time_closure_rate: null,
    satisfaction_rate: null,
  }
  return { ...base, ...counts }
}

describe('the rates as the console shows them', () => {
  it('rounds half up to 4 places and has no rate over nothing', () => {
    expect(rate(2, 3)).toBe(0.6667)
    expect(rate(1, 32)).toBe(0.0313)
    expect(rate(0, 0)).toBeNull()
    expect(percent(0.6667)).toBe('66.7%')
    expect(percent(null)).toBe('—')
  })

  it('totals the summed counts rather than averaging the rates', () => {
    const a = row('510302001', { received: 1, closed: 1, closed_on_time: 1, on_time_closure_rate: 1 })
    const b = row('510302002', { received: 3, closed: 3, closed_on_time: 0, on_time_closure_rate: 0 })
    const sum = total([a, b])
    expect(sum.closed).toBe(4)
    expect(sum.on_time_closure_rate).toBe(0.25)
    expect(sum.satisfaction_rate).toBeNull()
  })

  it('keeps the rows under a unit by their codes', () => {
    const rows = [row('510302001001', {}), row('510302002001', {}), row('510302001002', {})]
    expect(within(rows, '510302001').map((r) => r.unit_code)).toEqual(['510302001001', '510302001002'])
    expect(within(rows, null)).toHaveLength(3)
  })

  it('ranks only the units with enough sample, equal rates sharing a rank', () => {
    const big = row('a', { closed: 10, on_time_closure_rate: 0.9 })
    const tie = row('b', { closed: 20, on_time_closure_rate: 0.9 })
    const low = row('c', { closed: 8, on_time_closure_rate: 0.5 })
    const small = row('d', { closed: 2, on_time_closure_rate: 1 })
    const result = ranks([small, low, big, tie], 'on_time_closure_rate', 5)
    expect(result.get(big)).toBe(1)
    expect(result.get(tie)).toBe(1)
    expect(result.get(low)).toBe(3)
    expect(result.has(small)).toBe(false)
  })

  it('names the last months with their first and last days', () => {
    expect(lastMonths('2026-02', 3)).toEqual([
      { month: '2025-12', from: '2025-12-01', to: '2025-12-31' },
      { month: '2026-01', from: '2026-01-01', to: '2026-01-31' },
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28' },
    ])
  })
})

describe('the drill-down below the grid', () => {
  it('goes from a grid to its members, and no further', () => {
    expect(CHILD.grid).toBe('member')
    expect(CHILD.member).toBeUndefined()
  })

  it('names member rows from the directory and leaves unknown ids as they are', () => {
    const rows = named([row('gm1', { received: 2 }), row('gm9', { received: 1 })], new Map([['gm1', '李磊静']]))

    expect(rows.map((r) => r.unit_name)).toEqual(['李磊静', 'gm9'])
  })

  it('ranks members only above the minimum sample, as it ranks units', () => {
    const members = [
      row('gm1', { received: 6, resolved: 6, resolution_rate: 1 }),
      row('gm2', { received: 2, resolved: 2, resolution_rate: 1 }),
    ]

    const ranked = ranks(members, 'resolution_rate', 5)

    expect(ranked.get(members[0] as RateRow)).toBe(1)
    expect(ranked.has(members[1] as RateRow)).toBe(false)
  })
})
