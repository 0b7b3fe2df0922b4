import type { CaseCreated, FieldReportIn, VisitCreate, VisitRead } from '@/kit/api'
import { request } from '@/kit/http'

/** 入户走访: recorded once per key; without a network it waits in the outbox. */
export function record(body: VisitCreate, key: string): Promise<VisitRead> {
  return request<VisitRead>('intake', '/v1/visits', {
    method: 'POST',
    json: body,
    headers: { 'Idempotency-Key': key },
    queue: { kind: 'visit', subject: body.address },
  })
}

/** A problem found on the visit: a case at the household's address. */
export function report(visitId: string, body: FieldReportIn, key: string): Promise<CaseCreated> {
  return request<CaseCreated>('intake', `/v1/visits/${encodeURIComponent(visitId)}/reports`, {
    method: 'POST',
    json: body,
    headers: { 'Idempotency-Key': key },
  })
}

/** "One household, one file": every visit to the address in my area, oldest first. */
export function householdFile(address: string): Promise<VisitRead[]> {
  return request<VisitRead[]>('intake', '/v1/visits', { query: { address }, offline: true })
}
