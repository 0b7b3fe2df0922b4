// A case's clocks as the desk shows them (escalation's GET /v1/cases/{id}/clocks): the
// newest generation of each kind, its colour 绿/黄/红 and the time left or overdue.
import type { components as EscalationApi } from '@/kit/api/generated/escalation'

export type Clock = EscalationApi['schemas']['ClockRead']

const ORDER: Clock['kind'][] = ['sign_for', 'first_contact', 'resolution', 'callback', 'ownership']

/** The newest generation of each kind, in the order of a case's life. */
export function currentClocks(clocks: Clock[]): Clock[] {
  const newest = new Map<Clock['kind'], Clock>()
  for (const clock of clocks) {
    const seen = newest.get(clock.kind)
    if (!seen || clock.generation > seen.generation) newest.set(clock.kind, clock)
  }
  return ORDER.flatMap((kind) => newest.get(kind) ?? [])
}

/** Seconds left now: a paused clock keeps what it had; a running one counts to its deadline. */
export function secondsLeft(clock: Clock, now: Date): number {
  if (clock.status !== 'running') return clock.remaining_seconds
  return Math.floor((new Date(clock.due_at).getTime() - now.getTime()) / 1000)
}

export { clockColour } from '@/kit/clocks'

/** A duration in the largest two units, as the desk words it. */
export function describeSeconds(
  seconds: number,
  t: (key: string, named: Record<string, unknown>) => string,
): string {
  const total = Math.floor(Math.abs(seconds) / 60)
  const days = Math.floor(total / 1440)
  const hours = Math.floor((total % 1440) / 60)
  const parts: string[] = []
  if (days) parts.push(t('console.duration.days', { n: days }))
  if (hours) parts.push(t('console.duration.hours', { n: hours }))
  if (!days) parts.push(t('console.duration.minutes', { n: total % 60 }))
  const time = parts.slice(0, 2).join('')
  return t(seconds < 0 ? 'console.overdue' : 'console.left', { time })
}

/** A clock's limit as escalation writes it (`7 days`, `2 working_days`) in the desk's words
 * (7 天, 2 个工作日), the units named as the deadline rules name them; one it cannot read
 * shows as it came. */
export function describeLimit(limit: string, words: { t: (key: string) => string; te: (key: string) => boolean }): string {
  const match = /^(\d+)\s+([a-z_]+)$/.exec(limit.trim())
  const unit = match ? `console.admin.units.${match[2]}` : ''
  return match && words.te(unit) ? `${match[1]} ${words.t(unit)}` : limit
}
