import { defineStore } from 'pinia'
import { shallowRef } from 'vue'

import { ApiError, configureQueue, request } from '@/kit/http'

import {
  browserExclusive,
  localEntryStorage,
  STORAGE_KEY,
  Outbox,
  type OutboxEntry,
  type OutboxSpec,
  type Sent,
  type SendFailure,
} from './outbox'

const RETRY: ReadonlySet<ApiError['kind']> = new Set([
  'network',
  'unavailable',
  'server',
  'rate_limited',
  'queued',
])

export function classify(error: unknown): SendFailure {
  if (!(error instanceof ApiError)) {
    return { retry: true, conflict: false, status: 0, detail: String(error), currentStatus: null }
  }
  return {
    retry: RETRY.has(error.kind),
    conflict: error.status === 409 || error.status === 412,
    status: error.status,
    detail: error.detail,
    currentStatus: error.current?.status ?? null,
  }
}

function send(entry: OutboxEntry): Promise<unknown> {
  return request<unknown>(entry.service, entry.path, {
    method: 'POST',
    headers: entry.headers,
    json: entry.json,
  })
}

/** The outbox of the signed-in person: what waits, and sending it when the network
 * returns (the online event, and retries with backoff while it stays away). */
export const useOutboxStore = defineStore('outbox', () => {
  const outbox = new Outbox(localEntryStorage(), Date.now, browserExclusive())
  const entries = shallowRef<readonly OutboxEntry[]>(outbox.list())
  const listeners = new Set<(sent: Sent) => void>()
  let owner: string | null = null
  let timer: number | undefined

  function changed(): void {
    entries.value = [...outbox.list()]
  }

  function schedule(): void {
    window.clearTimeout(timer)
    timer = undefined
    if (!owner) return
    const due = outbox.nextDue(owner)
    if (due === null) return
    timer = window.setTimeout(() => void flush(), Math.max(0, due - Date.now()))
  }

  async function flush(): Promise<void> {
    if (!owner) return
    const sent = await outbox.flush(owner, send, classify)
    changed()
    for (const item of sent) for (const listener of listeners) listener(item)
    schedule()
  }

  function add(spec: OutboxSpec): OutboxEntry | null {
    if (!owner) return null
    const entry = outbox.add(spec, owner)
    changed()
    schedule()
    return entry
  }

  function online(): void {
    outbox.wake()
    void flush()
  }

  // Another page of the app queued or sent something: show it here too.
  function stored(event: StorageEvent): void {
    if (event.key !== STORAGE_KEY) return
    outbox.reload()
    changed()
  }

  /** Starts sending for `who` (the token's subject); null stops. */
  function start(who: string | null): void {
    owner = who
    window.removeEventListener('online', online)
    window.removeEventListener('storage', stored)
    if (who) {
      window.addEventListener('online', online)
      window.addEventListener('storage', stored)
      configureQueue((spec) => {
        add(spec)
      })
      void flush()
    } else {
      configureQueue(null)
      window.clearTimeout(timer)
    }
  }

  function dismiss(id: string): void {
    outbox.dismiss(id)
    changed()
  }

  /** Called with each entry sent (and the service's answer); returns the unsubscribe. */
  function onSent(listener: (sent: Sent) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  function mine(): OutboxEntry[] {
    return entries.value.filter((e) => e.owner === owner)
  }

  return { entries, add, start, flush, dismiss, onSent, mine }
})
