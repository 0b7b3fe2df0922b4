import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import CaseResolveForm from './CaseResolveForm.vue'

function mountForm() {
  return mount(CaseResolveForm, {
    props: { busy: false, caseId: 'c-1' },
    global: {
      plugins: [createAppI18n('zh-CN')],
      stubs: {
        VanButton: { template: '<button type="submit"><slot /></button>' },
        VanIcon: true,
      },
    },
  })
}

describe('CaseResolveForm', () => {
  it('offers a before and an after photo, each from the camera', () => {
    const wrapper = mountForm()

    const slots = wrapper.findAll('[data-photo-kind]')
    expect(slots.map((s) => s.attributes('data-photo-kind'))).toEqual(['before', 'after'])
    for (const slot of slots) {
      expect(slot.find('input').attributes('capture')).toBe('environment')
    }
    expect(slots.map((s) => s.find('.photo-button span').text())).toEqual([
      '拍整改前照片',
      '拍整改后照片',
    ])
  })

  it('does not resolve without both photos', async () => {
    const wrapper = mountForm()

    await wrapper.find('textarea').setValue('已清运')
    await wrapper.find('form').trigger('submit')

    expect(wrapper.find('[role=alert]').text()).toBe('请拍整改前、整改后各一张照片')
    expect(wrapper.emitted('submit')).toBeUndefined()
  })
})
