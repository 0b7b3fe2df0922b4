// The desk's search (GET /v1/cases): the filter bar's fields, as a filter (saved views,
// the CSV export, the table's query) and as the page's URL query, and back.
import type { Sla } from '../api'

export const TARGETS = ['grid', 'community', 'department', 'triage'] as const
export const CHANNELS = ['hotline', 'wish_wall', 'patrol', 'visit', 'open311'] as const
export const PRIORITIES = ['urgent', 'normal'] as const
const SLAS = ['green', 'yellow', 'red', 'breached'] as const
const STATUSES = ['triage', 'routed', 'assigned', 'accepted', 'suspended', 'resolved', 'closed', 'evaluated', 'reopened']
const CODE = /^[0-9A-Za-z_./-]{1,64}$/
const DAY = /^\d{4}-\d{2}-\d{2}$/

export interface Search {
  q: string
  status: string
  sla: Sla | ''
  target: (typeof TARGETS)[number] | ''
  area_code: string
  department_code: string
  category_code: string
  channel: (typeof CHANNELS)[number] | ''
  priority: (typeof PRIORITIES)[number] | ''
  assignee_id: string
  /** Reported on or after this local day (Asia/Shanghai), YYYY-MM-DD. */
  from: string
  /** Reported on or before this local day, YYYY-MM-DD. */
  to: string
  returned: 'true' | 'false' | ''
}

export function emptySearch(): Search {
  return {
    q: '', status: '', sla: '', target: '', area_code: '', department_code: '', category_code: '',
    channel: '', priority: '', assignee_id: '', from: '', to: '', returned: '',
  }
}

/** The start of a local day in China (UTC+8, no summer time) as an instant. */
function dayStart(day: string): string {
  return `${day}T00:00:00+08:00`
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

/** The search as a filter of GET /v1/cases (what a saved view stores); empty fields left out. */
export function searchFilter(search: Search): Record<string, unknown> {
  const filter: Record<string, unknown> = {}
  const q = search.q.trim()
  if (q) filter.q = q
  if (search.status) filter.status = [search.status]
  for (const key of ['sla', 'target', 'channel', 'priority'] as const) {
    if (search[key]) filter[key] = search[key]
  }
  for (const key of ['area_code', 'department_code', 'category_code', 'assignee_id'] as const) {
    const value = search[key].trim()
    if (value) filter[key] = value
  }
  if (DAY.test(search.from)) filter.reported_from = dayStart(search.from)
  if (DAY.test(search.to)) filter.reported_to = dayStart(nextDay(search.to)) // exclusive
  if (search.returned) filter.returned = search.returned === 'true'
  return filter
}

/** The search as the page's URL query: only the fields filled in. */
export function searchToUrl(search: Search): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [key, value] of Object.entries(search) as [keyof Search, string][]) {
    const text = key === 'q' ? value.trim() : value
    if (text) query[key] = text
  }
  return query
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T | '' {
  return (allowed as readonly string[]).includes(value) ? (value as T) : ''
}

/** The search a URL query stands for; what is not a valid value is left empty. */
export function searchFromUrl(query: Record<string, unknown>): Search {
  const text = (key: string): string => {
    const value = query[key]
    const first = Array.isArray(value) ? value[0] : value
    return typeof first === 'string' ? first : ''
  }
  const code = (key: string): string => (CODE.test(text(key)) ? text(key) : '')
  const day = (key: string): string => (DAY.test(text(key)) ? text(key) : '')
  return {
    q: text('q').slice(0, 100),
    status: oneOf(text('status'), STATUSES),
    sla: oneOf(text('sla'), SLAS),
    target: oneOf(text('target'), TARGETS),
    area_code: code('area_code'),
    department_code: code('department_code'),
    category_code: code('category_code'),
    channel: oneOf(text('channel'), CHANNELS),
    priority: oneOf(text('priority'), PRIORITIES),
    assignee_id: text('assignee_id').slice(0, 64),
    from: day('from'),
    to: day('to'),
    returned: oneOf(text('returned'), ['true', 'false'] as const),
  }
}

/** True when the URL query holds a search (the page then opens on it). */
export function hasSearch(query: Record<string, unknown>): boolean {
  return Object.keys(searchToUrl(searchFromUrl(query))).length > 0
}
