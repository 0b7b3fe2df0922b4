// The 超期/推诿 page's rules, apart from the screen: who may read it and with which
// filters (escalation's scope.narrow: one narrows one's scope, never widens it), the
// query a filter form makes, and the rows in the order a supervisor works them.
import type { ClockKind, ClockRead, OverdueQuery } from './api'

/** The clocks, in the order the filter offers them: 推诿 (nobody took the case) first. */
export const KINDS: ClockKind[] = ['ownership', 'sign_for', 'first_contact', 'resolution', 'callback']

/** Desks of a whole district (or more): they may narrow by area and by department. */
const DISTRICT_DESKS = ['dispatcher', 'district_center', 'city_center', 'ops', 'admin']
/** People of an area (their grid, community or street): by an area inside it. */
const AREA_ROLES = ['grid_leader', 'station_master', 'street_officer']

/** Who sees the page in the console (a grid member's overdue cases are on the phone). */
export function mayReadOverdue(role: string): boolean {
  return DISTRICT_DESKS.includes(role) || AREA_ROLES.includes(role) || role === 'department_operator'
}

export interface FilterRule {
  area: boolean
  department: boolean
}

/** Which filters the role may set (a department operator sees their department's only). */
export function filtersFor(role: string): FilterRule {
  return { area: DISTRICT_DESKS.includes(role) || AREA_ROLES.includes(role), department: DISTRICT_DESKS.includes(role) }
}

export interface OverdueForm {
  clock: ClockKind | ''
  areaCode: string
  departmentCode: string
}

/** The query of a filled form, or the i18n key of what is wrong with it. */
export function queryOf(form: OverdueForm, rule: FilterRule): { query: OverdueQuery } | { problem: string } {
  const query: OverdueQuery = { limit: '500' }
  if (form.clock) query.clock = form.clock
  const area = form.areaCode.trim()
  if (rule.area && area) {
    if (!/^\d{6,15}$/.test(area)) return { problem: 'overdue.badArea' }
    query.area_code = area
  }
  if (rule.department && form.departmentCode) query.department_code = form.departmentCode
  return { query }
}

/** Each clock a row, the longest overdue first; a case with several shows in several. */
export function overdueRows(clocks: ClockRead[]): ClockRead[] {
  return [...clocks].sort((a, b) => a.remaining_seconds - b.remaining_seconds || a.tracking_no.localeCompare(b.tracking_no))
}

/** How many distinct cases, and how many of them pushed around (推诿: ownership). */
export function counts(clocks: ClockRead[]): { cases: number; pushed: number } {
  const cases = new Set(clocks.map((c) => c.case_id))
  const pushed = new Set(clocks.filter((c) => c.kind === 'ownership').map((c) => c.case_id))
  return { cases: cases.size, pushed: pushed.size }
}

/** How long past the deadline, in seconds below zero, a started minute counting whole
 * (a deadline passed a moment ago reads 超期 1分钟, not 0). */
export function lateSeconds(remaining: number): number {
  return -Math.max(60, Math.ceil(-remaining / 60) * 60)
}

/** The unit a row is held against (its grid, else its department) by name from the
 * directory; the code stands when the directory does not know it (or was unreachable). */
export function unitName(row: Pick<ClockRead, 'grid_code' | 'department_code'>, names: ReadonlyMap<string, string>): string {
  const code = row.grid_code ?? row.department_code
  if (!code) return ''
  return names.get(code) ?? code
}

/** One lookup of codes to names: grids and departments (their codes do not collide: an
 * area's is digits, a department's a word). */
export function unitNames(
  grids: readonly { code: string; name: string }[],
  departments: readonly { code: string; name: string }[],
): Map<string, string> {
  return new Map([...grids, ...departments].map((unit) => [unit.code, unit.name]))
}
