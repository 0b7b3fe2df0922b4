// The one fetch wrapper: every API call goes through `request`, which adds the bearer
// token and an X-Correlation-Id, and turns error answers into an ApiError that says what
// a person can do about it (see `describeError` in kit/errors.ts).

import type { OutboxKind, OutboxSpec } from '@/outbox/outbox'

import { recall, rememberText, showingSaved } from './offline'

export type Service = 'intake' | 'dispatch' | 'escalation' | 'notify'

/** The services' correlation header (libs/events gridcase_events/kit/http.py). */
export const CORRELATION_HEADER = 'X-Correlation-Id'

export interface FieldProblem {
  field: string
  /** The server's own sentence (pydantic's English, or the service's words). */
  message: string
  /** pydantic's kind of refusal (`greater_than_equal`, `missing`…), or a service's own. */
  type?: string
  /** The refusal's values (`{ ge: 0 }`), for saying it in the reader's words. */
  ctx?: Record<string, unknown>
}

export type ErrorKind =
  | 'network'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'invalid'
  | 'rate_limited'
  | 'unavailable'
  | 'server'
  /** No network: the action was kept in the outbox and is sent when it returns. */
  | 'queued'

export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly status: number,
    readonly detail: string,
    readonly correlationId: string,
    readonly fields: FieldProblem[] = [],
    /** For a 409 on a case: where the case is now. */
    readonly current: { status: string | null; version: number | null } | null = null,
    /** For a 409 on a versioned setting: who saved it last, and when (ISO time). */
    readonly changed: { by: string; at: string } | null = null,
  ) {
    super(detail || kind)
    this.name = 'ApiError'
  }
}

/** What an action queued offline is (outbox/outbox.ts); the request adds the rest. */
export interface QueueAs {
  kind: OutboxKind
  caseId?: string
  subject?: string
}

let queueHandler: ((spec: OutboxSpec) => void) | null = null

/** The outbox store takes the actions that could not be sent (outbox/store.ts). */
export function configureQueue(handler: ((spec: OutboxSpec) => void) | null): void {
  queueHandler = handler
}

let tokenSource: () => string | null = () => null
let onUnauthorized: () => void = () => undefined

/** The auth store tells the wrapper where the token is and what to do on a 401. */
export function configureAuth(options: {
  token: () => string | null
  unauthorized: () => void
}): void {
  tokenSource = options.token
  onUnauthorized = options.unauthorized
}

export function newCorrelationId(): string {
  // crypto.getRandomValues works outside secure contexts too (a phone on a LAN address).
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key'

/** A fresh Idempotency-Key: one per action (a tap, a click), made before its first try. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function apiUrl(service: Service, path: string): string {
  return `/api/${service}${path}`
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Record<string, string | number | string[] | undefined>
  json?: unknown
  form?: FormData
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Return the body as a Blob (attachments) instead of parsing JSON. */
  blob?: boolean
  /** A GET whose last answer is kept and shown when offline (kit/offline.ts). */
  offline?: boolean
  /** An action that, without a network, waits in the outbox instead of failing (the
   * caller gets an ApiError of kind 'queued'). JSON bodies only: a photo is not kept. */
  queue?: QueueAs
  /** An action sent with an Idempotency-Key (made here unless `headers` carry one): a
   * repeat of it (a lost answer, a resend from the outbox) acts once. Implied by `queue`. */
  idempotent?: boolean
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

const KINDS: Record<number, ErrorKind> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'conflict',
  413: 'too_large',
  415: 'unsupported',
  422: 'invalid',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
}

interface ValidationItem {
  loc?: (string | number)[]
  msg?: string
  type?: unknown
  ctx?: unknown
}

export async function toApiError(response: Response, correlationId: string): Promise<ApiError> {
  const kind = KINDS[response.status] ?? (response.status >= 500 ? 'server' : 'invalid')
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  let detail = ''
  let fields: FieldProblem[] = []
  let current: ApiError['current'] = null
  let changed: ApiError['changed'] = null
  if (body !== null && typeof body === 'object' && 'detail' in body) {
    const raw = (body).detail
    if (typeof raw === 'string') {
      detail = raw
    } else if (Array.isArray(raw)) {
      fields = (raw as ValidationItem[]).map((item) => ({
        field: (item.loc ?? []).filter((part) => part !== 'body').join('.'),
        message: item.msg ?? '',
        ...(typeof item.type === 'string' ? { type: item.type } : {}),
        ...(typeof item.ctx === 'object' && item.ctx !== null ? { ctx: item.ctx as Record<string, unknown> } : {}),
      }))
      detail = fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ')
    }
    if ('version' in body) {
      const { status, version } = body as { status?: unknown; version?: unknown }
      current = {
        status: typeof status === 'string' ? status : null,
        version: typeof version === 'number' ? version : null,
      }
    }
    const { updated_at: at, updated_by: by } = body as { updated_at?: unknown; updated_by?: unknown }
    if (typeof at === 'string' && at) {
      changed = { by: typeof by === 'string' ? by : '', at }
    }
  }
  return new ApiError(
    kind,
    response.status,
    detail,
    response.headers.get(CORRELATION_HEADER) ?? correlationId,
    fields,
    current,
    changed,
  )
}

export async function request<T>(
  service: Service,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const correlationId = newCorrelationId()
  // The key is made before the first try and kept by the outbox: a tap whose request
  // reached the service though its answer was lost (the network going away mid-flight)
  // is then the same action as its resend, and dispatch replays instead of acting twice.
  const ownHeaders: Record<string, string> = { ...options.headers }
  if ((options.queue || options.idempotent) && !ownHeaders[IDEMPOTENCY_HEADER]) {
    ownHeaders[IDEMPOTENCY_HEADER] = newIdempotencyKey()
  }
  const headers: Record<string, string> = {
    Accept: options.blob ? '*/*' : 'application/json',
    [CORRELATION_HEADER]: correlationId,
    ...ownHeaders,
  }
  const token = tokenSource()
  if (token) headers.Authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (options.form) {
    body = options.form
  } else if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  }
  const url = apiUrl(service, path) + queryString(options.query)
  const keep = options.offline === true && (options.method ?? 'GET') === 'GET'
  let response: Response
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: options.signal ?? null,
      credentials: 'omit',
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    if (keep) {
      const saved = recall(url)
      if (saved.found) {
        showingSaved.value = true
        return saved.body as T
      }
    }
    if (options.queue && queueHandler && !options.form) {
      const kept = { ...ownHeaders }
      queueHandler({
        ...options.queue,
        service,
        path: path + queryString(options.query),
        headers: kept,
        json: options.json,
      })
      throw new ApiError('queued', 0, '', correlationId)
    }
    throw new ApiError('network', 0, error instanceof Error ? error.message : '', correlationId)
  }
  if (!response.ok) {
    const apiError = await toApiError(response, correlationId)
    if (apiError.kind === 'unauthorized' && token) onUnauthorized()
    throw apiError
  }
  if (options.blob) return (await response.blob()) as T
  if (response.status === 204) return undefined as T
  if (!keep) return (await response.json()) as T
  // Kept as the text it came in: parsed once here, written to storage after the paint.
  const text = await response.text()
  const answer: unknown = JSON.parse(text)
  rememberText(url, text)
  showingSaved.value = false
  return answer as T
}
