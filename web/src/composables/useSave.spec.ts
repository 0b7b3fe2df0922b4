import { describe, expect, it } from 'vitest'
import { createApp, defineComponent } from 'vue'

import { ApiError } from '@/kit/http'
import { createAppI18n } from '@/kit/i18n'

import { type SaveOptions, useSave } from './useSave'

function mounted(): ReturnType<typeof useSave> {
  return mountedWith({})
}

function mountedWith(options: SaveOptions): ReturnType<typeof useSave> {
  let state: ReturnType<typeof useSave> | undefined
  const app = createApp(
    defineComponent({
      setup() {
        state = useSave(options)
        return () => null
      },
    }),
  )
  app.use(createAppI18n('zh-CN'))
  app.mount(document.createElement('div'))
  if (!state) throw new Error('not mounted')
  return state
}

describe('useSave', () => {
  it('says it was done and returns the answer', async () => {
    const form = mounted()
    const answer = await form.save(() => Promise.resolve(3), (n) => `saved ${n}`)
    expect(answer).toBe(3)
    expect(form.notice.value).toBe('saved 3')
    expect(form.saving.value).toBe(false)
  })

  it('puts a 422 at its fields and a 409 above the form as a conflict', async () => {
    const form = mounted()
    const refused = await form.save<number>(() =>
      Promise.reject(new ApiError('invalid', 422, '', 'c1', [{ field: 'phrases.2', message: 'String should have at least 1 character' }])),
    )
    expect(refused).toBe(undefined)
    expect(form.problemAt('phrases.2')).toBe('String should have at least 1 character')

    await form.save(() => Promise.reject(new ApiError('conflict', 409, 'wall W-1 exists', 'c2')))
    expect(form.problems.value.conflict).toBe(true)
    expect(form.problems.value.general).toContain('wall W-1 exists')
    expect(form.problemAt('phrases.2')).toBe('')
  })

  it('says what a 409 means on a form that has its own word for it', () => {
    const form = mountedWith({ conflict: (detail) => `taken: ${detail}` })
    return form.save(() => Promise.reject(new ApiError('conflict', 409, 'wall W-1 exists', 'c3'))).then(() => {
      expect(form.problems.value.general).toBe('taken: wall W-1 exists')
    })
  })

  it('shows the form’s own findings the same way, and clears them on the next save', async () => {
    const form = mounted()
    form.refuse({ email: '邮箱格式不对' })
    expect(form.problemAt('email')).toBe('邮箱格式不对')
    await form.save(() => Promise.resolve(null))
    expect(form.problemAt('email')).toBe('')
  })
})
