import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { CaseAttachmentRead } from '@/kit/api'
import { createAppI18n } from '@/kit/i18n'

import CaseAttachments from './CaseAttachments.vue'
import { formatSize, kindOf, shortName } from './attachments'

const HASH = 'a'.repeat(64)
const BASE = 'http://127.0.0.1:8080/api/intake/v1/attachments'

function item(over: Partial<CaseAttachmentRead>): CaseAttachmentRead {
  return {
    url: `${BASE}/${HASH}.jpg`,
    name: `${HASH}.jpg`,
    content_type: 'image/jpeg',
    size: 2048,
    source: 'report',
    tracking_no: 'GC-20261128-ABC123',
    added_at: '2026-11-28T09:00:00+08:00',
    ...over,
  }
}

function mountWith(items: CaseAttachmentRead[] | number) {
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      if (url.includes('/v1/cases/')) {
        return Promise.resolve(
          typeof items === 'number'
            ? new Response(JSON.stringify({ detail: 'no' }), { status: items, headers: { 'Content-Type': 'application/json' } })
            : new Response(JSON.stringify({ case_id: 'c-1', tracking_no: 'GC-20261128-ABC123', items }), {
                headers: { 'Content-Type': 'application/json' },
              }),
        )
      }
      return Promise.resolve(new Response(new Blob(['jpg'])))
    }),
  )
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:photo', revokeObjectURL: () => undefined }))
  const pinia = createPinia()
  setActivePinia(pinia)
  return mount(CaseAttachments, {
    props: { caseId: 'c-1', version: 3 },
    global: { plugins: [pinia, createAppI18n('zh-CN')] },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('CaseAttachments', () => {
  it('shows the report photos as thumbnails with alt text opening full size, a PDF by name and size, not the resolution photos', async () => {
    const wrapper = mountWith([
      item({}),
      item({ url: `${BASE}/${'b'.repeat(64)}.pdf`, name: `${'b'.repeat(64)}.pdf`, content_type: 'application/pdf', size: 1536 * 1024 }),
      item({ url: `${BASE}/${'c'.repeat(64)}.png`, name: `${'c'.repeat(64)}.png`, source: 'evidence' }),
    ])
    await flushPromises()

    const image = wrapper.get('img')
    expect(image.attributes('alt')).toBe('附件照片 1')
    expect(wrapper.get('li[data-kind="image"] a').attributes('aria-label')).toBe('查看原图：附件照片 1')
    expect(wrapper.get('li[data-kind="file"] button').text()).toBe('下载 bbbbbbbb….pdf（1.5 MB）')
    expect(wrapper.findAll('li')).toHaveLength(2)
    expect(wrapper.get('h2').text()).toContain('2')
  })

  it('says so when the report came with no files', async () => {
    const wrapper = mountWith([])
    await flushPromises()
    expect(wrapper.text()).toContain('居民和上报人没有附带文件')
  })

  it('tells a role that may not see attachments so', async () => {
    const wrapper = mountWith(403)
    await flushPromises()
    expect(wrapper.get('[role="status"]').text()).toBe('您的角色不能查看附件')
  })
})

describe('attachments', () => {
  it('names sizes, kinds and short names a person reads', () => {
    expect(formatSize(512, 'zh-CN')).toBe('512 B')
    expect(formatSize(2048, 'en')).toBe('2 KB')
    expect(formatSize(20 * 1024 * 1024, 'en')).toBe('20 MB')
    expect(kindOf(item({ name: null, content_type: null, size: null, url: 'https://12345.example/f/scan%201.jpg' }))).toBe('link')
    expect(shortName(item({ name: null, url: 'https://12345.example/f/scan%201.jpg' }))).toBe('scan 1.jpg')
    expect(kindOf(item({ content_type: 'application/pdf' }))).toBe('file')
  })
})
