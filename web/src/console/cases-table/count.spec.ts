import { describe, expect, it } from 'vitest'

import { countLabel } from './count'

describe('countLabel', () => {
  it('shows an exact count as it is', () => {
    expect(countLabel(2514, true, 'zh-CN')).toBe('2,514')
    expect(countLabel(0, true, 'en')).toBe('0')
  })

  it('shows a capped count as a floor', () => {
    expect(countLabel(10000, false, 'zh-CN')).toBe('10,000+')
    expect(countLabel(10000, false, 'en')).toBe('10,000+')
  })
})
