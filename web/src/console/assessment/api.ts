// Escalation's monthly assessment of grid members (网格员考核, docs/reports.md).
import type { components as DispatchSchemas } from '@/kit/api/generated/dispatch'
import type { components } from '@/kit/api/generated/escalation'
import { request } from '@/kit/http'

type Schemas = components['schemas']
export type AssessmentReport = Schemas['AssessmentReport']
export type MemberAssessment = Schemas['MemberAssessment']
export type AssessmentComponent = Schemas['AssessmentComponent']
export type ComponentName = AssessmentComponent['name']

export const COMPONENTS: ComponentName[] = [
  'on_time_sign_for',
  'on_time_resolution',
  'no_return',
  'no_reopening',
  'satisfaction',
  'patrol_compliance',
  'visits',
]

export function getAssessment(month: string, community: string): Promise<AssessmentReport> {
  const query: Record<string, string> = { month }
  if (community) query.community = community
  return request<AssessmentReport>('escalation', '/v1/reports/assessment', { query })
}

/** A member's component by name (every member carries all seven). */
export function componentOf(member: MemberAssessment, name: ComponentName): AssessmentComponent | undefined {
  return member.components.find((c) => c.name === name)
}

/** A score as shown: one decimal place, or a dash when there is none. */
export function scoreText(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : score.toFixed(1)
}

type StaffRead = DispatchSchemas['schemas']['StaffRead']
type AreaRead = DispatchSchemas['schemas']['AreaRead']

/** The names of the grid members working in these communities' grids (dispatch's
 * directory), by staff id: the ranking shows a person, not only an id. */
export async function memberNames(communityCodes: string[]): Promise<Map<string, string>> {
  if (!communityCodes.length) return new Map()
  const grids = await request<AreaRead[]>('dispatch', '/v1/directory/areas', { query: { level: 'grid' } })
  const wanted = grids.filter((g) => communityCodes.some((c) => g.code.startsWith(c)))
  const staff = await Promise.all(
    wanted.map((g) => request<StaffRead[]>('dispatch', `/v1/directory/areas/${encodeURIComponent(g.code)}/staff`)),
  )
  return new Map(staff.flat().map((s) => [s.staff_id, s.name]))
}
