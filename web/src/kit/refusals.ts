// A field's refusal in the reader's words: FastAPI's 422 items carry pydantic's `type`
// (`greater_than_equal`, `missing`…) and its values in `ctx` (`{ ge: 0 }`); the common
// types are said here in zh-CN and en with those values. An unknown type, and a
// `value_error` (the service's own sentence), keep the server's text.
import type { FieldProblem } from './http'

type Translate = (key: string, named: Record<string, unknown>) => string

/** pydantic's type → the message key under `kit.refusals`. */
const KEYS: Record<string, string> = {
  missing: 'missing',
  greater_than_equal: 'greaterThanEqual',
  greater_than: 'greaterThan',
  less_than_equal: 'lessThanEqual',
  less_than: 'lessThan',
  string_too_short: 'stringTooShort',
  string_too_long: 'stringTooLong',
  too_short: 'tooShort',
  too_long: 'tooLong',
  int_parsing: 'intParsing',
  int_from_float: 'intParsing',
  int_type: 'intParsing',
  float_parsing: 'floatParsing',
  float_type: 'floatParsing',
  bool_parsing: 'boolParsing',
  string_type: 'stringType',
  string_pattern_mismatch: 'stringPatternMismatch',
  enum: 'enum',
  literal_error: 'enum',
  date_parsing: 'dateParsing',
  date_from_datetime_parsing: 'dateParsing',
  date_from_datetime_inexact: 'dateParsing',
  date_type: 'dateParsing',
  datetime_parsing: 'datetimeParsing',
  datetime_from_date_parsing: 'datetimeParsing',
  datetime_type: 'datetimeParsing',
  uuid_parsing: 'uuidParsing',
  extra_forbidden: 'extraForbidden',
}

/** pydantic's `'a', 'b' or 'c'` as a list of the choices. */
function choices(expected: unknown): string[] {
  if (typeof expected !== 'string') return []
  return expected
    .split(/,\s*|\s+or\s+/)
    .map((each) => each.trim().replace(/^'(.*)'$/, '$1'))
    .filter((each) => each !== '')
}

/** The sentence for one refused field. */
export function refusalMessage(problem: FieldProblem, t: Translate): string {
  const key = problem.type === undefined ? undefined : KEYS[problem.type]
  if (key === undefined) return problem.message
  const ctx = problem.ctx ?? {}
  return t(`kit.refusals.${key}`, {
    ...ctx,
    expected: choices(ctx.expected).join(t('kit.refusals.or', {})),
  })
}
