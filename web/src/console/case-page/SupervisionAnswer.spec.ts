import { describe, expect, it } from 'vitest'

import { answersFor } from '../desk-api'

const gridOrder = { grid_code: '510302001001001', department_code: null }
const departmentOrder = { grid_code: null, department_code: 'chengguan' }

function person(role: string, area_code: string | null, department_code: string | null = null) {
  return { role, area_code, department_code }
}

describe('answersFor', () => {
  it("is the addressed grid's members and leader", () => {
    expect(answersFor(person('grid_member', '510302001001001'), gridOrder)).toBe(true)
    expect(answersFor(person('grid_leader', '510302001001001'), gridOrder)).toBe(true)
  })

  it("is not another grid's people, nor the supervisors who issue orders", () => {
    expect(answersFor(person('grid_member', '510302001001002'), gridOrder)).toBe(false)
    expect(answersFor(person('station_master', '510302001001'), gridOrder)).toBe(false)
    expect(answersFor(person('district_center', '510302'), gridOrder)).toBe(false)
    expect(answersFor(null, gridOrder)).toBe(false)
  })

  it("is the addressed department's operators only", () => {
    expect(answersFor(person('department_operator', '510302', 'chengguan'), departmentOrder)).toBe(true)
    expect(answersFor(person('department_operator', '510302', 'water'), departmentOrder)).toBe(false)
    expect(answersFor(person('department_operator', '510302', 'chengguan'), gridOrder)).toBe(false)
  })
})
