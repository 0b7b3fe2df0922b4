// The rates' figures as the console shows them: the denominators beside every rate, the
// totals recomputed from summed counts (never averaged), ranks only above a minimum sample.
import type { Level, RateRow } from './api'

export const RATES = [
  'response_rate',
  'resolution_rate',
  'on_time_closure_rate',
  'satisfaction_rate',
] as const
export type RateName = (typeof RATES)[number]

/** Each rate's numerator and denominator (docs/reports.md, "The formulas"). */
export const PARTS: Record<RateName, { numerator: (r: RateRow) => number; sample: (r: RateRow) => number }> = {
  response_rate: { numerator: (r) => r.accepted_in_time, sample: (r) => r.sign_for_clocked },
  resolution_rate: { numerator: (r) => r.resolved, sample: (r) => r.received },
  on_time_closure_rate: { numerator: (r) => r.closed_on_time, sample: (r) => r.closed },
  satisfaction_rate: {
    numerator: (r) => r.satisfied + r.basically_satisfied,
    sample: (r) => r.evaluated,
  },
}

/** The level below, for drilling down: district → street → community → grid → member. */
export const CHILD: Partial<Record<Level, Level>> = {
  district: 'street',
  street: 'community',
  community: 'grid',
  grid: 'member',
}

/** Member rows named from the directory (escalation knows staff ids only). */
export function named(rows: readonly RateRow[], names: ReadonlyMap<string, string>): RateRow[] {
  return rows.map((row) =>
    row.unit_code && names.has(row.unit_code) ? { ...row, unit_name: names.get(row.unit_code) ?? null } : row,
  )
}

/** A fraction rounded half up to 4 places, as escalation rounds it; null over 0. */
export function rate(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null
  return Math.round((numerator / denominator) * 10_000 + Number.EPSILON) / 10_000
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`
}

/** The rows under a unit: area codes chain their parents' codes (member rows, whose
 * codes are staff ids, come already narrowed by the API's `area`). */
export function within(rows: readonly RateRow[], parent: string | null): RateRow[] {
  if (!parent) return [...rows]
  return rows.filter((row) => row.unit_code?.startsWith(parent))
}

const COUNTS = [
  'received',
  'sign_for_clocked',
  'accepted_in_time',
  'resolved',
  'closed',
  'closed_on_time',
  'evaluated',
  'satisfied',
  'basically_satisfied',
  'dissatisfied',
  'returns',
  'reopenings',
  'buck_passing_flags',
  'supervision_orders',
  'supervision_yellow',
  'supervision_red',
  'supervision_manual',
] as const

/** The rows together: summed counts, and the rates from those sums. */
export function total(rows: readonly RateRow[]): RateRow {
  const sum = Object.fromEntries(
    COUNTS.map((key) => [key, rows.reduce((acc, row) => acc + row[key], 0)]),
  ) as Record<(typeof COUNTS)[number], number>
  const row = { unit_code: null, unit_name: null, ...sum } as RateRow
  for (const name of RATES) row[name] = rate(PARTS[name].numerator(row), PARTS[name].sample(row))
  return row
}

/** Ranks by a rate, best first; a unit whose sample is below `minSample` (or that has no
 * rate) gets no rank. Equal rates share a rank. */
export function ranks(rows: readonly RateRow[], by: RateName, minSample: number): Map<RateRow, number> {
  const ranked = rows
    .filter((row) => row[by] !== null && PARTS[by].sample(row) >= minSample)
    .sort((a, b) => (b[by] ?? 0) - (a[by] ?? 0))
  const result = new Map<RateRow, number>()
  ranked.forEach((row, index) => {
    const previous = ranked[index - 1]
    const same = previous !== undefined && previous[by] === row[by]
    result.set(row, same ? (result.get(previous) ?? index + 1) : index + 1)
  })
  return result
}

/** The last `count` months before and including `month` (YYYY-MM), oldest first, with
 * each month's first and last day. */
export function lastMonths(month: string, count: number): { month: string; from: string; to: string }[] {
  const [year, mon] = month.split('-').map(Number) as [number, number]
  const months = []
  for (let back = count - 1; back >= 0; back -= 1) {
    const first = new Date(Date.UTC(year, mon - 1 - back, 1))
    const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0))
    const iso = (d: Date) => d.toISOString().slice(0, 10)
    months.push({ month: iso(first).slice(0, 7), from: iso(first), to: iso(last) })
  }
  return months
}
