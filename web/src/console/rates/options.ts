// The charts' options: every bar and point says its rate and its sample (n).
import type { RateRow } from './api'
import type { EChartsCoreOption } from './echarts'
import { PARTS, percent, RATES } from './figures'

type Translate = (key: string, values?: Record<string, unknown>) => string

const COLOURS = ['#1d4ed8', '#15803d', '#b45309', '#7c3aed']

interface Point {
  value: number | null
  n: number
}

function label(params: unknown): string {
  const data = (params as { data: Point }).data
  return data.value === null ? '' : `${percent(data.value)}\nn=${String(data.n)}`
}

export function barOption(rows: readonly RateRow[], names: readonly string[], t: Translate, dark = false): EChartsCoreOption {
  return {
    aria: { enabled: true },
    color: COLOURS,
    textStyle: { fontSize: 13 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: unknown) => (typeof value === 'number' ? percent(value) : '—'),
    },
    legend: { top: 0, textStyle: { color: dark ? '#e5e7eb' : '#1f2937' } },
    grid: { left: 48, right: 16, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, color: dark ? '#e5e7eb' : '#1f2937' } },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      axisLabel: { formatter: (v: number) => `${String(Math.round(v * 100))}%`, color: dark ? '#e5e7eb' : '#1f2937' },
    },
    series: RATES.map((name) => ({
      name: t(`oversight.rates.names.${name}`),
      type: 'bar',
      label: { show: true, position: 'top', formatter: label, fontSize: 11, color: dark ? '#f9fafb' : '#111827' },
      data: rows.map((row): Point => ({ value: row[name], n: PARTS[name].sample(row) })),
    })),
  }
}

export function trendOption(months: readonly string[], totals: readonly RateRow[], t: Translate, dark = false): EChartsCoreOption {
  return {
    aria: { enabled: true },
    color: COLOURS,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { color: dark ? '#e5e7eb' : '#1f2937' } },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: months, axisLabel: { color: dark ? '#e5e7eb' : '#1f2937' } },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      axisLabel: { formatter: (v: number) => `${String(Math.round(v * 100))}%`, color: dark ? '#e5e7eb' : '#1f2937' },
    },
    series: RATES.map((name) => ({
      name: t(`oversight.rates.names.${name}`),
      type: 'line',
      connectNulls: false,
      label: { show: true, formatter: label, fontSize: 11, color: dark ? '#f9fafb' : '#111827' },
      data: totals.map((row): Point => ({ value: row[name], n: PARTS[name].sample(row) })),
    })),
  }
}
