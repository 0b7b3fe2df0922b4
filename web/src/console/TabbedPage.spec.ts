import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'

import { createAppI18n } from '@/kit/i18n'

import TabbedPage from './TabbedPage.vue'

// 系统管理's own tabs and names, so that the labels are the ones a user reads.
const TABS = ['import', 'staff', 'policies'] as const

async function mountAt(address: string) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/console', component: { template: '<p />' } },
      { path: '/console/admin', component: { template: '<p />' } },
    ],
  })
  await router.push(address)
  const page = defineComponent(() => () =>
    h(
      TabbedPage,
      { title: '系统管理', tabs: TABS, labels: 'console.admin.tabs' },
      { default: ({ tab }: { tab: string }) => h('p', { 'data-panel': tab }, tab) },
    ),
  )
  const wrapper = mount(page, { global: { plugins: [createAppI18n('zh-CN'), router] } })
  await flushPromises()
  return { wrapper, router }
}

function pressed(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper']): string[] {
  return wrapper.findAll('button[aria-pressed="true"]').map((button) => button.attributes('data-tab') ?? '')
}

describe('TabbedPage', () => {
  it('opens the first tab when the address names none, under the heading and a way back', async () => {
    const { wrapper } = await mountAt('/console/admin')

    expect(wrapper.find('h1').text()).toBe('系统管理')
    expect(wrapper.find('nav').attributes('aria-label')).toBe('系统管理')
    expect(wrapper.find('a[href="/console"]').exists()).toBe(true)
    expect(pressed(wrapper)).toEqual(['import'])
    expect(wrapper.find('[data-panel]').attributes('data-panel')).toBe('import')
  })

  it("opens the address's tab, and an unknown one as the first", async () => {
    expect(pressed((await mountAt('/console/admin?tab=staff')).wrapper)).toEqual(['staff'])
    expect(pressed((await mountAt('/console/admin?tab=nothing')).wrapper)).toEqual(['import'])
  })

  it('puts a chosen tab in the address and shows its panel', async () => {
    const { wrapper, router } = await mountAt('/console/admin')

    await wrapper.find('button[data-tab="policies"]').trigger('click')
    await flushPromises()

    expect(router.currentRoute.value.query.tab).toBe('policies')
    expect(pressed(wrapper)).toEqual(['policies'])
    expect(wrapper.find('[data-panel]').text()).toBe('policies')
  })

  it('names each tab from the messages, in the given order', async () => {
    const { wrapper } = await mountAt('/console/admin')

    expect(wrapper.findAll('nav button').map((button) => button.text())).toEqual([
      '目录导入',
      '人员与请假',
      '时限规则',
    ])
  })
})
