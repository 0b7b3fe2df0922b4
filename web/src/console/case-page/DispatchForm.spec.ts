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
const departments = { items: [{ code: 'water', name: '水务局', mine: false }] }

async function mountForm(answer: Response) {
  const fetch = vi.fn<(url: string, init?: RequestInit) => Promise<Response>>((url) => {
    if (url.includes('areas.geojson')) return Promise.resolve(Response.json(grids))
    if (url.includes('departments')) return Promise.resolve(Response.json(departments))
    if (url.includes('phrases')) return Promise.resolve(Response.json(phrases))
    return Promise.resolve(answer)
  })
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

    const [url, init] = fetch.mock.calls.find(([called]) => called.endsWith('/dispatch')) as unknown as [
      string,
      RequestInit,
    ]
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

  it('offers the departments by name and sends the chosen one', async () => {
    const fetch = vi.fn<(url: string, init?: RequestInit) => Promise<Response>>((url) => {
      if (url.includes('areas.geojson')) return Promise.resolve(Response.json(grids))
      if (url.includes('departments')) return Promise.resolve(Response.json(departments))
      if (url.includes('phrases')) return Promise.resolve(Response.json(phrases))
      return Promise.resolve(Response.json({ ...detail, status: 'routed' }))
    })
    vi.stubGlobal('fetch', fetch)
    const wrapper = mount(DispatchForm, { props: { detail }, global: { plugins: [createAppI18n('zh-CN')] } })
    await flushPromises()
    await wrapper.find('input[value=department]').setValue(true)
    await wrapper.find('input[value=department]').trigger('change')
    expect(wrapper.find('#dispatch-department').text()).toContain('水务局（water）')
    await wrapper.find('#dispatch-department').setValue('water')
    await wrapper.find('#dispatch-reason').setValue('供水管网问题')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    const sent = fetch.mock.calls.find(([called]) => called.endsWith('/dispatch')) as unknown as [string, RequestInit]
    expect(JSON.parse(sent[1].body as string)).toEqual({
      department_code: 'water',
      reason: '供水管网问题',
    })
  })
})
