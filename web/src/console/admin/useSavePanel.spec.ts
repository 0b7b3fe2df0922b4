import { describe, expect, it } from 'vitest'

import { ApiError } from '@/kit/http'

import { useSavePanel, versionOf } from './useSavePanel'

const t = (key: string, named?: Record<string, unknown>) => `${key}${named ? ` ${JSON.stringify(named)}` : ''}`

describe('useSavePanel', () => {
  it('says it is saved and reads the panel again', async () => {
    const panel = useSavePanel(t)
    const reads: string[] = []

    const ok = await panel.save(
      () => Promise.resolve(),
      () => 'saved',
      () => {
        reads.push('again')
        return Promise.resolve()
      },
    )

    expect(ok).toBe(true)
    expect(panel.notice.value).toBe('saved')
    expect(panel.problems.value.general).toBe('')
    expect(reads).toEqual(['again'])
    expect(panel.saving.value).toBe(false)
  })

  it('shows a 409 as changed by someone else, with who, and does not read again', async () => {
    const panel = useSavePanel(t)
    const conflict = new ApiError('conflict', 409, 'admin-alice changed the day 2026-12-24 at …', 'c1')
    let readAgain = false

    const ok = await panel.save(
      () => Promise.reject(conflict),
      () => 'saved',
      () => {
        readAgain = true
        return Promise.resolve()
      },
    )

    expect(ok).toBe(false)
    expect(panel.problems.value.conflict).toBe(true)
    expect(panel.problems.value.general).toContain('console.admin.conflict')
    expect(panel.problems.value.general).toContain('admin-alice')
    expect(panel.notice.value).toBe('')
    expect(readAgain).toBe(false)
    expect(panel.saving.value).toBe(false)
  })

  it('places 422 field messages at their fields and forgets them on the next edit', async () => {
    const panel = useSavePanel(t)
    const invalid = new ApiError('invalid', 422, '', 'c2', [{ field: '0.amount', message: 'too big' }])

    await panel.save(() => Promise.reject(invalid), () => 'saved')
    expect(panel.problems.value.fields['0.amount']).toBe('too big')

    panel.clear()
    expect(panel.problems.value.fields).toEqual({})
  })

  it('clears the last notice when a new save is refused', async () => {
    const panel = useSavePanel(t)
    await panel.save(() => Promise.resolve(), () => 'saved')

    await panel.save(() => Promise.reject(new ApiError('forbidden', 403, 'not yours', 'c3')), () => 'saved')

    expect(panel.notice.value).toBe('')
    expect(panel.problems.value.general).not.toBe('')
  })
})

describe('versionOf', () => {
  it('is the row as read, and nothing for a new row', () => {
    expect(versionOf({ updated_at: '2026-11-28T12:00:00+00:00' })).toBe('2026-11-28T12:00:00+00:00')
    expect(versionOf(null)).toBeUndefined()
  })
})
