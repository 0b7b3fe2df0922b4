import { describe, expect, it, vi } from 'vitest'

import { createAppI18n, formatTime, messageTemplate } from './i18n'

function intl(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Shanghai',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso))
}

describe('formatTime', () => {
  it('says a time in Beijing exactly as the Intl formatter does', () => {
    const times = [
      '2026-11-28T06:07:00Z',
      '2026-11-28T16:00:00Z', // midnight in Beijing: 00:00 (not English Intl's 24:00)
      '2026-12-31T15:59:59Z', // the last minute of the year
      '2026-12-31T16:00:00Z', // the new year in Beijing, still the old one in UTC
      '2026-11-28T14:05:00+08:00',
      '2027-02-28T23:30:00.123456+00:00',
      '2028-02-29T04:00:00Z',
    ]
    for (let h = 0; h < 24 * 7; h += 5) times.push(new Date(Date.UTC(2026, 5, 1, h, h % 60)).toISOString())
    for (const locale of ['zh-CN', 'en']) {
      for (const iso of times) expect(formatTime(iso, locale)).toBe(intl(iso, locale))
    }
  })

  it('makes no Intl formatter for the app\'s languages', () => {
    const made = vi.spyOn(Intl, 'DateTimeFormat')
    formatTime('2026-11-28T06:07:00Z', 'zh-CN')
    formatTime('2026-11-28T06:07:00Z', 'en')
    expect(made).not.toHaveBeenCalled()
    made.mockRestore()
  })

  it('leaves times before Beijing time was fixed at UTC+8 to the formatter', () => {
    expect(formatTime('1988-07-01T00:00:00Z', 'zh-CN')).toBe(intl('1988-07-01T00:00:00Z', 'zh-CN'))
  })

  it('refuses a time that is not one, as the formatter does', () => {
    expect(() => formatTime('not a time', 'zh-CN')).toThrow(RangeError)
  })
})

describe('messageTemplate', () => {
  it('says a message with its values as vue-i18n does', () => {
    const { global } = createAppI18n('zh-CN')
    const t = (key: string, named: Record<string, string>) => global.t(key, named)
    const hours = messageTemplate(t, 'tasks.hoursMinutes', ['h', 'm'])
    expect(hours({ h: 3, m: 20 })).toBe(global.t('tasks.hoursMinutes', { h: 3, m: 20 }))
    expect(hours({ h: 3, m: 20 })).toBe('3小时20分')
    const due = messageTemplate(t, 'tasks.dueAt', ['time'])
    expect(due({ time: '11/28 18:00' })).toBe('限 11/28 18:00 前')
  })

  it('follows the order of the values in each language', () => {
    const { global } = createAppI18n('en')
    const t = (key: string, named: Record<string, string>) => global.t(key, named)
    expect(messageTemplate(t, 'tasks.left', ['amount'])({ amount: '3h 20m' })).toBe('3h 20m left')
    expect(messageTemplate(t, 'tasks.daysHours', ['d', 'h'])({ d: 2, h: 0 })).toBe('2d 0h')
  })
})
