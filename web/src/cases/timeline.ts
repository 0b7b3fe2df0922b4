// What the phone's case page says under a timeline entry: what a person wrote (a reason,
// a note), who a case was assigned to, and why routing placed the case, in the reader's
// words from dispatch's reason code (kit/route-reasons.ts, as the console says it, never
// dispatch's English text). The machine's other explanations are for the desks' console.
import { ROUTE_REASON_CODES, routeReason, type Words } from '@/kit/route-reasons'

const PERSON_WORDS = ['reason', 'note', 'comment']

export function timelineDetail(
  words: Words,
  action: string,
  detail: Record<string, unknown>,
  unitName: (code: string) => string,
): string {
  if (action === 'assigned') {
    const who = detail.assignee_id
    return typeof who === 'string' ? who : ''
  }
  if (action === 'routed') {
    // An entry without a known code (an older or a newer one) leaves its English text to
    // the console.
    const code = detail.reason_code
    const known = (ROUTE_REASON_CODES as readonly unknown[]).includes(code)
    return known ? (routeReason(words, detail, unitName) ?? '') : ''
  }
  if (action === 'reported' || action === 'queued') return ''
  return PERSON_WORDS.map((key) => detail[key])
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .join(' · ')
}
