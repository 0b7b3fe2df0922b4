import { describe, expect, it } from 'vitest'

import desk from './messages'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key))
}

describe('console messages', () => {
  it('says everything in English that it says in Chinese', () => {
    expect(keys(desk.en).sort()).toEqual(keys(desk['zh-CN']).sort())
  })
})
