import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import { NO_PROBLEMS } from './problems'
import RefusalAlert from './RefusalAlert.vue'

// The real button, without its stylesheet (Node cannot import CSS).
vi.mock('../element', async () => {
  const element = await import('element-plus')
  return { ElButton: element.ElButton }
})

function mountWith(problems: typeof NO_PROBLEMS, tag?: 'p' | 'div') {
  return mount(RefusalAlert, { props: { problems, tag }, global: { plugins: [createAppI18n('zh-CN')] } })
}

describe('RefusalAlert', () => {
  it('says nothing when nothing was refused', () => {
    expect(mountWith(NO_PROBLEMS).find('[role="alert"]').exists()).toBe(false)
  })

  it("says a refusal's general problem, with no button when it is no conflict", () => {
    const wrapper = mountWith({ fields: {}, general: '时限不能为负数', conflict: false })

    expect(wrapper.get('p[role="alert"]').text()).toBe('时限不能为负数')
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('offers to read the row again on a conflict, in the element asked for', async () => {
    const wrapper = mountWith({ fields: {}, general: '已被他人修改，请刷新后再改', conflict: true }, 'div')

    await wrapper.get('div[role="alert"] button').trigger('click')

    expect(wrapper.get('button').text()).toBe('刷新')
    expect(wrapper.emitted('reload')).toHaveLength(1)
  })
})
