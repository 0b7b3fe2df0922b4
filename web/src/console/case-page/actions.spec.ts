import { describe, expect, it } from 'vitest'

import { deskActions } from './actions'

const dispatcher = { role: 'dispatcher', staffId: 'dp1' }
const base = { assignee_id: null, resolved_by: null, extension_status: null }

describe('deskActions', () => {
  it('offers a dispatcher transfer on an open case and 督办 only to supervisors of the area', () => {
    expect(deskActions({ ...base, status: 'triage' }, dispatcher)).toEqual(['transfer'])
    expect(deskActions({ ...base, status: 'assigned' }, { role: 'station_master', staffId: 'sm11' })).toEqual([
      'transfer',
      'supervise',
    ])
  })

  it('offers closing to someone other than the resolver, then the callback', () => {
    expect(deskActions({ ...base, status: 'resolved', resolved_by: 'gm1' }, dispatcher)).toEqual(['close', 'reopen'])
    expect(deskActions({ ...base, status: 'resolved', resolved_by: 'dp1' }, dispatcher)).toEqual(['reopen'])
    expect(deskActions({ ...base, status: 'closed' }, dispatcher)).toEqual(['reopen', 'evaluate'])
  })

  it('offers deciding a pending extension and suspending to the assignee', () => {
    expect(
      deskActions({ ...base, status: 'accepted', extension_status: 'pending', assignee_id: 'gm1' }, dispatcher),
    ).toEqual(['transfer', 'approve', 'reject'])
    expect(
      deskActions({ ...base, status: 'accepted', assignee_id: 'op1' }, { role: 'department_operator', staffId: 'op1' }),
    ).toEqual(['transfer', 'suspend'])
  })

  it('offers nothing to a grid member on a case of someone else', () => {
    expect(deskActions({ ...base, status: 'closed' }, { role: 'grid_member', staffId: 'gm9' })).toEqual([])
  })
})
