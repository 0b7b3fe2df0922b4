import { createI18n } from 'vue-i18n'

import auth from '@/auth/messages'
import cases from '@/cases/messages'
import desk from '@/console/messages'
import attachments from '@/console/case-page/attachment-messages'
import oversight from '@/console/oversight/messages'
import inbox from '@/inbox/messages'
import kit from '@/kit/messages'
import tasks from '@/tasks/messages'

// The assessment of grid members in the console
import assessment from '@/console/assessment/messages'
// Notification deliveries (ops)
import deliveries from '@/console/deliveries/messages'
// Overdue and pushed-around cases (超期/推诿)
import overdue from '@/console/overdue/messages'
// Phrases, notification preferences and wish walls (settings)
import settings from '@/console/settings/messages'

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
    attachments: attachments[locale],
    // Field work
    outbox: outbox[locale],
    patrol: patrol[locale],
    visits: visits[locale],
    // Oversight in the console
    oversight: oversight[locale],
    // The assessment of grid members
    assessment: assessment[locale],
    // Notification deliveries (ops)
    deliveries: deliveries[locale],
    // Overdue and pushed-around cases
    overdue: overdue[locale],
    // Phrases, notification preferences and wish walls
    settings: settings[locale],
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
// The app's two languages have their layout written here ('11/28 14:05', '11/28, 14:05',
// the Intl formatter's own with a 24-hour clock, checked in i18n.spec.ts) and the fields filled in by
// arithmetic: Beijing time is UTC+8 with no daylight saving since 1992. Making an
// Intl.DateTimeFormat with a time zone costs 50–80 ms on a mid-range phone (ICU's zone
// data), more than the whole budget of the task list (bench/web_task_list.py), so the
// formatter is made only for another locale or an older time.
const timeFormats = new Map<string, Intl.DateTimeFormat>()

type TimeField = 'month' | 'day' | 'hour' | 'minute'
type Piece = TimeField | { text: string }
const TIME_LAYOUTS: Record<string, readonly Piece[]> = {
  'zh-CN': ['month', { text: '/' }, 'day', { text: ' ' }, 'hour', { text: ':' }, 'minute'],
  en: ['month', { text: '/' }, 'day', { text: ', ' }, 'hour', { text: ':' }, 'minute'],
}
const BEIJING = 8 * 3_600_000
const FIXED_OFFSET_SINCE = Date.UTC(1992, 0, 1)

function timeFormat(locale: string): Intl.DateTimeFormat {
  let format = timeFormats.get(locale)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: 'Asia/Shanghai',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      // 00:00 at midnight in every language ('hour12: false' says 24:00 in English).
      hourCycle: 'h23',
    })
    timeFormats.set(locale, format)
  }
  return format
}

function fill(layout: readonly Piece[], ms: number): string {
  const d = new Date(ms + BEIJING)
  let out = ''
  for (const piece of layout) {
    if (typeof piece !== 'string') out += piece.text
    else {
      const value =
        piece === 'month'
          ? d.getUTCMonth() + 1
          : piece === 'day'
            ? d.getUTCDate()
            : piece === 'hour'
              ? d.getUTCHours()
              : d.getUTCMinutes()
      out += value < 10 ? `0${value}` : String(value)
    }
  }
  return out
}

export function formatTime(iso: string, locale: string): string {
  const ms = Date.parse(iso)
  const layout = TIME_LAYOUTS[locale]
  if (layout === undefined || !(ms >= FIXED_OFFSET_SINCE)) {
    return timeFormat(locale).format(new Date(iso))
  }
  return fill(layout, ms)
}

/**
 * A message with named values as a plain function, for lists that say the same sentence
 * hundreds of times: vue-i18n's `t` resolves the message once (with markers for the
 * values), and each use is a string join. Plain `{name}` interpolation only.
 */
export function messageTemplate<N extends string>(
  translate: (key: string, named: Record<string, string>) => string,
  key: string,
  names: readonly N[],
): (values: Record<N, string | number>) => string {
  const marks = Object.fromEntries(names.map((name, i) => [name, `\u0000${i}\u0000`]))
  const pieces = translate(key, marks).split('\u0000')
  return (values) => {
    let out = pieces[0] ?? ''
    for (let i = 1; i < pieces.length; i += 2) {
      out += String(values[names[Number(pieces[i])] as N]) + (pieces[i + 1] ?? '')
    }
    return out
  }
}
