// A case's clocks as the grid member reads them on the case page: which step, when it is
// due, a colour (正常 / 临期 / 紧急 / 超时) and the time left; a paused clock (缓办) says so.
import type { ClockRead } from '@/kit/api'
import { type Sla, span, type Span } from '@/tasks/deadline'

// The same thresholds as the task list's colours (dispatch's deadlines/rules.py): warned
// at half the clock's time, urgent at four fifths. Counted here on the wall clock from
// the clock's start to its deadline.
const YELLOW_AT = 0.5
const RED_AT = 0.8

export interface ClockView {
  kind: ClockRead['kind']
  dueAt: string
  paused: boolean
  sla: Sla
  span: Span
}

function colour(used: number): Sla {
  if (used >= RED_AT) return 'red'
  if (used >= YELLOW_AT) return 'yellow'
  return 'green'
}

function slaOf(clock: ClockRead, paused: boolean, now: Date): Sla {
  const due = Date.parse(clock.due_at)
  const start = Date.parse(clock.started_at)
  const whole = due - start
  if (clock.breached) return 'breached'
  // A paused clock's time does not run: what is left is what escalation said.
  if (paused) return whole > 0 ? colour(1 - (clock.remaining_seconds * 1000) / whole) : 'red'
  if (due <= now.getTime()) return 'breached'
  return whole > 0 ? colour((now.getTime() - start) / whole) : 'red'
}

function pausedSpan(seconds: number): Span {
  const total = Math.max(0, Math.floor(seconds / 60))
  return { overdue: false, days: Math.floor(total / 1440), hours: Math.floor((total % 1440) / 60), minutes: total % 60 }
}

/** The clocks still running or paused, the earliest deadline first. */
export function clockViews(clocks: readonly ClockRead[], now: Date): ClockView[] {
  return clocks
    .filter((c) => c.status !== 'stopped')
    .map((c) => {
      const paused = c.paused || c.status === 'paused'
      return {
        kind: c.kind,
        dueAt: c.due_at,
        paused,
        sla: slaOf(c, paused, now),
        span: paused ? pausedSpan(c.remaining_seconds) : span(c.due_at, now),
      }
    })
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))
}
