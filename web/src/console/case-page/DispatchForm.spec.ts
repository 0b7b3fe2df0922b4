import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { CaseDetail } from '@/kit/api'
import { createAppI18n } from '@/kit/i18n'

import DispatchForm from './DispatchForm.vue'

// The real components, without their stylesheets (Node cannot import CSS).
vi.mock('../element', async () => {
  const element = await import('element-plus')
  return { ElAlert: element.ElAlert, ElButton: element.ElButton, ElInput: element.ElInput }
})

const detail = { id: 'c1', version: 3, status: 'triage' } as CaseDetail
const grids = {
  type: 'FeatureCollection',
  features: [{ properties: { code: '510302001001001', name: '桂花社区一网格' } }],
}
const phrases = { items: [{ unit: '510302', action: 'dispatch', phrases: ['地址已核实'] }] }

async function mountForm(answer: Response) {
  const fetch = vi
    .fn()
    .mockResolvedValueOnce(Response.json(grids))
    .mockResolvedValueOnce(Response.json(phrases))
    .mockResolvedValueOnce(answer)
  vi.stubGlobal('fetch', fetch)
  const wrapper = mount(DispatchForm, {
    props: { detail },
    global: { plugins: [createAppI18n('zh-CN')] },
  })
  await flushPromises()
  await wrapper.find('#dispatch-grid').setValue('510302001001001')
  await wrapper.find('button.phrase').trigger('click')
  await wrapper.find('form').trigger('submit')
  await flushPromises()
  return { wrapper, fetch }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('DispatchForm', () => {
  it('sends the grid, the phrase as the reason and If-Match with the version', async () => {
    const { wrapper, fetch } = await mountForm(Response.json({ ...detail, status: 'assigned' }))

    const [url, init] = fetch.mock.calls[2] as [string, RequestInit]
    expect(url).toBe('/api/dispatch/v1/cases/c1/dispatch')
    expect(JSON.parse(init.body as string)).toEqual({
      grid_code: '510302001001001',
      reason: '地址已核实',
    })
    expect(new Headers(init.headers).get('If-Match')).toBe('"3"')
    expect(wrapper.emitted('dispatched')).toHaveLength(1)
  })

  it('says in words that someone else moved the case on a 409', async () => {
    const { wrapper } = await mountForm(
      Response.json({ detail: 'version mismatch', status: 'assigned', version: 4 }, { status: 409 }),
    )

    expect(wrapper.find('[role=alert]').text()).toBe(
      '这件案子刚被别人处理过（现在是“已派”），已为您刷新，请查看后再决定。',
    )
    expect(wrapper.emitted('conflict')).toHaveLength(1)
  })
})
