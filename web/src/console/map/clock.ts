// A case pin's colour by its running clock's state, and a cluster's by its worst pin.
import type { Sla } from '../api'

export const SLA_ORDER: readonly Sla[] = ['green', 'yellow', 'red', 'breached']

export const SLA_COLOURS: Record<Sla | 'none', string> = {
  green: '#15803d',
  yellow: '#ca8a04',
  red: '#dc2626',
  breached: '#7f1d1d',
  none: '#6b7280',
}

export function pinColour(sla: Sla | null | undefined): string {
  return SLA_COLOURS[sla ?? 'none']
}

/** The most urgent state among a cluster's pins (none when no pin runs a clock). */
export function worstState(states: readonly (Sla | null | undefined)[]): Sla | null {
  let worst = -1
  for (const state of states) {
    if (state) worst = Math.max(worst, SLA_ORDER.indexOf(state))
  }
  return worst < 0 ? null : (SLA_ORDER[worst] ?? null)
}
