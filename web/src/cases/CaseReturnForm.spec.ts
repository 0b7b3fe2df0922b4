import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'
import { forgetAll } from '@/kit/offline'

import CaseReturnForm from './CaseReturnForm.vue'

function mountForm(locale: 'zh-CN' | 'en' = 'zh-CN') {
  return mount(CaseReturnForm, {
    props: { busy: false, caseId: 'c-1' },
    global: {
      plugins: [createAppI18n(locale)],
      stubs: { VanButton: { template: '<button type="submit"><slot /></button>' } },
    },
  })
}

function phraseButtons(wrapper: ReturnType<typeof mountForm>): string[] {
  return wrapper.findAll('[data-phrases] button').map((b) => b.text())
}

describe('CaseReturnForm', () => {
  beforeEach(() => {
    forgetAll()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('offers the unit’s managed phrases, the district’s first, each once', async () => {
    const fetch = vi.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          items: [
            { unit: 'area:510302', action: 'return', phrases: ['非本辖区事项', '重复件'] },
            { unit: 'area:510302001001', action: 'return', phrases: ['重复件', '需物业处理'] },
          ],
        }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      ),
    )
    vi.stubGlobal('fetch', fetch)
    const wrapper = mountForm()
    await flushPromises()

    expect(String(fetch.mock.calls[0]?.[0])).toBe('/api/dispatch/v1/phrases?action=return')
    expect(phraseButtons(wrapper)).toEqual(['非本辖区事项', '重复件', '需物业处理'])
    await wrapper.findAll('[data-phrases] button')[2]?.trigger('click')
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('需物业处理')
  })

  it('offers no built-in phrase when the unit keeps none', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(new Response('{"items": []}', { status: 200 })),
    )
    const wrapper = mountForm()
    await flushPromises()

    expect(wrapper.find('[data-phrases]').exists()).toBe(false)
  })

  it('uses the phrases last read when the network is gone', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        new Response('{"items": [{"unit": "area:510302", "action": "return", "phrases": ["重复件"]}]}'),
      ),
    )
    mountForm()
    await flushPromises()
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const offline = mountForm()
    await flushPromises()

    expect(phraseButtons(offline)).toEqual(['重复件'])
  })

  it('falls back to the built-in phrases, in the screen’s language, offline and never read', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const wrapper = mountForm('en')
    await flushPromises()

    expect(phraseButtons(wrapper)).toEqual([
      'Not in my grid',
      'Needs a department',
      'Address wrong, cannot find it',
      "Reporter's details incomplete",
    ])
  })
})
