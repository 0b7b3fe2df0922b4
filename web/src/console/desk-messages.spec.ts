import { describe, expect, it } from 'vitest'

import { STATUSES } from './deliveries/api'
import desk from './messages'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key))
}

describe('console messages', () => {
  it('says everything in English that it says in Chinese', () => {
    expect(keys(desk.en).sort()).toEqual(keys(desk['zh-CN']).sort())
  })

  it("names every status of a case's notifications (已发送的通知) rather than showing its code", () => {
    const named = Object.keys(desk['zh-CN'].deliveries.statuses)

    expect(STATUSES.filter((status) => !named.includes(status))).toEqual([])
  })
})
