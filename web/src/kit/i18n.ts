import { createI18n } from 'vue-i18n'

import auth from '@/auth/messages'
import cases from '@/cases/messages'
import desk from '@/console/messages'
import oversight from '@/console/oversight/messages'
import inbox from '@/inbox/messages'
import kit from '@/kit/messages'
import tasks from '@/tasks/messages'

// The assessment of grid members in the console
import assessment from '@/console/assessment/messages'

// Field work: patrols, household visits, and the outbox of actions taken offline.
import outbox from '@/outbox/messages'
import patrol from '@/patrol/messages'
import visits from '@/visits/messages'

export type Locale = 'zh-CN' | 'en'
export const LOCALES: Locale[] = ['zh-CN', 'en']

function pick(locale: Locale) {
  return {
    kit: kit[locale],
    auth: auth[locale],
    tasks: tasks[locale],
    cases: cases[locale],
    inbox: inbox[locale],
    console: desk[locale],
    // Field work
    outbox: outbox[locale],
    patrol: patrol[locale],
    visits: visits[locale],
    // Oversight in the console
    oversight: oversight[locale],
    // The assessment of grid members
    assessment: assessment[locale],
  }
}

export type Messages = ReturnType<typeof pick>

export function initialLocale(): Locale {
  const saved = localStorage.getItem('gridcase.locale')
  return saved === 'en' ? 'en' : 'zh-CN'
}

export function saveLocale(locale: Locale): void {
  localStorage.setItem('gridcase.locale', locale)
}

export function createAppI18n(locale: Locale = initialLocale()) {
  return createI18n<[Messages], Locale, false>({
    // vue-i18n 11 still defaults to its legacy API; 12 drops the option (and the legacy API).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': pick('zh-CN'), en: pick('en') },
  })
}

/** Dates and times as a person in the district reads them (Beijing time). */
// One formatter per locale: making an Intl.DateTimeFormat costs far more than using one,
// and a list of 200 tasks formats 400 times (bench/web_task_list.py).
const timeFormats = new Map<string, Intl.DateTimeFormat>()

export function formatTime(iso: string, locale: string): string {
  let format = timeFormats.get(locale)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: 'Asia/Shanghai',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    })
    timeFormats.set(locale, format)
  }
  return format.format(new Date(iso))
}
