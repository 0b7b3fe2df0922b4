import { defineStore } from 'pinia'
import { ref } from 'vue'

import type { AttachmentRead, CaseDetail } from '@/kit/api'
import { ApiError } from '@/kit/http'
import { useOutboxStore } from '@/outbox/store'

import * as api from './api'

/** The case open on the case page, and the actions a grid member takes on it. */
export const useCaseStore = defineStore('case', () => {
  const current = ref<CaseDetail | null>(null)
  const loading = ref(false)

  // An action kept offline was sent: the case as it now is replaces the one shown.
  useOutboxStore().onSent(({ entry, body }) => {
    if (!entry.caseId || !body || typeof body !== 'object' || !('version' in body)) return
    const detail = body as CaseDetail
    api.keepForOffline(detail)
    if (current.value?.id === entry.caseId) current.value = detail
  })

  async function load(id: string): Promise<void> {
    loading.value = true
    try {
      current.value = await api.getCase(id)
    } finally {
      loading.value = false
    }
  }

  /** Runs an action with the version the person saw; on a conflict the case is reloaded
   * (so the page shows where it is now) and the error is rethrown for the message. */
  async function act(run: (c: CaseDetail) => Promise<CaseDetail>): Promise<void> {
    const seen = current.value
    if (!seen) return
    try {
      current.value = await run(seen)
      api.keepForOffline(current.value)
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'conflict') await load(seen.id)
      throw error
    }
  }

  const accept = () => act((c) => api.accept(c.id, c.version))
  const returnCase = (reason: string) => act((c) => api.returnCase(c.id, c.version, reason))

  const contact = (note: string | null) => act((c) => api.contact(c.id, c.version, note))
  const requestExtension = (until: Date, reason: string) =>
    act((c) => api.requestExtension(c.id, c.version, { until: until.toISOString(), reason }))

  /** 办结 with the before and after photos (uploaded to intake's attachments first).
   * Without a network the photos and the 办结 wait on the phone together (the outbox
   * uploads the photos, each once by its key, then sends the 办结 that names them). */
  async function resolve(
    note: string,
    photos: { before: Blob; after: Blob },
    uploadKey: string,
  ): Promise<void> {
    let before: AttachmentRead
    let after: AttachmentRead
    try {
      before = await api.uploadPhoto(photos.before, `${uploadKey}-before`)
      after = await api.uploadPhoto(photos.after, `${uploadKey}-after`)
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'network') await queueResolve(note, photos, uploadKey)
      throw error
    }
    await act((c) =>
      api.resolve(c.id, c.version, note, [], [
        { url: before.url, kind: 'before' },
        { url: after.url, kind: 'after' },
      ]),
    )
  }

  /** Keeps an offline 办结 and its photos; throws ApiError 'queued' when kept. */
  async function queueResolve(
    note: string,
    photos: { before: Blob; after: Blob },
    uploadKey: string,
  ): Promise<void> {
    const seen = current.value
    const outbox = useOutboxStore()
    if (!seen) return
    const kept = [
      { id: `${uploadKey}-before`, kind: 'before' as const, blob: photos.before },
      { id: `${uploadKey}-after`, kind: 'after' as const, blob: photos.after },
    ]
    await outbox.keepPhotos(kept)
    const entry = outbox.add({
      ...api.resolveSpec(seen.id, seen.version, note),
      photos: kept.map(({ id, kind }) => ({ id, kind })),
    })
    if (entry) throw new ApiError('queued', 0, '', entry.id)
  }

  return { current, loading, load, accept, returnCase, resolve, contact, requestExtension }
})
