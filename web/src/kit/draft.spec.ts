import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'

import { useDraft } from './draft'

beforeEach(() => {
  localStorage.clear()
})

describe('useDraft', () => {
  it('keeps what was typed across a reload, and forgets it once sent', async () => {
    const first = useDraft('visit.notes')
    first.text.value = '老人独居，需要关注'
    await nextTick()

    const reloaded = useDraft('visit.notes')
    expect(reloaded.text.value).toBe('老人独居，需要关注')

    reloaded.clear()
    expect(useDraft('visit.notes').text.value).toBe('')
  })
})
