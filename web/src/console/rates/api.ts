// Escalation's reports (docs/reports.md): the three rates, the daily and monthly reviews.
import type { components } from '@/kit/api/generated/escalation'
import { request } from '@/kit/http'

type Schemas = components['schemas']
export type RateRow = Schemas['RateRow']
export type RatesReport = Schemas['RatesReport']
export type DailySummary = Schemas['DailySummary']
export type MonthlyReview = Schemas['MonthlyReview']
export type Level = RatesReport['level']

export function getRates(level: Level, from: string, to: string): Promise<RatesReport> {
  return request<RatesReport>('escalation', '/v1/reports/rates', { query: { level, from, to } })
}

export function getDaily(community: string, date: string): Promise<DailySummary> {
  return request<DailySummary>('escalation', '/v1/reports/daily', { query: { community, date } })
}

export function getMonthly(month: string, level: Level): Promise<MonthlyReview> {
  return request<MonthlyReview>('escalation', '/v1/reports/monthly', { query: { month, level } })
}
