import { describe, expect, it } from 'vitest'

import { flush, forgetAll, recall, remember, rememberText } from './offline'

describe('kept answers', () => {
  it('are readable at once, and written to storage after the paint', () => {
    forgetAll()
    rememberText('/api/dispatch/v1/tasks?limit=200', '[{"id":"c1"}]')
    expect(localStorage.getItem('gridcase.offline./api/dispatch/v1/tasks?limit=200')).toBeNull()
    expect(recall('/api/dispatch/v1/tasks?limit=200')).toEqual({ found: true, body: [{ id: 'c1' }] })

    flush()
    expect(localStorage.getItem('gridcase.offline./api/dispatch/v1/tasks?limit=200')).toBe(
      '[{"id":"c1"}]',
    )
    expect(recall('/api/dispatch/v1/tasks?limit=200')).toEqual({ found: true, body: [{ id: 'c1' }] })
  })

  it('are written when the page is left', () => {
    forgetAll()
    remember('/api/dispatch/v1/cases/c1', { id: 'c1' })
    window.dispatchEvent(new Event('pagehide'))
    expect(localStorage.getItem('gridcase.offline./api/dispatch/v1/cases/c1')).toBe('{"id":"c1"}')
  })

  it('are all forgotten at sign-out, written or not', () => {
    remember('/a', 1)
    flush()
    remember('/b', 2)
    forgetAll()
    flush()
    expect(recall('/a').found).toBe(false)
    expect(recall('/b').found).toBe(false)
  })
})
