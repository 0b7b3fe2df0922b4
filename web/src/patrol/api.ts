import type { CaseCreated, FieldReportIn, PatrolRead, PatrolTodayRead } from '@/kit/api'
import { request } from '@/kit/http'

/** My patrols today (and an open one), against the practice; kept for offline. */
export function today(): Promise<PatrolTodayRead> {
  return request<PatrolTodayRead>('intake', '/v1/patrols/today', { offline: true })
}

export function start(key: string): Promise<PatrolRead> {
  return request<PatrolRead>('intake', '/v1/patrols', {
    method: 'POST',
    json: {},
    headers: { 'Idempotency-Key': key },
  })
}

export function end(id: string, key: string): Promise<PatrolRead> {
  return request<PatrolRead>('intake', `/v1/patrols/${encodeURIComponent(id)}/end`, {
    method: 'POST',
    headers: { 'Idempotency-Key': key },
    queue: { kind: 'patrolEnd' },
  })
}

/** A problem found where I stand: a case of channel patrol. */
export function report(id: string, body: FieldReportIn, key: string): Promise<CaseCreated> {
  return request<CaseCreated>('intake', `/v1/patrols/${encodeURIComponent(id)}/reports`, {
    method: 'POST',
    json: body,
    headers: { 'Idempotency-Key': key },
    queue: { kind: 'patrolReport', subject: body.description.slice(0, 30) },
  })
}
