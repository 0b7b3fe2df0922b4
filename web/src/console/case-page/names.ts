// The names a case's page shows for the codes its records carry (who was notified, who
// acted, where the case went): the directory's staff of the case's grid and community and
// its department's operators on duty, and the grids' and departments' names. A lookup that
// fails leaves its codes showing, the page still works.
import type { CaseDetail } from '@/kit/api'

import { listGrids } from '../api'
import { listDepartments, onDuty } from '../desk-api'
import { staffNames } from '../rates/api'

export interface CaseNames {
  /** Staff names by staff id. */
  staff: ReadonlyMap<string, string>
  /** Grid and department names by code. */
  units: ReadonlyMap<string, string>
}

export const NO_NAMES: CaseNames = { staff: new Map(), units: new Map() }

/** The pairs of the lookups that answered, in one map (a later one does not replace a name). */
export function mergeNames(results: PromiseSettledResult<Iterable<[string, string]>>[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const result of results) {
    if (result.status !== 'fulfilled') continue
    for (const [code, name] of result.value) if (name && !names.has(code)) names.set(code, name)
  }
  return names
}

/** A code as a person reads it: the unit's or person's name, the code when none is known. */
export function nameOf(names: CaseNames, code: string): string {
  return names.units.get(code) ?? names.staff.get(code) ?? code
}

export async function caseNames(
  detail: Pick<CaseDetail, 'grid_code' | 'community_code' | 'department_code'>,
): Promise<CaseNames> {
  const areas = [...new Set([detail.grid_code, detail.community_code].filter((c): c is string => Boolean(c)))]
  const staffLookups: Promise<Iterable<[string, string]>>[] = areas.map((code) => staffNames(code))
  if (detail.department_code) {
    staffLookups.push(
      onDuty({ department_code: detail.department_code }).then((people) => people.map((p) => [p.staff_id, p.name])),
    )
  }
  const unitLookups: Promise<Iterable<[string, string]>>[] = [
    listGrids().then((grids) => grids.map((g) => [g.code, g.name])),
    listDepartments().then((departments) => departments.map((d) => [d.code, d.name])),
  ]
  const [staff, units] = await Promise.all([
    Promise.allSettled(staffLookups),
    Promise.allSettled(unitLookups),
  ])
  return { staff: mergeNames(staff), units: mergeNames(units) }
}
