import { describe, expect, it } from 'vitest'

import type { ClockRead } from './api'
import { counts, filtersFor, lateSeconds, mayReadOverdue, overdueRows, queryOf } from './overdue'

function clock(caseId: string, kind: ClockRead['kind'], remaining: number): ClockRead {
  return {
    case_id: caseId,
    tracking_no: `GC-${caseId}`,
    kind,
    generation: 1,
    status: 'running',
    started_at: '2026-11-27T08:00:00Z',
    due_at: '2026-11-28T08:00:00Z',
    limit: '24 hours',
    remaining_seconds: remaining,
    paused: false,
    breached: true,
    stopped_at: null,
    stop_reason: null,
    grid_code: '510302001001001',
    department_code: null,
    assignee_id: null,
  }
}

describe('who reads the overdue page, with which filters', () => {
  it('is a desk page: not the grid member phone', () => {
    expect(mayReadOverdue('dispatcher')).toBe(true)
    expect(mayReadOverdue('station_master')).toBe(true)
    expect(mayReadOverdue('department_operator')).toBe(true)
    expect(mayReadOverdue('grid_member')).toBe(false)
    expect(mayReadOverdue('')).toBe(false)
  })

  it('lets a district desk narrow by area and department, an area role by area, an operator by neither', () => {
    expect(filtersFor('dispatcher')).toEqual({ area: true, department: true })
    expect(filtersFor('station_master')).toEqual({ area: true, department: false })
    expect(filtersFor('department_operator')).toEqual({ area: false, department: false })
  })
})

describe('queryOf', () => {
  const desk = filtersFor('dispatcher')

  it('sends only the filters given, and those the role may set', () => {
    expect(queryOf({ clock: 'ownership', areaCode: ' 510302001 ', departmentCode: 'water' }, desk)).toEqual({
      query: { limit: '500', clock: 'ownership', area_code: '510302001', department_code: 'water' },
    })
    expect(queryOf({ clock: '', areaCode: '510302', departmentCode: 'water' }, filtersFor('department_operator'))).toEqual({
      query: { limit: '500' },
    })
  })

  it('says what is wrong with an area code before asking', () => {
    expect(queryOf({ clock: '', areaCode: '51a', departmentCode: '' }, desk)).toEqual({ problem: 'overdue.badArea' })
  })
})

describe('overdueRows and counts', () => {
  it('puts the longest overdue first and counts cases, not clocks', () => {
    const clocks = [clock('a', 'sign_for', -60), clock('b', 'ownership', -7200), clock('a', 'resolution', -3600)]
    expect(overdueRows(clocks).map((c) => [c.case_id, c.kind])).toEqual([
      ['b', 'ownership'],
      ['a', 'resolution'],
      ['a', 'sign_for'],
    ])
    expect(counts(clocks)).toEqual({ cases: 2, pushed: 1 })
    expect(clocks[0]?.kind).toBe('sign_for') // the list given is left as it was
  })
})

describe('lateSeconds', () => {
  it('counts a started minute whole, and at least one', () => {
    expect(lateSeconds(-5)).toBe(-60)
    expect(lateSeconds(0)).toBe(-60)
    expect(lateSeconds(-61)).toBe(-120)
    expect(lateSeconds(-7200)).toBe(-7200)
  })
})
