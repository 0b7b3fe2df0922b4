// A clock's colour (绿/黄/红, 超时) — one rule for the phone's case page and the desk's.
// Escalation says it (ClockRead.sla: by the warnings it fired, which count the clock's
// own time, pauses left out), and that answer is taken; the phone's clock only turns a
// running clock 超时 once its deadline has passed meanwhile. An answer without it (kept
// offline from before) is approximated on the wall clock, as escalation's thresholds.
import type { ClockRead } from '@/kit/api'

export type ClockColour = 'green' | 'yellow' | 'red' | 'breached'

/** Escalation warns at 50 % and 80 % of a clock's time by default (dispatch's rules too). */
export const YELLOW_AT = 0.5
export const RED_AT = 0.8

export type ColouredClock = Pick<
  ClockRead,
  'status' | 'started_at' | 'due_at' | 'remaining_seconds' | 'breached'
> & { sla?: ClockRead['sla'] }

function byShareUsed(used: number): ClockColour {
  if (used >= RED_AT) return 'red'
  if (used >= YELLOW_AT) return 'yellow'
  return 'green'
}

/** The clock's colour now: escalation's answer, 超时 once the deadline has passed. */
export function clockColour(clock: ColouredClock, now: Date): ClockColour {
  const due = Date.parse(clock.due_at)
  const running = clock.status === 'running'
  if (clock.breached || (running && due <= now.getTime())) return 'breached'
  if (clock.sla) return clock.sla
  // No answer from escalation: the share of the clock's time used, on the wall clock (a
  // paused or stopped clock keeps what it had left).
  const whole = due - Date.parse(clock.started_at)
  const left = running ? due - now.getTime() : clock.remaining_seconds * 1000
  if (whole <= 0 || left <= 0) return 'breached'
  return byShareUsed(1 - left / whole)
}
