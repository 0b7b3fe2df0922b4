import { describe, expect, it } from 'vitest'

import { fitWithin, formatBytes } from './photo'

describe('fitWithin', () => {
  it('scales a camera picture down to 1600 pixels on its longer side', () => {
    expect(fitWithin(4032, 3024)).toEqual([1600, 1200])
    expect(fitWithin(3024, 4032)).toEqual([1200, 1600])
  })

  it('leaves a small picture as it is', () => {
    expect(fitWithin(800, 600)).toEqual([800, 600])
  })
})

describe('formatBytes', () => {
  it('says sizes as a person reads them', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(300 * 1024)).toBe('300 KB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB')
  })
})
