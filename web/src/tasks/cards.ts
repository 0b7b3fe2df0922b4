// 今日任务's cards as plain words: what each card says, worked out in one pass over the
// list (no component, no vue-i18n call and no Intl formatter per card), so that 200 cases
// render within the phone budget (bench/web_task_list.py).
import { formatTime, messageTemplate } from '@/kit/i18n'
import { statusTone, type StatusTone } from '@/cases/status'

import type { Place } from '@/patrol/track'

import { type Deadline, type Sla, slaNow, span } from './deadline'
import { distanceAmount, metresTo } from './nearest'

export interface CardDeadline {
  sla: Sla
  /** 正常 / 临期 / 紧急 / 超时 */
  mark: string
  /** 剩余 3小时20分, 已超时 15分钟 */
  left: string
  /** 限 11/28 18:00 前 */
  due: string
}

export interface Card {
  id: string
  /** The case's page in the app. */
  href: string
  trackingNo: string
  status: string
  statusLabel: string
  tone: StatusTone
  reported: string
  /** null: no running clock (无时限). */
  deadline: CardDeadline | null
  content: string
  address: string | null
  /** 距我 350 米: only once the grid member has shared where they are (按距离). */
  distance: string | null
}

export interface CardTask {
  id: string
  tracking_no: string
  status: string
  reported_at: string
  content: string
  address?: string | null
  lat?: number | null
  lon?: number | null
  deadline: Deadline
}

/** The sentences a card says, in one locale. */
export interface CardWords {
  locale: string
  status: (status: string) => string
  sla: Record<Sla, string>
  reportedAt: (values: { time: string }) => string
  dueAt: (values: { time: string }) => string
  left: (values: { amount: string }) => string
  overdue: (values: { amount: string }) => string
  daysHours: (values: { d: number; h: number }) => string
  hoursMinutes: (values: { h: number; m: number }) => string
  minutes: (values: { m: number }) => string
  metres: (values: { n: string }) => string
  kilometres: (values: { n: string }) => string
}

type Translate = (key: string, named?: Record<string, string>) => string

/** The card sentences from vue-i18n's `t` and `te`, once per locale. */
export function cardWords(t: Translate, te: (key: string) => boolean, locale: string): CardWords {
  const statuses = new Map<string, string>()
  const tr = (key: string, named: Record<string, string>) => t(key, named)
  return {
    locale,
    status: (status) => {
      let label = statuses.get(status)
      if (label === undefined) {
        label = te(`cases.status.${status}`) ? t(`cases.status.${status}`) : status
        statuses.set(status, label)
      }
      return label
    },
    sla: {
      green: t('tasks.sla.green'),
      yellow: t('tasks.sla.yellow'),
      red: t('tasks.sla.red'),
      breached: t('tasks.sla.breached'),
    },
    reportedAt: messageTemplate(tr, 'tasks.reportedAt', ['time']),
    dueAt: messageTemplate(tr, 'tasks.dueAt', ['time']),
    left: messageTemplate(tr, 'tasks.left', ['amount']),
    overdue: messageTemplate(tr, 'tasks.overdue', ['amount']),
    daysHours: messageTemplate(tr, 'tasks.daysHours', ['d', 'h']),
    hoursMinutes: messageTemplate(tr, 'tasks.hoursMinutes', ['h', 'm']),
    minutes: messageTemplate(tr, 'tasks.minutes', ['m']),
    metres: messageTemplate(tr, 'tasks.distance.metres', ['n']),
    kilometres: messageTemplate(tr, 'tasks.distance.kilometres', ['n']),
  }
}

function deadlineOf(deadline: Deadline, now: Date, words: CardWords): CardDeadline | null {
  const sla = slaNow(deadline, now)
  if (deadline.dueAt === null || sla === null) return null
  const s = span(deadline.dueAt, now)
  const amount =
    s.days > 0
      ? words.daysHours({ d: s.days, h: s.hours })
      : s.hours > 0
        ? words.hoursMinutes({ h: s.hours, m: s.minutes })
        : words.minutes({ m: s.minutes })
  return {
    sla,
    mark: words.sla[sla],
    left: s.overdue ? words.overdue({ amount }) : words.left({ amount }),
    due: words.dueAt({ time: formatTime(deadline.dueAt, words.locale) }),
  }
}

function distanceOf(task: CardTask, here: Place | null, words: CardWords): string | null {
  if (!here) return null
  const metres = metresTo(task, here)
  if (metres === null) return null
  const { unit, value } = distanceAmount(metres)
  return unit === 'm' ? words.metres({ n: value }) : words.kilometres({ n: value })
}

/** The cards; with `here` (where the grid member stands) each says how far the case is. */
export function toCards(
  tasks: readonly CardTask[],
  now: Date,
  words: CardWords,
  here: Place | null = null,
): Card[] {
  return tasks.map((task) => ({
    id: task.id,
    href: `/cases/${encodeURIComponent(task.id)}`,
    trackingNo: task.tracking_no,
    status: task.status,
    statusLabel: words.status(task.status),
    tone: statusTone(task.status),
    reported: words.reportedAt({ time: formatTime(task.reported_at, words.locale) }),
    deadline: deadlineOf(task.deadline, now, words),
    content: task.content,
    address: task.address ?? null,
    distance: distanceOf(task, here, words),
  }))
}

/**
 * The first cards of a list, made as they are asked for: growing the count makes only
 * the new cards, and a card once made is the same object until the list, the clock, the
 * words or the place change (TaskCards.vue then leaves its drawing alone, `v-memo`).
 */
export function cardMaker(): (
  tasks: readonly CardTask[],
  count: number,
  now: Date,
  words: CardWords,
  here: Place | null,
) => Card[] {
  let made: Card[] = []
  let from: readonly unknown[] = []
  return (tasks, count, now, words, here) => {
    const inputs = [tasks, now, words, here]
    if (inputs.some((input, i) => input !== from[i])) {
      made = []
      from = inputs
    }
    const want = Math.min(count, tasks.length)
    if (made.length < want) {
      made = made.concat(toCards(tasks.slice(made.length, want), now, words, here))
    }
    return made.slice(0, want)
  }
}
