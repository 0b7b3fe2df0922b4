/** How long until a deadline (or since it passed), in the largest two units. */
export interface TimeLeft {
  overdue: boolean
  days: number
  hours: number
  minutes: number
}

export function timeLeft(dueAt: string, now: Date): TimeLeft {
  const ms = new Date(dueAt).getTime() - now.getTime()
  const total = Math.floor(Math.abs(ms) / 60_000)
  return {
    overdue: ms < 0,
    days: Math.floor(total / 1440),
    hours: Math.floor((total % 1440) / 60),
    minutes: total % 60,
  }
}

type Translate = (key: string, named: Record<string, unknown>) => string

export function describeTimeLeft(dueAt: string, now: Date, t: Translate): string {
  const left = timeLeft(dueAt, now)
  const parts: string[] = []
  if (left.days) parts.push(t('console.duration.days', { n: left.days }))
  if (left.hours) parts.push(t('console.duration.hours', { n: left.hours }))
  if (!left.days) parts.push(t('console.duration.minutes', { n: left.minutes }))
  const time = parts.slice(0, 2).join('')
  return t(left.overdue ? 'console.overdue' : 'console.left', { time })
}
