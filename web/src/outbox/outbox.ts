// The outbox: actions taken without a network (签收, 首次联系, 退单, 办结, 申请延期, patrol
// points, a household visit) wait here, on the phone, and are sent when it returns.
//
// Each entry is the request as it would have been sent — with its If-Match version (the
// case as the person saw it) and the Idempotency-Key made when the person tapped (its
// first try carried it too) — so a resend after a lost answer does nothing twice: intake
// and dispatch replay the key's first answer instead of acting again, and a case that
// moved meanwhile is a 409/412. Entries are kept in localStorage (a reload or a closed
// app loses nothing) and sent one at a time, oldest first, by one flush at a time across
// the app's pages (Web Locks). A network failure keeps the entry and waits longer before
// the next try (backoff); a 409/412 marks it a conflict (the case moved meanwhile) for
// the person to see; any other refusal marks it refused, with what the service said.
import { newIdempotencyKey, type Service } from '@/kit/http'

import type { QueuedPhoto } from './photos'

export type OutboxKind =
  | 'accept'
  | 'contact'
  | 'return'
  | 'resolve'
  | 'extension'
  | 'track'
  | 'patrolEnd'
  | 'patrolReport'
  | 'visit'

export type OutboxState = 'waiting' | 'conflict' | 'refused'

export interface OutboxSpec {
  kind: OutboxKind
  service: Service
  path: string
  headers: Record<string, string>
  json?: unknown
  /** The case it acts on, for the conflict message and to refresh the case page. */
  caseId?: string
  /** What the person recognises it by (a case's words, an address). */
  subject?: string
  /** Photos taken offline (kept in IndexedDB, outbox/photos.ts): uploaded when the entry
   * is sent, before the action that refers to them. */
  photos?: QueuedPhoto[]
}

export interface OutboxEntry extends OutboxSpec {
  id: string
  owner: string
  createdAt: string
  attempts: number
  /** Not sent again before this moment (ms since the epoch). */
  notBefore: number
  state: OutboxState
  problem?: { status: number; detail: string; currentStatus: string | null }
}

/** How the outcome of one send is told apart. */
export interface SendFailure {
  /** true: the network or the service is away (try again later). */
  retry: boolean
  /** true: 409/412, the case moved meanwhile. */
  conflict: boolean
  status: number
  detail: string
  currentStatus: string | null
}

export type Sender = (entry: OutboxEntry) => Promise<unknown>
export type Classify = (error: unknown) => SendFailure

export interface EntryStorage {
  load(): OutboxEntry[]
  save(entries: OutboxEntry[]): void
}

export const STORAGE_KEY = 'gridcase.outbox'
export const MAX_BACKOFF_MS = 60_000

export function localEntryStorage(key = STORAGE_KEY): EntryStorage {
  return {
    load() {
      try {
        const raw: unknown = JSON.parse(localStorage.getItem(key) ?? '[]')
        return Array.isArray(raw) ? (raw as OutboxEntry[]) : []
      } catch {
        return []
      }
    },
    save(entries) {
      localStorage.setItem(key, JSON.stringify(entries))
    },
  }
}

/** 1 s, 2 s, 4 s … at most a minute. */
export function backoff(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1))
}

export const newKey = newIdempotencyKey

export interface Sent {
  entry: OutboxEntry
  body: unknown
}

/** Runs `task` while no other flush runs — in this page or in another page or tab of
 * the app (they share the stored entries). */
export type Exclusive = <T>(task: () => Promise<T>) => Promise<T>

export const LOCK_NAME = 'gridcase.outbox'

/** The Web Locks API where the browser has it (every current one does), so two pages of
 * the app never send the same entry at once; otherwise this page's own guard only. */
export function browserExclusive(): Exclusive {
  // Typed as optional: an older browser, or a test's DOM, has none.
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  if (!locks) return (task) => task()
  return <T>(task: () => Promise<T>) => locks.request(LOCK_NAME, () => task()) as Promise<T>
}

export class Outbox {
  private entries: OutboxEntry[]
  private flushing: Promise<Sent[]> | null = null
  private again = false
  private wakes = 0

  constructor(
    private readonly storage: EntryStorage,
    private readonly now: () => number = Date.now,
    private readonly exclusive: Exclusive = (task) => task(),
  ) {
    this.entries = storage.load()
  }

  list(): readonly OutboxEntry[] {
    return this.entries
  }

  /** What another page of the app stored meanwhile. */
  reload(): void {
    this.entries = this.storage.load()
  }

  /** Keeps the action; it carries an Idempotency-Key (its id) whatever the service. */
  add(spec: OutboxSpec, owner: string): OutboxEntry {
    const id = spec.headers['Idempotency-Key'] ?? newKey()
    const entry: OutboxEntry = {
      ...spec,
      headers: { ...spec.headers, 'Idempotency-Key': id },
      id,
      owner,
      createdAt: new Date(this.now()).toISOString(),
      attempts: 0,
      notBefore: 0,
      state: 'waiting',
    }
    this.change((entries) => [...entries.filter((e) => e.id !== id), entry])
    return entry
  }

  /** The person has read the conflict or refusal: it goes. */
  dismiss(id: string): void {
    this.change((entries) => entries.filter((e) => e.id !== id || e.state === 'waiting'))
  }

  /** The network is back: waiting entries may go now, whatever their backoff said. */
  wake(): void {
    this.wakes += 1
    this.again = this.flushing !== null
    this.change((entries) =>
      entries.map((e) => (e.state === 'waiting' ? { ...e, notBefore: 0 } : e)),
    )
  }

  /** When the next waiting entry of `owner` may be tried, or null when none waits. */
  nextDue(owner: string): number | null {
    // The first in line decides: the others are sent after it.
    const first = this.entries.find((e) => e.owner === owner && e.state === 'waiting')
    return first ? first.notBefore : null
  }

  /** Sends the due entries of `owner`, oldest first. One flush at a time: a call while
   * one runs gets the running one, which then looks once more (the network may have
   * returned while its last try failed); and across pages of the app, one at a time
   * (`exclusive`), each reading the stored entries afresh — so an entry is never in
   * flight twice. */
  flush(owner: string, send: Sender, classify: Classify): Promise<Sent[]> {
    if (this.flushing) {
      this.again = true
      return this.flushing
    }
    this.flushing = this.flushAll(owner, send, classify).finally(() => {
      this.flushing = null
    })
    return this.flushing
  }

  private async flushAll(owner: string, send: Sender, classify: Classify): Promise<Sent[]> {
    const sent: Sent[] = []
    do {
      this.again = false
      sent.push(...(await this.exclusive(() => this.run(owner, send, classify))))
    } while (this.askedAgain())
    return sent
  }

  /** Whether a flush or a wake came while the last run ran. */
  private askedAgain(): boolean {
    return this.again
  }

  private async run(owner: string, send: Sender, classify: Classify): Promise<Sent[]> {
    const sent: Sent[] = []
    this.reload() // another page may have sent (or added) entries before this one held the lock
    for (;;) {
      // In order: a later action waits for an earlier one that waits for its retry.
      const entry = this.entries.find((e) => e.owner === owner && e.state === 'waiting')
      if (!entry || entry.notBefore > this.now()) return sent
      const wakes = this.wakes
      try {
        const body = await send(entry)
        this.change((entries) => entries.filter((e) => e.id !== entry.id))
        sent.push({ entry, body })
      } catch (error) {
        const failure = classify(error)
        if (failure.retry) {
          const attempts = entry.attempts + 1
          // A try that fails after the network came back (it left before) waits no backoff.
          const wait = this.wakes === wakes ? backoff(attempts) : 0
          this.update(entry.id, { attempts, notBefore: this.now() + wait })
          return sent // the network is away: the rest waits too, in order
        }
        this.update(entry.id, {
          state: failure.conflict ? 'conflict' : 'refused',
          problem: {
            status: failure.status,
            detail: failure.detail,
            currentStatus: failure.currentStatus,
          },
        })
      }
    }
  }

  /** Every change starts from the stored entries (another page may have added one) and
   * is stored at once (a reload or a closed app loses nothing). */
  private change(edit: (entries: OutboxEntry[]) => OutboxEntry[]): void {
    this.entries = edit(this.storage.load())
    this.storage.save(this.entries)
  }

  private update(id: string, change: Partial<OutboxEntry>): void {
    this.change((entries) => entries.map((e) => (e.id === id ? { ...e, ...change } : e)))
  }
}
