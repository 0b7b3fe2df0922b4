import { defineStore } from 'pinia'
import { shallowRef } from 'vue'

import { ApiError, configureQueue, IDEMPOTENCY_HEADER, request } from '@/kit/http'

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
import { indexedDbPhotos, MissingPhoto, withUploadedPhotos } from './photos'

const RETRY: ReadonlySet<ApiError['kind']> = new Set([
  'network',
  'unavailable',
  'server',
  'rate_limited',
  'queued',
])

export function classify(error: unknown): SendFailure {
  if (error instanceof MissingPhoto) {
    return { retry: false, conflict: false, status: 0, detail: error.message, currentStatus: null }
  }
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

function uploadPhoto(photo: Blob, key: string): Promise<{ url: string }> {
  const form = new FormData()
  form.append('file', photo, 'photo.jpg')
  return request<{ url: string }>('intake', '/v1/attachments', {
    method: 'POST',
    form,
    headers: { [IDEMPOTENCY_HEADER]: key },
  })
}

async function send(entry: OutboxEntry): Promise<unknown> {
  const json = entry.photos?.length
    ? await withUploadedPhotos(entry.json, entry.photos, (id) => indexedDbPhotos.get(id), uploadPhoto)
    : entry.json
  return request<unknown>(entry.service, entry.path, {
    method: 'POST',
    headers: entry.headers,
    json,
  })
}

/** The photos an entry kept on the phone, once it is sent or dismissed. */
function forgetPhotos(entries: readonly OutboxEntry[]): void {
  const ids = entries.flatMap((e) => (e.photos ?? []).map((p) => p.id))
  if (ids.length) void indexedDbPhotos.delete(ids).catch(() => undefined)
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
    forgetPhotos(sent.map((item) => item.entry))
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
    forgetPhotos(outbox.list().filter((e) => e.id === id && e.state !== 'waiting'))
    outbox.dismiss(id)
    changed()
  }

  /** Called with each entry sent (and the service's answer); returns the unsubscribe. */
  function onSent(listener: (sent: Sent) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** Keeps photos taken offline for an entry about to be added (its `photos`). */
  async function keepPhotos(photos: readonly { id: string; blob: Blob }[]): Promise<void> {
    for (const photo of photos) await indexedDbPhotos.put(photo.id, photo.blob)
  }

  function mine(): OutboxEntry[] {
    return entries.value.filter((e) => e.owner === owner)
  }

  return { entries, add, start, flush, dismiss, onSent, mine, keepPhotos }
})
