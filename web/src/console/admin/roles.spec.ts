import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'

import auth from '@/auth/messages'

import { roleName, ROLES } from './roles'

describe("a person's role", () => {
  it('has a name in Chinese and in English, for every role of the directory', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const named = Object.keys(auth[locale].roles)
      expect(ROLES.filter((role) => !named.includes(role))).toEqual([])
    }
  })

  it('is shown by its name, and by its code only when it has none', () => {
    const words = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': { auth: auth['zh-CN'] } } }).global

    expect(roleName(words, 'station_master')).toBe('社区站长')
    expect(roleName(words, 'wizard')).toBe('wizard')
  })
})
