// Escalation's overdue list (超期 / 推诿, GET /v1/overdue, web/openapi/escalation.json):
// the running clocks past their deadline inside the caller's scope, narrowed by the filters.
import type { components } from '@/kit/api/generated/escalation'
import { request } from '@/kit/http'

export type ClockRead = components['schemas']['ClockRead']
export type ClockKind = ClockRead['kind']

export interface OverdueQuery {
  clock?: ClockKind
  area_code?: string
  department_code?: string
  limit?: string
}

export function listOverdue(query: OverdueQuery): Promise<ClockRead[]> {
  return request<ClockRead[]>('escalation', '/v1/overdue', { query: { ...query } })
}
