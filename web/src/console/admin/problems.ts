// An admin form's refusal, placed where a person fixes it: the API's 422 field messages
// next to their fields (keyed by the path in the body, "0.amount", "recipients.1.channels"),
// a 409 as a conflict that says who changed what, anything else above the form.
import { changedBy, describeError } from '@/kit/errors'
import { ApiError, type FieldProblem } from '@/kit/http'
import { refusalMessage } from '@/kit/refusals'

type Translate = (key: string, named: Record<string, unknown>) => string

export interface Problems {
  /** Field path in the request body → the API's refusal in the reader's words. */
  fields: Record<string, string>
  /** A refusal that belongs to no one field. */
  general: string
  conflict: boolean
}

export const NO_PROBLEMS: Problems = { fields: {}, general: '', conflict: false }

/** A field's refusal in the reader's words: notify's `channel_unreachable` (a recipient
 *  that a channel cannot reach) with the panel's names, pydantic's types as the kit says them. */
function say(problem: FieldProblem, t: Translate): string {
  const { selector, channels } = problem.ctx ?? {}
  if (problem.type === 'channel_unreachable' && typeof selector === 'string' && Array.isArray(channels)) {
    return t('console.admin.notify.unreachable', {
      who: t(`console.admin.selectors.${selector}`, {}),
      channels: channels.map((c) => t(`console.admin.channels.${String(c)}`, {})).join(t('kit.refusals.or', {})),
    })
  }
  return refusalMessage(problem, t)
}

export function problemsOf(error: unknown, t: Translate): Problems {
  if (error instanceof ApiError && error.kind === 'conflict') {
    return { fields: {}, general: t('console.admin.conflict', { detail: changedBy(error, t) }), conflict: true }
  }
  if (error instanceof ApiError && error.kind === 'invalid' && error.fields.some((f) => f.field)) {
    const fields: Record<string, string> = {}
    const loose: string[] = []
    for (const problem of error.fields) {
      const message = say(problem, t)
      if (!problem.field) loose.push(message)
      else fields[problem.field] = fields[problem.field] ? `${fields[problem.field]}; ${message}` : message
    }
    return { fields, general: loose.join('; '), conflict: false }
  }
  return { fields: {}, general: describeError(error, t), conflict: false }
}

/** The message for `field`, whether the body was the row itself or a one-row list. */
export function fieldProblem(problems: Problems, field: string): string {
  return problems.fields[field] ?? problems.fields[`0.${field}`] ?? ''
}
