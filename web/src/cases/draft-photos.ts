// 办结's photos before they are sent: kept on the phone (IndexedDB, the outbox's photo
// store) as they are taken, so a reload or a closed tab does not lose them; forgotten
// once the 办结 is sent or queued (the outbox then keeps its own copies).
import { indexedDbPhotos, type PhotoStorage } from '@/outbox/photos'

export type PhotoKind = 'before' | 'after'

const KINDS: readonly PhotoKind[] = ['before', 'after']

let storage: PhotoStorage = indexedDbPhotos

/** For tests: where the photos are kept. */
export function configureDraftPhotoStorage(next: PhotoStorage): void {
  storage = next
}

export function draftPhotoId(caseId: string, kind: PhotoKind): string {
  return `draft.case.${caseId}.resolve.${kind}`
}

/** Keeps (or, with null, forgets) the photo taken for one side of the pair. Storage that
 * fails (private mode, full) leaves the photo in the form: it is only not kept. */
export async function keepDraftPhoto(caseId: string, kind: PhotoKind, photo: Blob | null): Promise<void> {
  try {
    if (photo) await storage.put(draftPhotoId(caseId, kind), photo)
    else await storage.delete([draftPhotoId(caseId, kind)])
  } catch {
    // Not kept across a reload; everything else works.
  }
}

/** The photos kept for this case's 办结, each null when there is none. */
export async function draftPhotos(caseId: string): Promise<Record<PhotoKind, Blob | null>> {
  const kept: Record<PhotoKind, Blob | null> = { before: null, after: null }
  for (const kind of KINDS) {
    try {
      kept[kind] = await storage.get(draftPhotoId(caseId, kind))
    } catch {
      kept[kind] = null
    }
  }
  return kept
}

export async function forgetDraftPhotos(caseId: string): Promise<void> {
  try {
    await storage.delete(KINDS.map((kind) => draftPhotoId(caseId, kind)))
  } catch {
    // Nothing kept, or storage gone: nothing to forget.
  }
}
