import { describe, expect, it } from 'vitest'

import auth from '@/auth/messages'
import cases from '@/cases/messages'
import inbox from '@/inbox/messages'
import kit from '@/kit/messages'
import tasks from '@/tasks/messages'
import outbox from '@/outbox/messages'
import patrol from '@/patrol/messages'
import visits from '@/visits/messages'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([key, inner]) =>
    keys(inner, prefix ? `${prefix}.${key}` : key),
  )
}

describe('messages', () => {
  it.each([
    ['kit', kit],
    ['auth', auth],
    ['tasks', tasks],
    ['cases', cases],
    ['inbox', inbox],
    ['outbox', outbox],
    ['patrol', patrol],
    ['visits', visits],
  ])('%s says everything in English that it says in Chinese', (_, messages) => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })
})
