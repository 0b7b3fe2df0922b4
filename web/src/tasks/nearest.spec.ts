import { describe, expect, it } from 'vitest'

import { byDistance, distanceAmount, metresTo } from './nearest'

// 桂花路1号 and places around it (about 111 m to each 0.001° of latitude).
const here = { lat: 29.355, lon: 104.7725 }

function at(id: string, lat: number | null, lon: number | null) {
  return { id, lat, lon }
}

describe('metresTo', () => {
  it('measures the great-circle distance from where I stand', () => {
    expect(metresTo(at('a', 29.356, 104.7725), here)).toBeCloseTo(111.2, 0)
    expect(metresTo(at('a', 29.355, 104.7725), here)).toBe(0)
  })

  it('has no distance for a case without a location', () => {
    expect(metresTo(at('a', null, null), here)).toBeNull()
    expect(metresTo({}, here)).toBeNull()
    expect(metresTo(at('c', 29.3, null), here)).toBeNull()
  })
})

describe('byDistance', () => {
  it('puts the nearest first and the cases without a location last', () => {
    const tasks = [
      at('far', 29.375, 104.7725),
      at('nowhere', null, null),
      at('near', 29.3555, 104.7725),
      at('middle', 29.36, 104.78),
    ]
    expect(byDistance(tasks, here).map((t) => t.id)).toEqual(['near', 'middle', 'far', 'nowhere'])
  })

  it('keeps the deadline order among equals', () => {
    const tasks = [
      at('due-first', 29.356, 104.7725),
      at('no-place-1', null, null),
      at('due-second', 29.356, 104.7725),
      at('no-place-2', null, null),
      at('due-third', 29.354, 104.7725),
    ]
    expect(byDistance(tasks, here).map((t) => t.id)).toEqual([
      'due-first',
      'due-second',
      'due-third',
      'no-place-1',
      'no-place-2',
    ])
  })

  it('leaves the list it was given as it was', () => {
    const tasks = [at('far', 29.4, 104.7725), at('near', 29.355, 104.7725)]
    byDistance(tasks, here)
    expect(tasks.map((t) => t.id)).toEqual(['far', 'near'])
  })
})

describe('distanceAmount', () => {
  it('says metres to the nearest ten below a kilometre, then kilometres', () => {
    expect(distanceAmount(0)).toEqual({ unit: 'm', value: '10' })
    expect(distanceAmount(346)).toEqual({ unit: 'm', value: '350' })
    expect(distanceAmount(994)).toEqual({ unit: 'm', value: '990' })
    expect(distanceAmount(1000)).toEqual({ unit: 'km', value: '1.0' })
    expect(distanceAmount(2_449)).toEqual({ unit: 'km', value: '2.4' })
    expect(distanceAmount(120_400)).toEqual({ unit: 'km', value: '120' })
  })
})
