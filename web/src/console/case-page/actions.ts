// Which case actions a desk role is offered, following dispatch's workflow rules
// (services/dispatch/src/dispatch/workflow/rules.py) and escalation's 督办 roles. Only a
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

export interface Me {
  role: string
  staffId: string
}

const CENTRE = ['dispatcher', 'district_center']
const AREA_SUPERVISORS = ['grid_leader', 'station_master', 'street_officer']
const CLOSERS = [...CENTRE, 'grid_leader', 'station_master']
const SUPERVISION_ISSUERS = ['station_master', 'street_officer', 'district_center']
const OPEN = ['triage', 'routed', 'assigned', 'accepted', 'suspended']

type CaseState = Pick<CaseDetail, 'status' | 'assignee_id' | 'resolved_by' | 'extension_status'>

export function deskActions(detail: CaseState, me: Me): DeskAction[] {
  const status = detail.status
  const assignee = detail.assignee_id !== null && detail.assignee_id === me.staffId
  const supervisor = CENTRE.includes(me.role) || AREA_SUPERVISORS.includes(me.role)
  const offered: [DeskAction, boolean][] = [
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
