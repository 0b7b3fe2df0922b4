// A task's deadline as a grid member reads it: the running clock's due time from the case
// search, a colour (正常 / 临期 / 紧急 / 超时) and the time left or overdue in words.

export type Sla = 'green' | 'yellow' | 'red' | 'breached'

export interface Deadline {
  dueAt: string | null
  sla: Sla | null
}

const SLAS: readonly string[] = ['green', 'yellow', 'red', 'breached']

export function asSla(value: string | null | undefined): Sla | null {
  return value != null && SLAS.includes(value) ? (value as Sla) : null
}

/**
 * The mark to show now: the search's state, except that a deadline already passed on this
 * phone's clock is 超时 even if the list was loaded before it passed.
 */
export function slaNow(deadline: Deadline, now: Date): Sla | null {
  if (deadline.dueAt === null) return null
  if (Date.parse(deadline.dueAt) <= now.getTime()) return 'breached'
  return deadline.sla === 'breached' ? 'red' : deadline.sla
}

/** Earliest deadline first; tasks without a running clock last, newest report first among them. */
export function byDeadline<T extends { deadline: Deadline; reportedAt: string }>(
  tasks: readonly T[],
): T[] {
  // Each time read once, not in every comparison.
  const keyed = tasks.map((task) => ({
    task,
    due: task.deadline.dueAt === null ? Infinity : Date.parse(task.deadline.dueAt),
    reported: Date.parse(task.reportedAt),
  }))
  keyed.sort((a, b) => {
    if (a.due !== b.due) return a.due < b.due ? -1 : 1
    return b.reported - a.reported
  })
  return keyed.map((k) => k.task)
}

export interface Span {
  overdue: boolean
  days: number
  hours: number
  minutes: number
}

/** The time left (or overdue) until the deadline, whole minutes, rounded toward "less left". */
export function span(dueAt: string, now: Date): Span {
  const ms = Date.parse(dueAt) - now.getTime()
  const overdue = ms <= 0
  const total = overdue ? Math.ceil(-ms / 60_000) : Math.floor(ms / 60_000)
  return {
    overdue,
    days: Math.floor(total / 1440),
    hours: Math.floor((total % 1440) / 60),
    minutes: total % 60,
  }
}
