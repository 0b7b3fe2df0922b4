// Escalation's reports (docs/reports.md): the three rates, the daily and monthly reviews.
import type { components as DispatchSchemas } from '@/kit/api/generated/dispatch'
import type { components } from '@/kit/api/generated/escalation'
import { request } from '@/kit/http'

type Schemas = components['schemas']
export type RateRow = Schemas['RateRow']
export type RatesReport = Schemas['RatesReport']
export type DailySummary = Schemas['DailySummary']
export type MonthlyReview = Schemas['MonthlyReview']
export type Level = RatesReport['level']

/** The rates per unit of `level`; `area` narrows to the cases of one area (the
 * drill-down: a grid's members are `level=member&area=<grid>`). */
export function getRates(level: Level, from: string, to: string, area?: string | null): Promise<RatesReport> {
  const query: Record<string, string> = { level, from, to }
  if (area) query.area = area
  return request<RatesReport>('escalation', '/v1/reports/rates', { query })
}

type StaffRead = DispatchSchemas['schemas']['StaffRead']

/** The names of a grid's staff by id (dispatch's directory): member rows name a person. */
export async function staffNames(grid: string): Promise<Map<string, string>> {
  const staff = await request<StaffRead[]>('dispatch', `/v1/directory/areas/${encodeURIComponent(grid)}/staff`)
  return new Map(staff.map((s) => [s.staff_id, s.name]))
}

export function getDaily(community: string, date: string): Promise<DailySummary> {
  return request<DailySummary>('escalation', '/v1/reports/daily', { query: { community, date } })
}

export function getMonthly(month: string, level: Level): Promise<MonthlyReview> {
  return request<MonthlyReview>('escalation', '/v1/reports/monthly', { query: { month, level } })
}
