import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import CaseStatusTag from './CaseStatusTag.vue'

describe('CaseStatusTag', () => {
  it('names a status in the words of a grid member', () => {
    const wrapper = mount(CaseStatusTag, {
      props: { status: 'assigned' },
      global: { plugins: [createAppI18n('zh-CN')] },
    })

    expect(wrapper.text()).toBe('待签收')
  })

  it('shows an unknown status as it is rather than nothing', () => {
    const wrapper = mount(CaseStatusTag, {
      props: { status: 'archived' },
      global: { plugins: [createAppI18n('en')] },
    })

    expect(wrapper.text()).toBe('archived')
  })
})
