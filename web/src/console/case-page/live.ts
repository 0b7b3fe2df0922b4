// A case page's live view: a newer version of the case (seen when the inbox stream says
// something about it, or when the page checks every 15 s — the stream only carries what is
// addressed to me) is held back and announced, never put over what the person is reading
// or typing. The person's own actions replace the case directly.
import type { CaseDetail } from '@/kit/api'

export const CHECK_MS = 15_000

/** Whether a fetched case is a change made by someone else since `shown`. */
export function changedElsewhere(shown: CaseDetail | null, fetched: CaseDetail): boolean {
  return shown !== null && fetched.version > shown.version
}

/** Who made the latest change and what it was (the newest timeline entry). */
export function lastChange(detail: CaseDetail): { actor: string; action: string } | null {
  const entry = detail.timeline.at(-1)
  return entry ? { actor: entry.actor, action: entry.action } : null
}
