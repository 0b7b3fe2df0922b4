// An admin form's refusal, placed where a person fixes it: the API's 422 field messages
// next to their fields (keyed by the path in the body, "0.amount", "recipients.1.channels"),
// a 409 as a conflict that says who changed what, anything else above the form.
import { changedBy, describeError } from '@/kit/errors'
import { ApiError } from '@/kit/http'

type Translate = (key: string, named: Record<string, unknown>) => string

export interface Problems {
  /** Field path in the request body → the API's message. */
  fields: Record<string, string>
  /** A refusal that belongs to no one field. */
  general: string
  conflict: boolean
}

export const NO_PROBLEMS: Problems = { fields: {}, general: '', conflict: false }

export function problemsOf(error: unknown, t: Translate): Problems {
  if (error instanceof ApiError && error.kind === 'conflict') {
    return { fields: {}, general: t('console.admin.conflict', { detail: changedBy(error, t) }), conflict: true }
  }
  if (error instanceof ApiError && error.kind === 'invalid' && error.fields.some((f) => f.field)) {
    const fields: Record<string, string> = {}
    const loose: string[] = []
    for (const problem of error.fields) {
      if (!problem.field) loose.push(problem.message)
      else fields[problem.field] = fields[problem.field] ? `${fields[problem.field]}; ${problem.message}` : problem.message
    }
    return { fields, general: loose.join('; '), conflict: false }
  }
  return { fields: {}, general: describeError(error, t), conflict: false }
}

/** The message for `field`, whether the body was the row itself or a one-row list. */
export function fieldProblem(problems: Problems, field: string): string {
  return problems.fields[field] ?? problems.fields[`0.${field}`] ?? ''
}
