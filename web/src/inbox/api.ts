import type { components } from '@/kit/api/generated/notify'
import { apiUrl, CORRELATION_HEADER, newCorrelationId, request, toApiError } from '@/kit/http'

export type InboxItem = components['schemas']['InboxItemRead']

export function latest(limit = 20): Promise<InboxItem[]> {
  return request<InboxItem[]>('notify', '/v1/inbox', { query: { limit } })
}

/** Opens my live inbox stream after `afterId` (the answer's body is the event stream). */
export async function openStream(
  token: string,
  afterId: number,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const correlationId = newCorrelationId()
  const response = await fetch(apiUrl('notify', '/v1/inbox/stream'), {
    headers: {
      Accept: 'text/event-stream',
      Authorization: `Bearer ${token}`,
      'Last-Event-ID': String(afterId),
      [CORRELATION_HEADER]: correlationId,
    },
    signal,
    cache: 'no-store',
  })
  if (!response.ok || !response.body) throw await toApiError(response, correlationId)
  return response.body
}
