import type {
  AttachmentRead,
  CaseDetail,
  ClockRead,
  ExtensionIn,
  PhrasesList,
  ReporterPhoneRead,
} from '@/kit/api'
import { apiUrl, newIdempotencyKey, request } from '@/kit/http'
import { remember } from '@/kit/offline'
import type { OutboxSpec } from '@/outbox/outbox'

export function getCase(id: string): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}`, { offline: true })
}

/** The case's clocks (escalation); the last answer is kept and shown offline. */
export function getClocks(id: string): Promise<ClockRead[]> {
  return request<ClockRead[]>('escalation', `/v1/cases/${encodeURIComponent(id)}/clocks`, { offline: true })
}

/** After an action, the case as it now is becomes what is shown offline. */
export function keepForOffline(detail: CaseDetail): void {
  remember(apiUrl('dispatch', `/v1/cases/${encodeURIComponent(detail.id)}`), detail)
}

function ifMatch(version: number): Record<string, string> {
  return { 'If-Match': `"${version}"` }
}

/** 签收 */
export function accept(id: string, version: number): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/accept`, {
    method: 'POST',
    queue: { kind: 'accept', caseId: id },
    headers: ifMatch(version),
  })
}

/** 退单 */
export function returnCase(id: string, version: number, reason: string): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/return`, {
    method: 'POST',
    queue: { kind: 'return', caseId: id },
    headers: ifMatch(version),
    json: { reason },
  })
}

export interface EvidencePhoto {
  url: string
  kind: 'before' | 'after'
}

/** 办结: the note, the URLs of the uploaded photos, and which shows the site before and
 * which after the work. */
export function resolve(
  id: string,
  version: number,
  note: string,
  evidence: string[],
  photos: EvidencePhoto[] = [],
): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/resolve`, {
    method: 'POST',
    queue: { kind: 'resolve', caseId: id },
    headers: ifMatch(version),
    json: { note, evidence, photos },
  })
}

/** An offline 办结 for the outbox: the photos are uploaded when it is sent, and their
 * URLs and kinds put in `photos` (outbox/photos.ts). */
export function resolveSpec(id: string, version: number, note: string): OutboxSpec {
  return {
    kind: 'resolve',
    service: 'dispatch',
    path: `/v1/cases/${encodeURIComponent(id)}/resolve`,
    headers: { ...ifMatch(version), 'Idempotency-Key': newIdempotencyKey() },
    json: { note, evidence: [], photos: [] },
    caseId: id,
  }
}

/** Uploads a photo to intake's attachments; a resolve refers to it by its `url`. */
export function uploadPhoto(photo: Blob, key: string): Promise<AttachmentRead> {
  const form = new FormData()
  form.append('file', photo, 'photo.jpg')
  return request<AttachmentRead>('intake', '/v1/attachments', {
    method: 'POST',
    form,
    headers: { 'Idempotency-Key': key },
  })
}

/** An attachment's bytes, through the one origin (its stored URL may name intake itself). */
export function downloadAttachment(url: string): Promise<Blob> {
  const name = url.split('/').pop() ?? ''
  return request<Blob>('intake', `/v1/attachments/${encodeURIComponent(name)}`, { blob: true })
}

/** 首次联系: the grid member has reached the resident (an optional note). */
export function contact(id: string, version: number, note: string | null): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/contact`, {
    method: 'POST',
    queue: { kind: 'contact', caseId: id },
    headers: ifMatch(version),
    json: { note },
  })
}

/** 申请延期: more time, until a moment in the future, with the reason. */
export function requestExtension(
  id: string,
  version: number,
  body: ExtensionIn,
): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/extension`, {
    method: 'POST',
    queue: { kind: 'extension', caseId: id },
    headers: ifMatch(version),
    json: body,
  })
}

/** The resident's number, for the case's assignee to call (首次联系); dispatch puts each
 * reveal on the case's timeline. Never kept for offline reading. */
export function revealReporterPhone(id: string): Promise<ReporterPhoneRead> {
  return request<ReporterPhoneRead>(
    'dispatch',
    `/v1/cases/${encodeURIComponent(id)}/reporter-phone`,
    { method: 'POST' },
  )
}

/** 常用语 for one action: the phrases the grid member's unit and the areas above it keep
 * (dispatch's GET /v1/phrases), the widest unit's first, each once. The last answer is
 * kept and used offline. */
export function phrasesFor(action: 'return'): Promise<string[]> {
  return request<PhrasesList>('dispatch', '/v1/phrases', { query: { action }, offline: true }).then(
    managedPhrases,
  )
}

export function managedPhrases(answer: PhrasesList): string[] {
  return [...new Set(answer.items.flatMap((item) => item.phrases))]
}
