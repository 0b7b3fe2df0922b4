// The outbox: actions taken without a network (签收, 首次联系, 退单, 办结, 申请延期, patrol
// points, a household visit) wait here, on the phone, and are sent when it returns.
//
// Each entry is the request as it would have been sent — with its If-Match version (the
// case as the person saw it) and an Idempotency-Key — so a resend after a lost answer
// does nothing twice: intake replays the key's first answer, dispatch refuses a stale
// version (412/409) instead of acting again. Entries are kept in localStorage (a reload
// or a closed app loses nothing) and sent one at a time, oldest first, by one flush at a
// time. A network failure keeps the entry and waits longer before the next try (backoff);
// a 409/412 marks it a conflict (the case moved meanwhile) for the person to see; any
// other refusal marks it refused, with what the service said.
import type { Service } from '@/kit/http'

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

export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export interface Sent {
  entry: OutboxEntry
  body: unknown
}

export class Outbox {
  private entries: OutboxEntry[]
  private flushing: Promise<Sent[]> | null = null

  constructor(
    private readonly storage: EntryStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = storage.load()
  }

  list(): readonly OutboxEntry[] {
    return this.entries
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
    this.entries = [...this.entries.filter((e) => e.id !== id), entry]
    this.storage.save(this.entries)
    return entry
  }

  /** The person has read the conflict or refusal: it goes. */
  dismiss(id: string): void {
    this.entries = this.entries.filter((e) => e.id !== id || e.state === 'waiting')
    this.storage.save(this.entries)
  }

  /** The network is back: waiting entries may go now, whatever their backoff said. */
  wake(): void {
    this.entries = this.entries.map((e) => (e.state === 'waiting' ? { ...e, notBefore: 0 } : e))
    this.storage.save(this.entries)
  }

  /** When the next waiting entry of `owner` may be tried, or null when none waits. */
  nextDue(owner: string): number | null {
    // The first in line decides: the others are sent after it.
    const first = this.entries.find((e) => e.owner === owner && e.state === 'waiting')
    return first ? first.notBefore : null
  }

  /** Sends the due entries of `owner`, oldest first; one flush at a time (a second call
   * while one runs gets the running one), so an entry is never in flight twice. */
  flush(owner: string, send: Sender, classify: Classify): Promise<Sent[]> {
    this.flushing ??= this.run(owner, send, classify).finally(() => {
      this.flushing = null
    })
    return this.flushing
  }

  private async run(owner: string, send: Sender, classify: Classify): Promise<Sent[]> {
    const sent: Sent[] = []
    for (;;) {
      // In order: a later action waits for an earlier one that waits for its retry.
      const entry = this.entries.find((e) => e.owner === owner && e.state === 'waiting')
      if (!entry || entry.notBefore > this.now()) return sent
      try {
        const body = await send(entry)
        this.entries = this.entries.filter((e) => e.id !== entry.id)
        this.storage.save(this.entries)
        sent.push({ entry, body })
      } catch (error) {
        const failure = classify(error)
        if (failure.retry) {
          const attempts = entry.attempts + 1
          this.update(entry.id, { attempts, notBefore: this.now() + backoff(attempts) })
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

  private update(id: string, change: Partial<OutboxEntry>): void {
    this.entries = this.entries.map((e) => (e.id === id ? { ...e, ...change } : e))
    this.storage.save(this.entries)
  }
}
