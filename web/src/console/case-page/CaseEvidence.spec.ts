import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import CaseEvidence from './CaseEvidence.vue'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('CaseEvidence', () => {
  it('shows the before and after photos with their alt text, each opening full size', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) =>
        Promise.resolve(
          url.endsWith('gone.jpg') ? new Response('', { status: 404 }) : new Response(new Blob(['jpg'])),
        ),
      ),
    )
    let made = 0
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => `blob:photo-${++made}`, revokeObjectURL: () => undefined }))
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(CaseEvidence, {
      props: {
        evidence: ['/v1/attachments/a.jpg', '/v1/attachments/b.jpg', '/v1/attachments/gone.jpg'],
        kinds: { '/v1/attachments/a.jpg': 'before', '/v1/attachments/b.jpg': 'after' },
      },
      global: { plugins: [pinia, createAppI18n('zh-CN')] },
    })
    await flushPromises()
    const images = wrapper.findAll('img')
    expect(images.map((img) => img.attributes('alt'))).toEqual(['整改前照片', '整改后照片'])
    expect(wrapper.findAll('a').map((a) => a.attributes('href'))).toEqual(images.map((img) => img.attributes('src')))
    expect(wrapper.text()).toContain('有 1 张照片暂时无法显示')
  })

  it('shows nothing when the case has no photos', () => {
    const wrapper = mount(CaseEvidence, {
      props: { evidence: [], kinds: {} },
      global: { plugins: [createPinia(), createAppI18n('zh-CN')] },
    })
    expect(wrapper.find('section').exists()).toBe(false)
  })
})
