// The return, resolve and extension forms keep what was typed per case, so a reload loses
// nothing; the case page forgets the draft once the action is sent or queued (办结's
// photos too: draft-photos.ts).
import { forgetDraft } from '@/kit/draft'

import { forgetDraftPhotos } from './draft-photos'

export type CaseDraftForm = 'return' | 'resolve' | 'extension'

export function caseDraft(caseId: string, form: CaseDraftForm): string {
  return `case.${caseId}.${form}`
}

export function forgetCaseDraft(caseId: string, form: CaseDraftForm): void {
  forgetDraft(caseDraft(caseId, form))
  if (form === 'resolve') void forgetDraftPhotos(caseId)
}
