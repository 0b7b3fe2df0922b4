// Photos taken without a network (办结's before/after), kept on the phone in IndexedDB
// until the action they belong to is sent: localStorage holds the outbox's entries,
// but not blobs of a few hundred KB. Each photo has its own Idempotency-Key (its id), so
// an upload repeated after a lost answer is stored once by intake.

export interface QueuedPhoto {
  /** The photo's key in IndexedDB, and its upload's Idempotency-Key. */
  id: string
  kind: 'before' | 'after'
}

export interface PhotoStorage {
  put(id: string, photo: Blob): Promise<void>
  get(id: string): Promise<Blob | null>
  delete(ids: readonly string[]): Promise<void>
}

const DATABASE = 'gridcase-outbox'
const STORE = 'photos'

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1)
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE)
    opening.onsuccess = () => {
      resolve(opening.result)
    }
    opening.onerror = () => {
      reject(opening.error ?? new Error('indexedDB'))
    }
  })
}

async function transact<T>(
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest | null,
): Promise<T | undefined> {
  const db = await open()
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, mode)
      const request = work(tx.objectStore(STORE))
      tx.oncomplete = () => {
        resolve(request ? (request.result as T) : undefined)
      }
      tx.onerror = () => {
        reject(tx.error ?? new Error('indexedDB'))
      }
      tx.onabort = () => {
        reject(tx.error ?? new Error('indexedDB'))
      }
    })
  } finally {
    db.close()
  }
}

export const indexedDbPhotos: PhotoStorage = {
  async put(id, photo) {
    await transact('readwrite', (store) => store.put(photo, id))
  },
  async get(id) {
    const found = await transact<unknown>('readonly', (store) => store.get(id))
    return found instanceof Blob ? found : null
  },
  async delete(ids) {
    await transact('readwrite', (store) => {
      for (const id of ids) store.delete(id)
      return null
    })
  },
}

/** The body of an action whose photos wait on the phone: each photo uploaded (once: its
 * key), then its URL and kind put where the action expects them (`photos`). */
export async function withUploadedPhotos(
  json: unknown,
  photos: readonly QueuedPhoto[],
  load: (id: string) => Promise<Blob | null>,
  upload: (photo: Blob, key: string) => Promise<{ url: string }>,
): Promise<unknown> {
  const uploaded: { url: string; kind: QueuedPhoto['kind'] }[] = []
  for (const photo of photos) {
    const blob = await load(photo.id)
    if (!blob) throw new MissingPhoto(photo.id)
    uploaded.push({ url: (await upload(blob, photo.id)).url, kind: photo.kind })
  }
  return { ...(json as Record<string, unknown>), photos: uploaded }
}

/** A queued photo is gone from the phone (storage cleared): the action cannot be sent. */
export class MissingPhoto extends Error {
  constructor(readonly id: string) {
    super(`photo ${id} is no longer on this phone`)
    this.name = 'MissingPhoto'
  }
}
