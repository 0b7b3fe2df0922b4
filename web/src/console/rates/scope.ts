// Where a person's rates start: their own area at its level (docs/reports.md, "who sees").
import type { Level } from './api'

export interface Step {
  level: Level
  code: string | null
  name: string
}

const AREA_LEVEL: Record<number, Level> = { 6: 'district', 9: 'street', 12: 'community', 15: 'grid' }

/** The first step of the drill-down path for a person's role and area. */
export function startingStep(person: { role: string; area_code: string | null; area_name: string | null } | null): Step {
  if (person?.role === 'department_operator') return { level: 'department', code: null, name: '' }
  const code = person?.area_code ?? null
  const level = (code && AREA_LEVEL[code.length]) || 'district'
  return { level, code, name: person?.area_name ?? code ?? '' }
}
