// Notify's delivery records for ops (通知投递, docs: web/openapi/notify.json): the failed or
// pending deliveries, and sending failed ones again. Recipients come masked from the API.
import type { components } from '@/kit/api/generated/notify'
import { request } from '@/kit/http'

type Schemas = components['schemas']
export type Delivery = Schemas['DeliveryRead']
export type BulkResend = Schemas['BulkResendRead']
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed' | 'skipped' | 'digested'

export const STATUSES: DeliveryStatus[] = ['failed', 'pending', 'sending', 'delivered', 'skipped', 'digested']

export function listDeliveries(status: DeliveryStatus, limit = 100): Promise<Delivery[]> {
  return request<Delivery[]>('notify', '/v1/deliveries', { query: { status, limit } })
}

/** Sends one failed delivery again; the answer is the new delivery. */
export function resendOne(id: string): Promise<Delivery> {
  return request<Delivery>('notify', `/v1/deliveries/${encodeURIComponent(id)}/resend`, { method: 'POST' })
}

/** Sends again every failed delivery of a channel (or of all channels). */
export function resendMatching(channel: string): Promise<BulkResend> {
  return request<BulkResend>('notify', '/v1/deliveries:resend', {
    method: 'POST',
    json: channel ? { channel } : {},
  })
}

/** The notifications sent to one person (`staff:<id>`), newest first: admins and ops see
 * anyone's, everyone else only their own (403). The address comes masked. */
export function recipientDeliveries(recipientId: string, offset = 0, limit = 50): Promise<Delivery[]> {
  return request<Delivery[]>('notify', `/v1/recipients/${encodeURIComponent(recipientId)}/deliveries`, {
    query: { limit, offset },
  })
}
