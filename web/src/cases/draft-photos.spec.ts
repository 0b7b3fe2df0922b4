import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'
import { indexedDbPhotos, type PhotoStorage } from '@/outbox/photos'

import CaseResolveForm from './CaseResolveForm.vue'
import { configureDraftPhotoStorage, draftPhotoId, draftPhotos, keepDraftPhoto } from './draft-photos'
import { forgetCaseDraft } from './drafts'

class MemoryPhotos implements PhotoStorage {
  readonly kept = new Map<string, Blob>()
  put(id: string, photo: Blob): Promise<void> {
    this.kept.set(id, photo)
    return Promise.resolve()
  }
  get(id: string): Promise<Blob | null> {
    return Promise.resolve(this.kept.get(id) ?? null)
  }
  delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.kept.delete(id)
    return Promise.resolve()
  }
}

let photos: MemoryPhotos

beforeEach(() => {
  photos = new MemoryPhotos()
  configureDraftPhotoStorage(photos)
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:kept', revokeObjectURL: () => undefined }))
})
afterEach(() => {
  configureDraftPhotoStorage(indexedDbPhotos)
  vi.unstubAllGlobals()
})

describe('办结 photos kept on the phone', () => {
  it('keeps each side of the pair per case, and forgets it when removed', async () => {
    const after = new Blob(['after'], { type: 'image/jpeg' })
    await keepDraftPhoto('c-1', 'after', after)

    expect(await draftPhotos('c-1')).toEqual({ before: null, after })
    expect(await draftPhotos('c-2')).toEqual({ before: null, after: null })
    await keepDraftPhoto('c-1', 'after', null)
    expect(photos.kept.size).toBe(0)
  })

  it('forgets both photos with the 办结 draft once it is sent', async () => {
    await keepDraftPhoto('c-1', 'before', new Blob(['b']))
    await keepDraftPhoto('c-1', 'after', new Blob(['a']))
    await keepDraftPhoto('c-2', 'after', new Blob(['other case']))

    forgetCaseDraft('c-1', 'resolve')
    await flushPromises()

    expect([...photos.kept.keys()]).toEqual([draftPhotoId('c-2', 'after')])
  })

  it('shows the kept photos again when the form opens after a reload, and sends them', async () => {
    const before = new Blob(['before'], { type: 'image/jpeg' })
    const after = new Blob(['after'], { type: 'image/jpeg' })
    await keepDraftPhoto('c-1', 'before', before)
    await keepDraftPhoto('c-1', 'after', after)

    const wrapper = mount(CaseResolveForm, {
      props: { busy: false, caseId: 'c-1' },
      global: {
        plugins: [createAppI18n('zh-CN')],
        stubs: { VanButton: { template: '<button type="submit"><slot /></button>' }, VanIcon: true },
      },
    })
    await flushPromises()

    expect(wrapper.findAll('.preview img').map((img) => img.attributes('alt'))).toEqual([
      '整改前照片预览',
      '整改后照片预览',
    ])
    await wrapper.find('textarea').setValue('已清运')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('submit')).toEqual([['已清运', before, after]])
  })
})
