import { describe as suite, expect, it } from 'vitest'

import { describe } from './options'

suite('a chart read out', () => {
  it('says each rate, then each bar with its figure and sample; a rate over no sample is a dash', () => {
    const said = describe(
      ['东城街道', '西城街道'],
      [
        { name: '响应率', data: [{ value: 0.5, n: 2 }, { value: 1, n: 7 }] },
        { name: '满意率', data: [{ value: null, n: 0 }, { value: 0.8571, n: 7 }] },
      ],
    )
    expect(said).toBe(
      '响应率：东城街道 50.0%（n=2），西城街道 100.0%（n=7）；满意率：东城街道 —（n=0），西城街道 85.7%（n=7）',
    )
  })
})
