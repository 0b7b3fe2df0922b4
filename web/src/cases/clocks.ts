// A case's clocks as the grid member reads them on the case page: which step, when it is
// due, a colour (正常 / 临期 / 紧急 / 超时) and the time left; a paused clock (缓办) says so.
import type { ClockRead } from '@/kit/api'
import { clockColour } from '@/kit/clocks'
import { type Sla, span, type Span } from '@/tasks/deadline'

// The colour is escalation's (kit/clocks.ts, one rule with the desk's case page): the same
// thresholds as the task list's, counted on the clock's own time.

export interface ClockView {
  kind: ClockRead['kind']
  dueAt: string
  paused: boolean
  sla: Sla
  span: Span
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
        sla: clockColour(paused ? { ...c, status: 'paused' } : c, now),
        span: paused ? pausedSpan(c.remaining_seconds) : span(c.due_at, now),
      }
    })
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))
}
