import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { useAuthStore } from '@/auth/store'
import type { CaseDetail } from '@/kit/api'
import { createAppI18n } from '@/kit/i18n'

import ActionsPanel from './ActionsPanel.vue'

// The real components, without their stylesheets (Node cannot import CSS).
vi.mock('../element', async () => {
  const element = await import('element-plus')
  return { ElButton: element.ElButton, ElInput: element.ElInput }
})

const detail = {
  id: 'c1',
  version: 5,
  status: 'resolved',
  assignee_id: 'gm1',
  resolved_by: 'gm1',
  extension_status: null,
  extension_until: null,
} as unknown as CaseDetail

function answering(answer: Response) {
  const fetch = vi.fn<(url: string, init?: RequestInit) => Promise<Response>>((url) => {
    if (url.includes('phrases')) return Promise.resolve(Response.json({ items: [] }))
    return Promise.resolve(answer)
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

async function mountAs(role: string) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.session = {
    token: 't',
    person: { staff_id: 'dp1', name: '胡霞敏', role, area_code: '510302' },
  } as unknown as typeof auth.session
  const wrapper = mount(ActionsPanel, {
    props: { detail },
    global: { plugins: [pinia, createAppI18n('zh-CN')] },
  })
  await flushPromises()
  return wrapper
}

beforeEach(() => {
  localStorage.clear()
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('ActionsPanel', () => {
  it('closes a resolved case with a canned phrase as the note and If-Match', async () => {
    const fetch = answering(Response.json({ ...detail, status: 'closed', version: 6 }))
    const wrapper = await mountAs('dispatcher')
    expect(wrapper.findAll('[data-action]').map((b) => b.attributes('data-action'))).toEqual(['close', 'reopen'])

    await wrapper.find('[data-action="close"]').trigger('click')
    await flushPromises()
    await wrapper.find('button.phrase').trigger('click')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    const [url, init] = fetch.mock.calls.find(([called]) => called.endsWith('/close')) as [string, RequestInit]
    expect(url).toBe('/api/dispatch/v1/cases/c1/close')
    expect(new Headers(init.headers).get('If-Match')).toBe('"5"')
    expect(JSON.parse(init.body as string)).toEqual({ note: '现场核查属实，同意结案' })
    expect(wrapper.emitted('done')?.[0]?.[1]).toBe('已结案')
  })

  it('hands the conflict message to the page on a 409', async () => {
    answering(Response.json({ detail: 'version mismatch', status: 'closed', version: 6 }, { status: 409 }))
    const wrapper = await mountAs('dispatcher')
    await wrapper.find('[data-action="reopen"]').trigger('click')
    await wrapper.find('#action-text').setValue('群众反映问题未解决')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    expect(wrapper.emitted('conflict')?.[0]).toEqual([
      '这件案子刚被别人处理过（现在是“已结案”），已为您刷新，请查看后再决定。',
    ])
  })

  it('asks for a reason before sending a reopening', async () => {
    const fetch = answering(Response.json({}))
    const wrapper = await mountAs('dispatcher')
    await wrapper.find('[data-action="reopen"]').trigger('click')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    expect(wrapper.find('[role=alert]').text()).toBe('请填写理由')
    expect(fetch.mock.calls.some(([called]) => called.endsWith('/reopen'))).toBe(false)
  })
})
