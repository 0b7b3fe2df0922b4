import { describe, expect, it } from 'vitest'

import { formKeys } from './api'

describe('formKeys', () => {
  it('keeps the key while the same payload is resent, and not after it was done', () => {
    const keys = formKeys()
    const first = keys.key({ wall_id: 'W-1' })
    expect(keys.key({ wall_id: 'W-1' })).toBe(first)
    const changed = keys.key({ wall_id: 'W-2' })
    expect(changed).not.toBe(first)
    keys.done()
    expect(keys.key({ wall_id: 'W-2' })).not.toBe(changed)
  })
})
