// A person's role as the desk names it (网格员, 社区站长), the names the sign-in page uses.
import type { StaffRead } from './api'

type Role = StaffRead['role']

/** Every role of the directory's contract: a role added there and not here fails typecheck. */
const EVERY_ROLE: Record<Role, true> = {
  grid_member: true,
  grid_leader: true,
  station_master: true,
  street_officer: true,
  district_center: true,
  city_center: true,
  department_operator: true,
  dispatcher: true,
  ops: true,
  admin: true,
}
export const ROLES = Object.keys(EVERY_ROLE) as Role[]

/** The role's name; one without a name (a newer role) shows its code. */
export function roleName(words: { t: (key: string) => string; te: (key: string) => boolean }, role: string): string {
  const key = `auth.roles.${role}`
  return words.te(key) ? words.t(key) : role
}
