// The desk's second slice: saved views, bulk hand-offs, CSV export, departments, the
// case actions of desk roles, a case's notifications and supervision orders.
import type { CaseDetail } from '@/kit/api'
import type { components as DispatchApi } from '@/kit/api/generated/dispatch'
import type { components as EscalationApi } from '@/kit/api/generated/escalation'
import type { components as NotifyApi } from '@/kit/api/generated/notify'
import { ApiError, request } from '@/kit/http'

type Dispatch = DispatchApi['schemas']
export type ViewRead = Dispatch['ViewRead']
export type ViewCreate = Dispatch['ViewCreate']
export type CaseFilters = Dispatch['CaseFilters']
export type BulkResult = Dispatch['BulkResult']
export type BulkDispatchIn = Dispatch['BulkDispatchIn']
export type BulkReassignIn = Dispatch['BulkReassignIn']
export type Department = Dispatch['DepartmentRead']
export type StaffRead = Dispatch['StaffRead']
export type TransferIn = Dispatch['TransferIn']
export type EvaluateIn = Dispatch['EvaluateIn']
export type Supervision = EscalationApi['schemas']['SupervisionRead']
export type Delivery = NotifyApi['schemas']['DeliveryRead']
export type ClockRead = EscalationApi['schemas']['ClockRead']

type Query = Record<string, string | string[] | undefined>

export function listViews(): Promise<ViewRead[]> {
  return request<ViewRead[]>('dispatch', '/v1/views')
}

export function saveView(body: ViewCreate): Promise<ViewRead> {
  return request<ViewRead>('dispatch', '/v1/views', { method: 'POST', json: body })
}

export function deleteView(id: string): Promise<void> {
  return request<undefined>('dispatch', `/v1/views/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** 批量派遣 / 批量改派: 207 with one result per case, in the order given. */
export function bulkDispatch(body: BulkDispatchIn): Promise<BulkResult[]> {
  return request<Dispatch['BulkOut']>('dispatch', '/v1/cases/bulk/dispatch', {
    method: 'POST',
    json: body,
  }).then((answer) => answer.results)
}

export function bulkReassign(body: BulkReassignIn): Promise<BulkResult[]> {
  return request<Dispatch['BulkOut']>('dispatch', '/v1/cases/bulk/reassign', {
    method: 'POST',
    json: body,
  }).then((answer) => answer.results)
}

/** The search as CSV (GET /v1/cases.csv, with the token: a plain link could not send it). */
export function exportCsv(query: Query): Promise<Blob> {
  return request<Blob>('dispatch', '/v1/cases.csv', { query, blob: true })
}

export function listDepartments(q?: string): Promise<Department[]> {
  return request<Dispatch['DepartmentsRead']>('dispatch', '/v1/directory/departments', {
    query: { q: q?.trim() || undefined },
  }).then((answer) => answer.items)
}

/** Who is on duty now in an area (and below) or a department: whom to 改派 to. */
export function onDuty(unit: { area_code?: string; department_code?: string }): Promise<StaffRead[]> {
  return request<StaffRead[]>('dispatch', '/v1/directory/on-duty', { query: unit })
}

export type CaseAction =
  | 'transfer'
  | 'close'
  | 'reopen'
  | 'suspend'
  | 'resume'
  | 'evaluate'
  | 'extension/approve'
  | 'extension/reject'
  | 'reassign'
  | 'claim'

/** One of the case actions, sent with If-Match (409 when someone else moved it first). */
export function act(id: string, version: number, action: CaseAction, body: object): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/${action}`, {
    method: 'POST',
    headers: { 'If-Match': `"${version}"` },
    json: body,
    idempotent: true, // one key per click: a click sent twice acts once
  })
}

export function phrasesFor(action: string): Promise<string[]> {
  return request<Dispatch['PhrasesList']>('dispatch', '/v1/phrases', { query: { action } }).then(
    (answer) => [...new Set(answer.items.flatMap((item) => item.phrases))],
  )
}

export function caseSupervisions(caseId: string): Promise<Supervision[]> {
  return request<Supervision[]>('escalation', '/v1/supervisions', { query: { case_id: caseId } })
}

export function issueSupervision(caseId: string, reason: string): Promise<Supervision> {
  return request<Supervision>('escalation', '/v1/supervisions', {
    method: 'POST',
    json: { case_id: caseId, reason },
  })
}

export function caseDeliveries(caseId: string): Promise<Delivery[]> {
  return request<Delivery[]>('notify', `/v1/cases/${encodeURIComponent(caseId)}/deliveries`)
}

/** The case's clocks (every generation of each kind), from escalation. None yet (its
 * 404: a case waiting in a unit's queue before anyone was assigned has no clock) is an
 * empty list, not an error. */
export async function caseClocks(caseId: string): Promise<ClockRead[]> {
  try {
    return await request<ClockRead[]>('escalation', `/v1/cases/${encodeURIComponent(caseId)}/clocks`)
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return []
    throw e
  }
}

/** 督办回复: the unit an order is addressed to answers it, once (a second answer is a 409). */
export function answerSupervision(orderId: string, text: string): Promise<Supervision> {
  return request<Supervision>('escalation', `/v1/supervisions/${encodeURIComponent(orderId)}/answer`, {
    method: 'POST',
    json: { text },
  })
}

/** Whether `person` speaks for the unit `order` is addressed to (escalation decides). */
export function answersFor(
  person: { role: string; area_code: string | null; department_code: string | null } | null,
  order: Pick<Supervision, 'grid_code' | 'department_code'>,
): boolean {
  if (person === null) return false
  if (person.role === 'department_operator') {
    return Boolean(order.department_code) && person.department_code === order.department_code
  }
  if (person.role === 'grid_member' || person.role === 'grid_leader') {
    return Boolean(order.grid_code && person.area_code && order.grid_code.startsWith(person.area_code))
  }
  return false
}
