import { mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import CaseExtensionForm from './CaseExtensionForm.vue'
import CaseResolveForm from './CaseResolveForm.vue'
import CaseReturnForm from './CaseReturnForm.vue'
import { forgetCaseDraft } from './drafts'

const global = {
  plugins: [createAppI18n('zh-CN')],
  stubs: {
    VanButton: { template: '<button type="submit"><slot /></button>' },
    VanIcon: true,
  },
}

const forms = [
  ['return', () => mount(CaseReturnForm, { props: { busy: false, caseId: 'c-1' }, global })],
  ['resolve', () => mount(CaseResolveForm, { props: { busy: false, caseId: 'c-1' }, global })],
  [
    'extension',
    () => mount(CaseExtensionForm, { props: { busy: false, caseId: 'c-1', now: new Date('2026-11-28T08:00:00Z') }, global }),
  ],
] as const

beforeEach(() => {
  localStorage.clear()
})

describe('case form drafts', () => {
  it.each(forms)('the %s form keeps its text across a reload, and forgets it once sent', async (form, open) => {
    const first = open()
    await first.find('textarea').setValue('楼道堆物，居民不在家')
    first.unmount()

    const reloaded = open()
    expect((reloaded.find('textarea').element as HTMLTextAreaElement).value).toBe('楼道堆物，居民不在家')
    reloaded.unmount()

    forgetCaseDraft('c-1', form)
    expect((open().find('textarea').element as HTMLTextAreaElement).value).toBe('')
  })

  it('keeps one draft per case', async () => {
    const mine = mount(CaseReturnForm, { props: { busy: false, caseId: 'c-1' }, global })
    await mine.find('textarea').setValue('不属于本网格')

    const other = mount(CaseReturnForm, { props: { busy: false, caseId: 'c-2' }, global })
    expect((other.find('textarea').element as HTMLTextAreaElement).value).toBe('')
  })
})
