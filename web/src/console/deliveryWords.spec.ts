import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'

import desk from './messages'
import settings from './settings/messages'
import { channelName, CHANNELS, maskPhone, recipientText, templateName } from './deliveryWords'

function words(locale: 'zh-CN' | 'en' = 'zh-CN') {
  const i18n = createI18n({ legacy: false, locale, messages: { [locale]: { console: desk[locale] } } })
  return i18n.global
}

const NAMES = new Map([['gm111a', '李磊静']])

describe('a notification channel', () => {
  it('is named as 12345 and grid staff call it', () => {
    expect(channelName(words(), 'sms')).toBe('短信')
    expect(channelName(words(), 'inapp')).toBe('站内消息')
    expect(channelName(words('en'), 'sms')).toBe('SMS')
  })

  it('has a name in Chinese and in English, for every channel notify sends on', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const named = Object.keys(desk[locale].deliveries.channels)
      expect(CHANNELS.filter((channel) => !named.includes(channel))).toEqual([])
    }
  })

  it('goes by the same name as in the notification rules and a person\'s preferences', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      expect(desk[locale].deliveries.channels).toEqual(desk[locale].admin.channels)
      expect(desk[locale].deliveries.channels).toEqual(settings[locale].preferences.channelNames)
    }
  })

  it('shows its code when it has no name yet', () => {
    expect(channelName(words(), 'pigeon')).toBe('pigeon')
  })
})

describe('whom a notification went to', () => {
  it('names a member of staff with the masked phone the SMS went to', () => {
    const text = recipientText(words(), { recipient_id: 'staff:gm111a', recipient_masked: '138****5678' }, NAMES)

    expect(text).toBe('李磊静 138****5678')
  })

  it('names a member of staff, not the staff id, before the message is sent', () => {
    expect(recipientText(words(), { recipient_id: 'staff:gm111a', recipient_masked: '' }, NAMES)).toBe('李磊静')
  })

  it('names the person of an in-app message whose record repeats the bare id', () => {
    expect(recipientText(words(), { recipient_id: 'gm111a', recipient_masked: 'gm111a' }, NAMES)).toBe('李磊静')
  })

  it('falls back to the staff id when the directory does not know the name', () => {
    expect(recipientText(words(), { recipient_id: 'staff:dp9', recipient_masked: '' }, NAMES)).toBe('dp9')
  })

  it('calls a resident the reporter and never shows a phone number whole', () => {
    expect(recipientText(words(), { recipient_id: 'resident:r-1', recipient_masked: '139****0000' }, NAMES)).toBe(
      '反映人 139****0000',
    )
    expect(recipientText(words(), { recipient_id: 'staff:x', recipient_masked: '13912345678' }, NAMES)).toBe(
      'x 139****5678',
    )
  })

  it('names the hotline and a group robot without their addresses', () => {
    expect(recipientText(words(), { recipient_id: 'hotline:T-1', recipient_masked: '12345 T-1' }, NAMES)).toBe(
      '12345 热线（工单 T-1）',
    )
    expect(
      recipientText(words(), { recipient_id: 'robot:g1', recipient_masked: 'g1 https://qyapi/…' }, NAMES),
    ).toBe('群机器人 g1')
  })
})

describe('a phone number', () => {
  it('is masked as the services mask it', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
    expect(maskPhone('call 13812345678 now')).toBe('call 138****5678 now')
    expect(maskPhone('138****5678')).toBe('138****5678')
  })
})

describe("a notification's template", () => {
  it('is named by the event it tells of', () => {
    expect(templateName(words(), 'case.assigned')).toBe('案件派给人员')
    expect(templateName(words(), 'digest.unknown')).toBe('digest.unknown')
  })
})
