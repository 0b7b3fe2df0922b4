import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import CaseClocks from './CaseClocks.vue'

async function mountPanel(answer: Response) {
  const fetch = vi.fn<(url: string) => Promise<Response>>(() => Promise.resolve(answer))
  vi.stubGlobal('fetch', fetch)
  const wrapper = mount(CaseClocks, {
    props: { caseId: 'c1', version: 1, now: new Date('2026-11-28T08:00:00Z') },
    global: { plugins: [createAppI18n('zh-CN')] },
  })
  await flushPromises()
  return { wrapper, fetch }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('CaseClocks', () => {
  it('says plainly that no time limit runs yet for a case waiting in a queue (escalation: 404)', async () => {
    const { wrapper, fetch } = await mountPanel(
      Response.json({ detail: 'no clocks for this case' }, { status: 404 }),
    )

    expect(fetch.mock.calls[0]?.[0]).toBe('/api/escalation/v1/cases/c1/clocks')
    expect(wrapper.find('.muted').text()).toBe('暂无时限：此案件还没有开始计时')
    expect(wrapper.text()).not.toContain('无法读取')
  })

  it('says the time limits cannot be read when escalation fails or refuses', async () => {
    for (const status of [403, 503]) {
      const { wrapper } = await mountPanel(Response.json({ detail: 'no' }, { status }))

      expect(wrapper.find('.muted').text()).toBe('时限暂时无法读取')
      wrapper.unmount()
    }
  })
})
