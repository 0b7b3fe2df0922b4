import { describe, expect, it } from 'vitest'

import { mergeNames, nameOf } from './names'

describe("a case's names", () => {
  it('keeps what the lookups that answered found, and leaves out those that failed', () => {
    const names = mergeNames([
      { status: 'fulfilled', value: [['gm111a', '李磊静']] },
      { status: 'rejected', reason: new Error('directory down') },
      { status: 'fulfilled', value: [['sm11', '王站长'], ['gm111a', '别名']] },
    ])

    expect([...names]).toEqual([
      ['gm111a', '李磊静'],
      ['sm11', '王站长'],
    ])
  })

  it('shows a grid, department or person by name, and the code when none is known', () => {
    const names = {
      staff: new Map([['gm111a', '李磊静']]),
      units: new Map([['510302001001001', '桂花社区一网格']]),
    }

    expect(nameOf(names, '510302001001001')).toBe('桂花社区一网格')
    expect(nameOf(names, 'gm111a')).toBe('李磊静')
    expect(nameOf(names, 'dp9')).toBe('dp9')
  })
})
