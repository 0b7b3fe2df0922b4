import { describe, expect, it } from 'vitest'

import { deskActions, mayDispatch, unitOfCase } from './actions'

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

  it('offers 改派 within the unit to the centre, its grid leader, station master and department lead', () => {
    const inGrid = { ...base, status: 'assigned', assignee_id: 'gm1', target: 'grid', grid_code: '510302001001001', community_code: '510302001001' }
    expect(deskActions(inGrid, dispatcher)).toContain('reassign')
    expect(deskActions(inGrid, { role: 'grid_leader', staffId: 'gl1', areaCode: '510302001001001' })).toContain('reassign')
    expect(deskActions(inGrid, { role: 'grid_leader', staffId: 'gl2', areaCode: '510302001001002' })).not.toContain('reassign')
    expect(deskActions(inGrid, { role: 'station_master', staffId: 'sm1', areaCode: '510302001001' })).toContain('reassign')
    expect(deskActions(inGrid, { role: 'grid_member', staffId: 'gm1', areaCode: '510302001001001' })).not.toContain('reassign')
    const inDepartment = { ...base, status: 'accepted', assignee_id: 'water2', target: 'department', department_code: 'water' }
    const operator = { role: 'department_operator', staffId: 'water1', departmentCode: 'water' }
    expect(deskActions(inDepartment, { ...operator, post: 'A' })).toContain('reassign')
    expect(deskActions(inDepartment, { ...operator, post: 'B' })).not.toContain('reassign')
    expect(deskActions({ ...inGrid, status: 'resolved' }, dispatcher)).not.toContain('reassign')
  })

  it('offers 认领 of an unassigned case in the queue only to an operator of its department', () => {
    const queued = { ...base, status: 'routed', target: 'department', department_code: 'water' }
    const water = { role: 'department_operator', staffId: 'water1', departmentCode: 'water' }
    expect(deskActions(queued, water)).toContain('claim')
    expect(deskActions(queued, { ...water, departmentCode: 'urban' })).not.toContain('claim')
    expect(deskActions({ ...queued, assignee_id: 'water2' }, water)).not.toContain('claim')
    expect(deskActions(queued, dispatcher)).not.toContain('claim')
  })
})

describe('unitOfCase', () => {
  it('names the grid, community or department that holds the case', () => {
    expect(unitOfCase({ target: 'grid', grid_code: '510302001001001', community_code: '510302001001' })).toEqual({
      area_code: '510302001001001',
    })
    expect(unitOfCase({ target: 'community', grid_code: null, community_code: '510302001001' })).toEqual({
      area_code: '510302001001',
    })
    expect(unitOfCase({ target: 'department', department_code: 'water' })).toEqual({ department_code: 'water' })
    expect(unitOfCase({ target: 'triage' })).toBeNull()
  })
})

describe('mayDispatch', () => {
  it('offers the dispatch form on a triage or queued case to the centre only', () => {
    expect(mayDispatch('triage', 'dispatcher')).toBe(true)
    expect(mayDispatch('routed', 'district_center')).toBe(true)
    expect(mayDispatch('routed', 'department_operator')).toBe(false)
    expect(mayDispatch('assigned', 'dispatcher')).toBe(false)
  })
})
