import { describe, expect, it } from 'vitest'

import { ApiError } from '@/kit/http'
import { createAppI18n } from '@/kit/i18n'

import { fieldProblem, problemsOf } from './problems'

const t = (key: string, named: Record<string, unknown>) => `${key} ${JSON.stringify(named)}`

describe('problemsOf', () => {
  it('puts each field message of a 422 at its field', () => {
    const error = new ApiError('invalid', 422, '', 'c1', [
      { field: '0.amount', message: 'Input should be greater than or equal to 0' },
      { field: 'recipients.1.channels', message: 'reporters cannot be reached by [inapp]' },
    ])

    const problems = problemsOf(error, t)

    expect(fieldProblem(problems, 'amount')).toBe('Input should be greater than or equal to 0')
    expect(problems.fields['recipients.1.channels']).toBe('reporters cannot be reached by [inapp]')
    expect(problems.general).toBe('')
  })

  it("says pydantic's types and notify's channel_unreachable in the reader's words", () => {
    const { t: zh } = createAppI18n('zh-CN').global
    const error = new ApiError('invalid', 422, '', 'c1', [
      { field: '0.amount', message: 'Input should be greater than or equal to 0', type: 'greater_than_equal', ctx: { ge: 0 } },
      {
        field: 'recipients.0.channels',
        message: "reporters cannot be reached by ['wecom']",
        type: 'channel_unreachable',
        ctx: { selector: 'reporters', channels: ['wecom'] },
      },
    ])

    const problems = problemsOf(error, zh)

    expect(fieldProblem(problems, 'amount')).toBe('不能小于 0')
    expect(problems.fields['recipients.0.channels']).toBe('反映人无法通过企业微信收到通知，请去掉这个渠道')
  })

  it('says a 409 is a conflict, with who changed it', () => {
    const error = new ApiError('conflict', 409, 'admin2 changed this rule at 2026-11-28T12:00:00+00:00', 'c2')

    const problems = problemsOf(error, t)

    expect(problems.conflict).toBe(true)
    expect(problems.general).toContain('admin2 changed this rule')
  })

  it('names who saved a versioned setting, and when, in the reader\'s words', () => {
    const error = new ApiError('conflict', 409, 'admin1 changed the notification preferences of sm12 at …', 'c4', [], null, {
      by: 'admin1',
      at: '2026-11-28T19:44:35.426520+00:00',
    })

    const general = problemsOf(error, t).general

    expect(general).toContain('kit.errors.changedBy')
    expect(general).toContain('admin1')
    expect(general).not.toContain('2026-11-28T19:44')
    expect(general).not.toContain('changed the notification preferences')
  })

  it('shows a 422 without fields above the form', () => {
    const error = new ApiError('invalid', 422, 'the grid ladder must be 1, 2, 3', 'c3')

    expect(problemsOf(error, t).general).toContain('the grid ladder must be 1, 2, 3')
  })
})
