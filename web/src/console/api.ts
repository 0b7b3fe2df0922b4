// The dispatcher's desk: dispatch's operators' case API (README "The dispatcher's desk").
import type { CaseDetail } from '@/kit/api'
import type { components } from '@/kit/api/generated/dispatch'
import { request } from '@/kit/http'

type Schemas = components['schemas']
export type QueueRead = Schemas['QueueRead']
export type CaseRow = Schemas['CaseRow']
export type CasePage = Schemas['CasePage']
export type DispatchIn = Schemas['DispatchIn']
export type PhrasesList = Schemas['PhrasesList']
export type Sla = NonNullable<CaseRow['sla']>

export function listQueues(): Promise<QueueRead[]> {
  return request<Schemas['QueuesRead']>('dispatch', '/v1/queues').then((answer) => answer.items)
}

/** A queue's filter or a search, as the query of GET /v1/cases. */
export function searchCases(query: Record<string, string | string[] | undefined>): Promise<CasePage> {
  return request<CasePage>('dispatch', '/v1/cases', { query })
}

/** 派遣: to a grid, a community or a department, with a reason. */
export function dispatchCase(id: string, version: number, body: DispatchIn): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}/dispatch`, {
    method: 'POST',
    headers: { 'If-Match': `"${version}"` },
    json: body,
    idempotent: true, // one key per click: a click sent twice acts once
  })
}

export function dispatchPhrases(): Promise<string[]> {
  return request<PhrasesList>('dispatch', '/v1/phrases', { query: { action: 'dispatch' } }).then(
    (answer) => [...new Set(answer.items.flatMap((item) => item.phrases))],
  )
}

export interface Grid {
  code: string
  name: string
}

interface AreaFeature {
  properties: { code: string; name: string }
}

/** The grids to dispatch to (areas.geojson at level grid), by name. */
export function listGrids(): Promise<Grid[]> {
  return request<{ features: AreaFeature[] }>('dispatch', '/v1/directory/areas.geojson', {
    query: { level: 'grid' },
  }).then((answer) =>
    answer.features
      .map((f) => ({ code: f.properties.code, name: f.properties.name }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
  )
}

export function getCase(id: string): Promise<CaseDetail> {
  return request<CaseDetail>('dispatch', `/v1/cases/${encodeURIComponent(id)}`)
}
