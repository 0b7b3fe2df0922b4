// Administration: directory imports (with upload progress), staff and leave through
// one-row imports, escalation's and notify's settings (read and changed), and who did what.
import type { components as DispatchApi } from '@/kit/api/generated/dispatch'
import type { components as EscalationApi } from '@/kit/api/generated/escalation'
import type { components as NotifyApi } from '@/kit/api/generated/notify'
import { apiUrl, CORRELATION_HEADER, newCorrelationId, request, toApiError } from '@/kit/http'

type Dispatch = DispatchApi['schemas']
export type ImportSummary = Dispatch['ImportSummary']
export interface ImportProblem {
  row: number | null
  field: string | null
  message: string
}
export type ImportKind = ImportSummary['kind']
export type StaffRead = Dispatch['StaffRead']
export type Policy = EscalationApi['schemas']['PolicyRead']
export type PolicyIn = EscalationApi['schemas']['PolicyIn']
export type LadderLevel = EscalationApi['schemas']['LadderLevelIn']
export type LadderLevelRead = EscalationApi['schemas']['LadderLevelRead']
export type CalendarDay = EscalationApi['schemas']['CalendarDayIn']
export type CalendarDayRead = EscalationApi['schemas']['CalendarDayRead']
export type Rule = NotifyApi['schemas']['RuleRead']
export type Robot = NotifyApi['schemas']['RobotRead']
export type RuleUpdate = NotifyApi['schemas']['RuleUpdate']
export type RecipientRule = NotifyApi['schemas']['RecipientRule']
export type RobotUpdate = NotifyApi['schemas']['RobotUpdate']
export type ActionPage = Dispatch['ActionPage']
export type ActionRead = Dispatch['ActionRead']
export type PreviewIn = NotifyApi['schemas']['PreviewIn']
export type PreviewOut = NotifyApi['schemas']['PreviewOut']

export const IMPORT_KINDS: ImportKind[] = ['areas', 'departments', 'categories', 'staff', 'gazetteer', 'absences']

/** The columns of each CSV kind (services/dispatch/src/dispatch/directory/schemas.py). */
export const CSV_COLUMNS: Partial<Record<ImportKind, string[]>> = {
  departments: ['code', 'name'],
  categories: ['code', 'name', 'handler', 'department_code', 'priority'],
  staff: ['staff_id', 'name', 'phone', 'role', 'area_code', 'department_code', 'post'],
  gazetteer: ['address', 'grid_code'],
  absences: ['staff_id', 'start', 'end'],
}

export type ImportOutcome =
  | { ok: true; summary: ImportSummary }
  | { ok: false; problems: ImportProblem[] }

/**
 * POST /v1/directory/import, over XMLHttpRequest for its upload progress (fetch has none).
 * A 422 with `problems` is the file's rows at fault (nothing applied); other errors throw.
 */
export function importDirectory(
  kind: ImportKind,
  file: Blob,
  name: string,
  token: string | null,
  onProgress: (percent: number) => void,
): Promise<ImportOutcome> {
  const correlationId = newCorrelationId()
  const form = new FormData()
  form.append('file', file, name)
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${apiUrl('dispatch', '/v1/directory/import')}?kind=${encodeURIComponent(kind)}`)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader(CORRELATION_HEADER, correlationId)
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100))
    }
    xhr.onerror = () => {
      reject(new Error('network'))
    }
    xhr.onload = () => {
      void (async () => {
        if (xhr.status === 200) {
          resolve({ ok: true, summary: JSON.parse(xhr.responseText) as ImportSummary })
          return
        }
        if (xhr.status === 422) {
          const body = JSON.parse(xhr.responseText) as { problems?: ImportProblem[] }
          if (Array.isArray(body.problems)) {
            resolve({ ok: false, problems: body.problems })
            return
          }
        }
        const headers = new Headers({ 'Content-Type': 'application/json' })
        const id = xhr.getResponseHeader(CORRELATION_HEADER)
        if (id) headers.set(CORRELATION_HEADER, id)
        reject(await toApiError(new Response(xhr.responseText, { status: xhr.status, headers }), correlationId))
      })()
    }
    xhr.send(form)
  })
}

/** One CSV line, quoted as needed. */
export function csvLine(cells: string[]): string {
  return cells.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')
}

export function csvFile(kind: ImportKind, rows: string[][]): Blob {
  const columns = CSV_COLUMNS[kind] ?? []
  return new Blob([[columns, ...rows].map(csvLine).join('\n') + '\n'], { type: 'text/csv' })
}

export function staffOfArea(code: string): Promise<StaffRead[]> {
  return request<StaffRead[]>('dispatch', `/v1/directory/areas/${encodeURIComponent(code)}/staff`)
}

export function listPolicies(): Promise<Policy[]> {
  return request<Policy[]>('escalation', '/v1/policies')
}

/**
 * Adds or changes limits (upsert by district, category, priority and clock); a row sent
 * with `expected_updated_at` is a 409 when someone changed it since.
 */
export function putPolicies(policies: PolicyIn[]): Promise<Policy[]> {
  return request<Policy[]>('escalation', '/v1/policies', { method: 'PUT', json: policies })
}

/**
 * Replaces the ladder of each unit kind named in `rungs`; the answer is the whole ladder.
 * Rungs sent with their unit's `expected_updated_at` make a change made since a 409.
 */
export function putLadder(rungs: LadderLevel[]): Promise<LadderLevelRead[]> {
  return request<LadderLevelRead[]>('escalation', '/v1/ladder', { method: 'PUT', json: rungs })
}

export function getLadder(): Promise<LadderLevelRead[]> {
  return request<LadderLevelRead[]>('escalation', '/v1/ladder')
}

/** The local holidays and make-up working days of `year`: the city's and the district's. */
export function listCalendarDays(year: number): Promise<CalendarDayRead[]> {
  return request<CalendarDayRead[]>('escalation', '/v1/calendar/days', { query: { year: String(year) } })
}

/** Adds or changes days; a day sent with `expected_updated_at` is a 409 when changed since. */
export function addCalendarDays(days: CalendarDay[]): Promise<void> {
  return request<undefined>('escalation', '/v1/calendar/days', { method: 'PUT', json: days })
}

export function listRules(): Promise<Rule[]> {
  return request<Rule[]>('notify', '/v1/rules')
}

/** Replaces a rule; `expected_updated_at` makes a change made since a 409. */
export function putRule(eventType: string, body: RuleUpdate): Promise<Rule> {
  return request<Rule>('notify', `/v1/rules/${encodeURIComponent(eventType)}`, { method: 'PUT', json: body })
}

export function putRobot(code: string, body: RobotUpdate): Promise<Robot> {
  // The code may hold "/" (a department's): the path takes it whole.
  const path = code.split('/').map(encodeURIComponent).join('/')
  return request<Robot>('notify', `/v1/robots/${path}`, { method: 'PUT', json: body })
}

/** 谁做了什么: one person's actions across the cases the caller sees, newest first. */
export function staffActions(staffId: string, cursor: number | null): Promise<ActionPage> {
  return request<ActionPage>('dispatch', `/v1/staff/${encodeURIComponent(staffId)}/actions`, {
    query: cursor === null ? { limit: '50' } : { limit: '50', cursor: String(cursor) },
  })
}

export function listRobots(): Promise<Robot[]> {
  return request<Robot[]>('notify', '/v1/robots')
}

export function previewTemplate(body: PreviewIn): Promise<PreviewOut> {
  return request<PreviewOut>('notify', '/v1/templates/preview', { method: 'POST', json: body })
}

export type DeadlinePreview = EscalationApi['schemas']['DeadlinePreview']
export interface DeadlineQuery {
  clock: DeadlinePreview['clock']
  priority: 'urgent' | 'normal'
  category_code?: string
  /** ISO time with its offset; absent: now. */
  start?: string
}

/** 时限试算: when a clock of this kind, started then, falls due under the district's calendar. */
export function previewDeadline(query: DeadlineQuery): Promise<DeadlinePreview> {
  const params: Record<string, string> = { clock: query.clock, priority: query.priority }
  if (query.category_code) params.category_code = query.category_code
  if (query.start) params.start = query.start
  return request<DeadlinePreview>('escalation', '/v1/calendar/preview', { query: params })
}
