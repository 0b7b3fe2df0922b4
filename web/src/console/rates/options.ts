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

interface Described {
  name: string
  data: Point[]
}

/** What a screen reader says for a chart (ECharts' aria description), from the very points
 * the chart draws: each rate, then each bar or point with its figure and its sample. */
export function describe(categories: readonly string[], series: readonly Described[]): string {
  return series
    .map((one) => {
      const points = one.data.map((point, i) => {
        const figure = point.value === null ? '—' : percent(point.value)
        return `${categories[i] ?? ''} ${figure}（n=${String(point.n)}）`
      })
      return `${one.name}：${points.join('，')}`
    })
    .join('；')
}

function label(params: unknown): string {
  const data = (params as { data: Point }).data
  return data.value === null ? '' : `${percent(data.value)}\nn=${String(data.n)}`
}

export function barOption(rows: readonly RateRow[], names: readonly string[], t: Translate, dark = false): EChartsCoreOption {
  const series = RATES.map((name) => ({
    name: t(`oversight.rates.names.${name}`),
    data: rows.map((row): Point => ({ value: row[name], n: PARTS[name].sample(row) })),
  }))
  return {
    aria: { enabled: true, label: { description: describe(names, series) } },
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
    series: series.map((one) => ({
      ...one,
      type: 'bar',
      label: { show: true, position: 'top', formatter: label, fontSize: 11, color: dark ? '#f9fafb' : '#111827' },
    })),
  }
}

export function trendOption(months: readonly string[], totals: readonly RateRow[], t: Translate, dark = false): EChartsCoreOption {
  const series = RATES.map((name) => ({
    name: t(`oversight.rates.names.${name}`),
    data: totals.map((row): Point => ({ value: row[name], n: PARTS[name].sample(row) })),
  }))
  return {
    aria: { enabled: true, label: { description: describe(months, series) } },
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
    series: series.map((one) => ({
      ...one,
      type: 'line',
      connectNulls: false,
      label: { show: true, formatter: label, fontSize: 11, color: dark ? '#f9fafb' : '#111827' },
    })),
  }
}
