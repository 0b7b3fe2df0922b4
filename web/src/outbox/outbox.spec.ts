import { describe, expect, it } from 'vitest'

import {
  backoff,
  type EntryStorage,
  type Exclusive,
  Outbox,
  type OutboxEntry,
  type OutboxSpec,
  type SendFailure,
} from './outbox'

function memory(initial: OutboxEntry[] = []): EntryStorage & { saved: OutboxEntry[] } {
  const box = {
    saved: initial,
    load: () => structuredClone(box.saved),
    save: (entries: OutboxEntry[]) => {
      box.saved = structuredClone(entries)
    },
  }
  return box
}

const ACCEPT: OutboxSpec = {
  kind: 'accept',
  service: 'dispatch',
  path: '/v1/cases/c-1/accept',
  headers: { 'If-Match': '"3"' },
  caseId: 'c-1',
  subject: '路灯不亮',
}
const VISIT: OutboxSpec = {
  kind: 'visit',
  service: 'intake',
  path: '/v1/visits',
  headers: { 'Idempotency-Key': 'web-visit-key-1' },
  json: { address: '桂花路1号', notes: '独居老人，身体尚可' },
}

class Failure extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure.detail)
  }
}
const NETWORK = new Failure({
  retry: true,
  conflict: false,
  status: 0,
  detail: 'offline',
  currentStatus: null,
})
const CONFLICT = new Failure({
  retry: false,
  conflict: true,
  status: 412,
  detail: 'version 3 is stale',
  currentStatus: 'accepted',
})
const classify = (error: unknown): SendFailure => (error as Failure).failure

describe('Outbox', () => {
  it('keeps what was queued across a reload, with its version and an Idempotency-Key', () => {
    const storage = memory()
    new Outbox(storage).add(ACCEPT, 'm-1')

    const reloaded = new Outbox(storage).list()

    expect(reloaded).toHaveLength(1)
    expect(reloaded[0]?.headers['If-Match']).toBe('"3"')
    expect(reloaded[0]?.headers['Idempotency-Key']).toMatch(/^web-[0-9a-f]{32}$/)
    expect(reloaded[0]?.state).toBe('waiting')
  })

  it('keeps a given Idempotency-Key, and queuing the same key twice keeps one entry', () => {
    const outbox = new Outbox(memory())
    outbox.add(VISIT, 'm-1')
    outbox.add(VISIT, 'm-1')
    expect(outbox.list().map((e) => e.id)).toEqual(['web-visit-key-1'])
  })

  it('sends in order, once, and forgets what was sent', async () => {
    const storage = memory()
    const outbox = new Outbox(storage)
    outbox.add(ACCEPT, 'm-1')
    outbox.add(VISIT, 'm-1')
    const sent: string[] = []
    const send = (entry: OutboxEntry) => {
      sent.push(entry.kind)
      return Promise.resolve({ ok: entry.kind })
    }

    // Two "online" events at once: one flush runs.
    const [first, second] = await Promise.all([
      outbox.flush('m-1', send, classify),
      outbox.flush('m-1', send, classify),
    ])

    expect(sent).toEqual(['accept', 'visit'])
    expect(first).toBe(second)
    expect(first.map((s) => s.body)).toEqual([{ ok: 'accept' }, { ok: 'visit' }])
    expect(new Outbox(storage).list()).toEqual([])
  })

  it('two pages of the app sharing the stored queue send each entry once', async () => {
    const storage = memory()
    // One lock for both pages, as the browser's Web Locks are for the origin.
    let held: Promise<unknown> = Promise.resolve()
    const exclusive: Exclusive = <T>(task: () => Promise<T>) => {
      const run = held.then(task)
      held = run.catch(() => undefined)
      return run
    }
    const tab = new Outbox(storage, Date.now, exclusive)
    tab.add(ACCEPT, 'm-1')
    tab.add(VISIT, 'm-1')
    const other = new Outbox(storage, Date.now, exclusive) // opened after both were queued
    const sent: string[] = []
    const send = async (entry: OutboxEntry) => {
      sent.push(entry.id)
      await new Promise((resolve) => setTimeout(resolve, 5))
      return null
    }

    // The network returns: both pages get their "online" event.
    await Promise.all([tab.flush('m-1', send, classify), other.flush('m-1', send, classify)])

    expect(sent).toHaveLength(2)
    expect(new Set(sent).size).toBe(2)
    expect(storage.load()).toEqual([])
  })

  it('looks again when the network returns while a try is failing', async () => {
    const outbox = new Outbox(memory())
    outbox.add(ACCEPT, 'm-1')
    let online = false
    let failing: () => void = () => undefined
    const send = (entry: OutboxEntry) => {
      if (online) return Promise.resolve({ ok: entry.kind })
      return new Promise((_resolve, reject) => {
        failing = () => {
          reject(NETWORK)
        }
      })
    }

    const flushing = outbox.flush('m-1', send, classify) // a retry, in flight
    online = true
    outbox.wake() // the online event, while that try still runs …
    const again = outbox.flush('m-1', send, classify)
    failing() // … and fails: it was sent before the network came back

    const sent = await flushing
    expect(await again).toBe(sent)
    expect(sent.map((s) => s.body)).toEqual([{ ok: 'accept' }]) // not left to its backoff
    expect(outbox.list()).toEqual([])
  })

  it('waits with backoff while the network is away, and keeps the order', async () => {
    let now = 1_000_000
    const outbox = new Outbox(memory(), () => now)
    outbox.add(ACCEPT, 'm-1')
    outbox.add(VISIT, 'm-1')
    const tried: string[] = []
    const offline = (entry: OutboxEntry) => {
      tried.push(entry.kind)
      return Promise.reject(NETWORK)
    }

    await outbox.flush('m-1', offline, classify)
    await outbox.flush('m-1', offline, classify) // too early: not tried
    expect(tried).toEqual(['accept'])
    expect(outbox.nextDue('m-1')).toBe(now + 1000)

    now += 1000
    await outbox.flush('m-1', offline, classify)
    expect(tried).toEqual(['accept', 'accept'])
    expect(outbox.list()[0]?.attempts).toBe(2)
    expect(outbox.nextDue('m-1')).toBe(now + 2000)

    outbox.wake() // the online event: try now
    const sent = await outbox.flush('m-1', () => Promise.resolve(null), classify)
    expect(sent.map((s) => s.entry.kind)).toEqual(['accept', 'visit'])
  })

  it('marks a conflict for the person to see, and goes on with the rest', async () => {
    const outbox = new Outbox(memory())
    outbox.add(ACCEPT, 'm-1')
    outbox.add(VISIT, 'm-1')

    const sent = await outbox.flush(
      'm-1',
      (entry) => (entry.kind === 'accept' ? Promise.reject(CONFLICT) : Promise.resolve(null)),
      classify,
    )

    expect(sent.map((s) => s.entry.kind)).toEqual(['visit'])
    const [conflict] = outbox.list()
    expect(conflict?.state).toBe('conflict')
    expect(conflict?.problem).toEqual({
      status: 412,
      detail: 'version 3 is stale',
      currentStatus: 'accepted',
    })
    // Not sent again.
    expect(await outbox.flush('m-1', () => Promise.reject(new Error('no')), classify)).toEqual([])
    outbox.dismiss(conflict?.id ?? '')
    expect(outbox.list()).toEqual([])
  })

  it("sends only the signed-in person's entries, and dismiss leaves waiting ones", async () => {
    const outbox = new Outbox(memory())
    const theirs = outbox.add(ACCEPT, 'm-2')
    const sent = await outbox.flush('m-1', () => Promise.resolve(null), classify)
    expect(sent).toEqual([])
    outbox.dismiss(theirs.id)
    expect(outbox.list()).toHaveLength(1)
    expect(outbox.nextDue('m-1')).toBeNull()
  })

  it('backs off 1, 2, 4 … seconds, at most a minute', () => {
    expect([1, 2, 3, 7, 20].map(backoff)).toEqual([1000, 2000, 4000, 60_000, 60_000])
  })
})
