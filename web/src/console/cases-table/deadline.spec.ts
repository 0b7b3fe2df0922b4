import { describe, expect, it } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import { describeTimeLeft, timeLeft } from './deadline'

const now = new Date('2026-11-28T08:00:00Z')

describe('timeLeft', () => {
  it('counts days, hours and minutes until the deadline', () => {
    expect(timeLeft('2026-11-29T10:05:30Z', now)).toEqual({
      overdue: false,
      days: 1,
      hours: 2,
      minutes: 5,
    })
  })

  it('says a passed deadline is overdue', () => {
    expect(timeLeft('2026-11-28T06:30:00Z', now)).toMatchObject({ overdue: true, hours: 1, minutes: 30 })
  })
})

describe('describeTimeLeft', () => {
  const { t } = createAppI18n('zh-CN').global

  it('reads as 12345 staff say it', () => {
    expect(describeTimeLeft('2026-11-28T10:15:00Z', now, t)).toBe('剩 2小时15分钟')
    expect(describeTimeLeft('2026-11-30T11:00:00Z', now, t)).toBe('剩 2天3小时')
    expect(describeTimeLeft('2026-11-28T07:20:00Z', now, t)).toBe('超期 40分钟')
  })
})
