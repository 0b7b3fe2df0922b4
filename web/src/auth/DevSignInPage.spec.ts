import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import { createAppI18n } from '@/kit/i18n'

import DevSignInPage from './DevSignInPage.vue'

const people = [
  {
    staff_id: 'water1',
    name: '周敏',
    role: 'department_operator',
    post: null,
    area_code: null,
    area_name: null,
    department_code: 'water',
    department_name: '水务局',
  },
  {
    staff_id: 'gm111a',
    name: '李磊静',
    role: 'grid_member',
    post: 'A',
    area_code: '510302001001001',
    area_name: '桂花社区一网格',
    department_code: null,
    department_name: null,
  },
]

async function mountPage() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/sign-in', component: DevSignInPage },
      { path: '/tasks', component: { template: '<p>tasks</p>' } },
      { path: '/console', component: { template: '<p>console</p>' } },
    ],
  })
  await router.push('/sign-in')
  const wrapper = mount(DevSignInPage, {
    global: {
      plugins: [createAppI18n('zh-CN'), router],
      stubs: { VanNavBar: { template: '<nav><slot name="title" /></nav>' }, VanSearch: true, VanLoading: true },
    },
  })
  await flushPromises()
  return { wrapper, router }
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('DevSignInPage', () => {
  it('lists grid members first, each with role, unit and post', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(Response.json(people)))

    const { wrapper } = await mountPage()

    const buttons = wrapper.findAll('button.person')
    expect(buttons.map((b) => b.attributes('data-staff-id'))).toEqual(['gm111a', 'water1'])
    expect(buttons[0]?.text()).toBe('李磊静网格员 · 桂花社区一网格 · A岗')
    expect(buttons[1]?.attributes('aria-label')).toBe('以 周敏（部门办理员 · 水务局）登录')
  })

  it('says that development sign-in is off where the service has no such route', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(Response.json({ detail: 'Not Found' }, { status: 404 })),
    )

    const { wrapper } = await mountPage()

    expect(wrapper.find('[role=alert]').text()).toBe(
      '此环境未开放开发登录，请使用单位统一身份认证登录。',
    )
    expect(wrapper.findAll('button.person')).toHaveLength(0)
  })

  it('signs in as the person tapped and goes to 今日任务', async () => {
    const expires = new Date(Date.now() + 3600_000).toISOString()
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(Response.json(people))
      .mockResolvedValueOnce(Response.json({ token: 't', expires_at: expires, person: people[1] }))
    vi.stubGlobal('fetch', fetch)
    const { wrapper, router } = await mountPage()

    await wrapper.find('button[data-staff-id=gm111a]').trigger('click')
    await flushPromises()

    const [url, init] = fetch.mock.calls[1] as [string, RequestInit]
    expect(url).toBe('/api/dispatch/v1/dev/sign-in')
    expect(init.body).toBe('{"staff_id":"gm111a"}')
    expect(router.currentRoute.value.path).toBe('/tasks')
  })

  it('signs a station master in to the console, a desk role', async () => {
    const expires = new Date(Date.now() + 3600_000).toISOString()
    const master = {
      ...people[1],
      staff_id: 'sm11',
      name: '站长',
      role: 'station_master',
      post: null,
      area_code: '510302001001',
    }
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(Response.json([...people, master]))
      .mockResolvedValueOnce(Response.json({ token: 't', expires_at: expires, person: master }))
    vi.stubGlobal('fetch', fetch)
    const { wrapper, router } = await mountPage()

    await wrapper.find('button[data-staff-id=sm11]').trigger('click')
    await flushPromises()

    expect(router.currentRoute.value.path).toBe('/console')
  })
})
