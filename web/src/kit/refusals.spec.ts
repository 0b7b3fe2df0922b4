import { describe, expect, it } from 'vitest'

import { toApiError } from './http'
import { createAppI18n } from './i18n'
import { refusalMessage } from './refusals'

const zh = createAppI18n('zh-CN').global.t
const en = createAppI18n('en').global.t

// pydantic's type and ctx as FastAPI sends them → what a desk user reads.
const TABLE: [string, Record<string, unknown> | undefined, string, string][] = [
  ['missing', undefined, '必填', 'Required'],
  ['greater_than_equal', { ge: 0 }, '不能小于 0', 'Must be at least 0'],
  ['greater_than', { gt: 0 }, '须大于 0', 'Must be more than 0'],
  ['less_than_equal', { le: 100 }, '不能大于 100', 'Must be at most 100'],
  ['less_than', { lt: 24 }, '须小于 24', 'Must be less than 24'],
  ['string_too_short', { min_length: 1 }, '至少 1 个字', 'At least 1 characters'],
  ['string_too_long', { max_length: 200 }, '最多 200 个字', 'At most 200 characters'],
  ['too_short', { min_length: 1, actual_length: 0 }, '至少 1 项', 'At least 1 items'],
  ['too_long', { max_length: 8, actual_length: 9 }, '最多 8 项', 'At most 8 items'],
  ['int_parsing', undefined, '请填整数', 'Enter a whole number'],
  ['int_from_float', undefined, '请填整数', 'Enter a whole number'],
  ['float_parsing', undefined, '请填数字', 'Enter a number'],
  ['bool_parsing', undefined, '请选“是”或“否”', 'Choose yes or no'],
  ['string_type', undefined, '请填文字', 'Enter text'],
  ['string_pattern_mismatch', { pattern: '^\\d{6}$' }, '格式不对', 'Not in the expected format'],
  ['enum', { expected: "'sms', 'inapp' or 'wecom'" }, '只能是 sms、inapp、wecom', 'Must be one of: sms, inapp, wecom'],
  ['literal_error', { expected: "'high' or 'normal'" }, '只能是 high、normal', 'Must be one of: high, normal'],
  ['date_parsing', { error: 'input is too short' }, '请填日期，如 2026-11-28', 'Enter a date, e.g. 2026-11-28'],
  ['date_from_datetime_parsing', { error: 'invalid character' }, '请填日期，如 2026-11-28', 'Enter a date, e.g. 2026-11-28'],
  ['datetime_parsing', { error: 'x' }, '请填日期和时间，如 2026-11-28 09:30', 'Enter a date and time, e.g. 2026-11-28 09:30'],
  ['uuid_parsing', { error: 'x' }, '编号格式不对', 'Not a valid id'],
  ['extra_forbidden', undefined, '不认识这一项', 'Not a known field'],
]

describe('refusalMessage', () => {
  it.each(TABLE)('says %s with its values in zh-CN and en', (type, ctx, inZh, inEn) => {
    const problem = { field: 'amount', message: 'pydantic English', type, ...(ctx ? { ctx } : {}) }

    expect(refusalMessage(problem, zh)).toBe(inZh)
    expect(refusalMessage(problem, en)).toBe(inEn)
  })

  it("keeps the server's text for a type it does not know", () => {
    const problem = { field: 'amount', message: 'Input should be a multiple of 5', type: 'multiple_of', ctx: { multiple_of: 5 } }

    expect(refusalMessage(problem, zh)).toBe('Input should be a multiple of 5')
  })

  it("keeps the service's own sentence of a value_error, and a problem with no type", () => {
    const own = { field: 'url', message: '机器人地址须以 https:// 开头', type: 'value_error', ctx: { error: {} } }

    expect(refusalMessage(own, zh)).toBe('机器人地址须以 https:// 开头')
    expect(refusalMessage({ field: 'x', message: 'as sent' }, zh)).toBe('as sent')
  })

  it("reads type and ctx from FastAPI's 422 answer", async () => {
    const body = {
      detail: [{ type: 'greater_than_equal', loc: ['body', 0, 'amount'], msg: 'Input should be greater than or equal to 0', input: -1, ctx: { ge: 0 } }],
    }
    const error = await toApiError(new Response(JSON.stringify(body), { status: 422 }), 'c1')

    expect(error.fields).toEqual([
      { field: '0.amount', message: 'Input should be greater than or equal to 0', type: 'greater_than_equal', ctx: { ge: 0 } },
    ])
    expect(error.fields.map((problem) => refusalMessage(problem, zh))).toEqual(['不能小于 0'])
  })
})
