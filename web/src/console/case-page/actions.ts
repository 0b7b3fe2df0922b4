// Which case actions a desk role is offered, following dispatch's workflow rules
// (services/dispatch/src/dispatch/workflow/rules.py), its hand-off rules (改派 and 认领,
// services/dispatch/src/dispatch/handoffs/rules.py) and escalation's 督办 roles. Only a
// hint for the screen: the services decide (403 with the reason, 409 with the state).
import type { CaseDetail } from '@/kit/api'

export type DeskAction =
  | 'transfer'
  | 'close'
  | 'reopen'
  | 'suspend'
  | 'resume'
  | 'approve'
  | 'reject'
  | 'evaluate'
  | 'supervise'
  | 'reassign'
  | 'claim'

export interface Me {
  role: string
  staffId: string
  /** The person's grid, community, street or district (the token's area_code). */
  areaCode?: string | null
  departmentCode?: string | null
  /** A department operator with post A is the department's lead (who may 改派). */
  post?: string | null
}

const CENTRE = ['dispatcher', 'district_center']
/** Who hands a case on by dispatching it: the centre (and the city level). */
const DISPATCH_CENTRE = [...CENTRE, 'city_center']
const AREA_SUPERVISORS = ['grid_leader', 'station_master', 'street_officer']
const CLOSERS = [...CENTRE, 'grid_leader', 'station_master']
const SUPERVISION_ISSUERS = ['station_master', 'street_officer', 'district_center']
const OPEN = ['triage', 'routed', 'assigned', 'accepted', 'suspended']

type CaseState = Pick<CaseDetail, 'status' | 'assignee_id' | 'resolved_by' | 'extension_status'> &
  Partial<Pick<CaseDetail, 'target' | 'grid_code' | 'community_code' | 'department_code'>>

/** 派遣 (the dispatch form): a case in triage or waiting in a unit's queue, by the centre. */
export function mayDispatch(status: string, role: string): boolean {
  return ['triage', 'routed'].includes(status) && DISPATCH_CENTRE.includes(role)
}

/** 改派 within the case's unit: the centre, its grid leader, the community's station
 * master, or the lead of its department. */
function mayReassign(detail: CaseState, me: Me): boolean {
  if (!['routed', 'assigned', 'accepted'].includes(detail.status)) return false
  if (DISPATCH_CENTRE.includes(me.role)) return true
  const area = detail.grid_code ?? detail.community_code ?? null
  if (me.role === 'grid_leader') return !!detail.grid_code && detail.grid_code === me.areaCode
  if (me.role === 'station_master') return !!area && !!me.areaCode && area.startsWith(me.areaCode)
  return (
    me.role === 'department_operator' &&
    me.post === 'A' &&
    !!detail.department_code &&
    detail.department_code === me.departmentCode
  )
}

/** 认领: an operator takes an unassigned case waiting in their department's queue. */
function mayClaim(detail: CaseState, me: Me): boolean {
  return (
    detail.status === 'routed' &&
    detail.assignee_id === null &&
    detail.target === 'department' &&
    me.role === 'department_operator' &&
    !!detail.department_code &&
    detail.department_code === me.departmentCode
  )
}

/** Whom to ask for the people on duty who may take the case over: its unit. */
export function unitOfCase(
  detail: Partial<Pick<CaseDetail, 'target' | 'grid_code' | 'community_code' | 'department_code'>>,
): { area_code: string } | { department_code: string } | null {
  if (detail.target === 'grid' && detail.grid_code) return { area_code: detail.grid_code }
  if (detail.target === 'community' && detail.community_code) return { area_code: detail.community_code }
  if (detail.target === 'department' && detail.department_code) return { department_code: detail.department_code }
  return null
}

export function deskActions(detail: CaseState, me: Me): DeskAction[] {
  const status = detail.status
  const assignee = detail.assignee_id !== null && detail.assignee_id === me.staffId
  const supervisor = CENTRE.includes(me.role) || AREA_SUPERVISORS.includes(me.role)
  const offered: [DeskAction, boolean][] = [
    ['claim', mayClaim(detail, me)],
    ['reassign', mayReassign(detail, me) && unitOfCase(detail) !== null],
    ['transfer', ['triage', 'routed', 'assigned', 'accepted'].includes(status) && (assignee || supervisor)],
    ['suspend', status === 'accepted' && assignee],
    ['resume', status === 'suspended' && (assignee || supervisor)],
    [
      'approve',
      detail.extension_status === 'pending' && ['accepted', 'suspended'].includes(status) && supervisor,
    ],
    [
      'reject',
      detail.extension_status === 'pending' && ['accepted', 'suspended'].includes(status) && supervisor,
    ],
    ['close', status === 'resolved' && CLOSERS.includes(me.role) && detail.resolved_by !== me.staffId],
    ['reopen', ['resolved', 'closed', 'evaluated'].includes(status) && CLOSERS.includes(me.role)],
    ['evaluate', status === 'closed' && CENTRE.includes(me.role)],
    ['supervise', OPEN.includes(status) && SUPERVISION_ISSUERS.includes(me.role)],
  ]
  return offered.filter(([, allowed]) => allowed).map(([action]) => action)
}
