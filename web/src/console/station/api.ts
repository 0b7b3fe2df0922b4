// The station master's page: intake's patrol compliance, dispatch's areas.
import type { components as DispatchSchemas } from '@/kit/api/generated/dispatch'
import type { components as IntakeSchemas } from '@/kit/api/generated/intake'
import { request } from '@/kit/http'

export type ComplianceRead = IntakeSchemas['schemas']['ComplianceRead']
export type AreaRead = DispatchSchemas['schemas']['AreaRead']

export function patrolCompliance(area: string, from: string, to: string): Promise<ComplianceRead> {
  return request<ComplianceRead>('intake', '/v1/patrols/compliance', {
    query: { area_code: area, from, to },
  })
}

export function communities(): Promise<AreaRead[]> {
  return request<AreaRead[]>('dispatch', '/v1/directory/areas', { query: { level: 'community' } })
}

export interface GridPatrol {
  grid: string
  days: number
  daysMet: number
  minutes: number
}

/** Per grid: the days patrolled, the days the practice was met, the minutes. */
export function patrolsByGrid(compliance: ComplianceRead): GridPatrol[] {
  const byGrid = new Map<string, GridPatrol>()
  for (const day of compliance.days) {
    const entry = byGrid.get(day.grid_code) ?? { grid: day.grid_code, days: 0, daysMet: 0, minutes: 0 }
    entry.days += 1
    entry.daysMet += day.met ? 1 : 0
    entry.minutes += day.minutes
    byGrid.set(day.grid_code, entry)
  }
  return [...byGrid.values()].sort((a, b) => a.grid.localeCompare(b.grid))
}
