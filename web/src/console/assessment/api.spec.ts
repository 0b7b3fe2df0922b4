import { describe, expect, it } from 'vitest'

import { componentOf, type MemberAssessment, scoreText } from './api'

describe('assessment figures', () => {
  it('shows a score with one place and a dash without one', () => {
    expect(scoreText(87.5)).toBe('87.5')
    expect(scoreText(100)).toBe('100.0')
    expect(scoreText(null)).toBe('—')
  })

  it('finds a component by name', () => {
    const member: MemberAssessment = {
      member_id: 'gm1',
      cases: 2,
      visits: 0,
      score: 50,
      rank: 1,
      review: false,
      components: [{ name: 'no_return', value: 0.5, numerator: 1, sample: 2, weight: 0.15 }],
    }
    expect(componentOf(member, 'no_return')?.sample).toBe(2)
    expect(componentOf(member, 'satisfaction')).toBeUndefined()
  })
})
