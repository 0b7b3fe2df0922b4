import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import type { AssessmentReport, MemberAssessment } from './api'
import AssessmentPage from './AssessmentPage.vue'

// The real components, without their stylesheets (Node cannot import CSS).
vi.mock('../element', async () => {
  const element = await import('element-plus')
  return { ElAlert: element.ElAlert, ElButton: element.ElButton }
})

function member(id: string, score: number, rank: number | null, review: boolean): MemberAssessment {
  return {
    member_id: id,
    cases: rank === null ? 1 : 6,
    visits: 7,
    score,
    rank,
    review,
    components: [
      { name: 'on_time_sign_for', value: 0.5, numerator: 3, sample: 6, weight: 0.25 },
      { name: 'on_time_resolution', value: null, numerator: 0, sample: 0, weight: 0.3 },
      { name: 'no_return', value: 1, numerator: 6, sample: 6, weight: 0.15 },
      { name: 'no_reopening', value: 1, numerator: 6, sample: 6, weight: 0.1 },
      { name: 'satisfaction', value: 0.75, numerator: 3, sample: 4, weight: 0.2 },
      { name: 'patrol_compliance', value: 0.8, numerator: 12, sample: 15, weight: 0 },
      { name: 'visits', value: 0.3333, numerator: 7, sample: 21, weight: 0 },
    ],
  }
}

const report: AssessmentReport = {
  month: '2026-11',
  timezone: 'Asia/Shanghai',
  generated_at: '2026-11-28T10:00:00Z',
  formula: 'score = …',
  weights: {
    on_time_sign_for: 0.25,
    on_time_resolution: 0.3,
    no_return: 0.15,
    no_reopening: 0.1,
    satisfaction: 0.2,
    patrol_compliance: 0,
    visits: 0,
  },
  min_sample: 5,
  review_bottom: 1,
  monthly_visits: 30,
  working_days: 21,
  working_days_required: 15,
  visits_target: 21,
  components_not_included: ['patrol_compliance', 'visits'],
  communities: [
    {
      community_code: '510302001001',
      community_name: '桂花社区',
      members: [member('gm1', 90, 1, false), member('gm2', 40.5, 2, true), member('gm3', 70, null, false)],
    },
  ],
}

beforeEach(() => {
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('AssessmentPage', () => {
  it('marks the flagged member 待复核, shows samples and no rank below the minimum', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(Response.json([{ code: '510302001001', name: '桂花社区' }]))
      .mockResolvedValueOnce(Response.json(report))
      .mockResolvedValueOnce(Response.json([{ code: '510302001001001', name: '一网格' }, { code: '510302002001001', name: '别处' }]))
      .mockResolvedValueOnce(Response.json([{ staff_id: 'gm2', name: '李磊静' }]))
    vi.stubGlobal('fetch', fetch)
    const wrapper = mount(AssessmentPage, { global: { plugins: [createAppI18n('zh-CN')] } })
    await flushPromises()

    const [url] = fetch.mock.calls[1] as [string]
    expect(url).toContain('/api/escalation/v1/reports/assessment?month=')
    expect(fetch.mock.calls).toHaveLength(4) // the staff of the one grid in the community
    const flagged = wrapper.find('tr[data-member=gm2]')
    expect(flagged.find('[data-figure=member]').text()).toBe('李磊静 gm2')
    expect(wrapper.find('tr[data-member=gm1] [data-figure=member]').text()).toBe('gm1')
    expect(flagged.classes()).toContain('flagged')
    expect(flagged.find('[data-figure=review]').text()).toBe('待复核')
    expect(flagged.find('[data-figure=score]').text()).toBe('40.5')
    expect(flagged.find('[data-figure=on_time_sign_for]').text()).toBe('50.0% 样本 6')
    expect(flagged.find('[data-figure=on_time_resolution]').text()).toBe('— 样本 0')
    expect(wrapper.find('tr[data-member=gm1] [data-figure=review]').text()).toBe('')
    expect(wrapper.find('tr[data-member=gm3] [data-figure=rank]').text()).toBe('样本不足')
    expect(wrapper.find('[data-not-included]').text()).toContain('巡查达标、走访')
    expect(flagged.find('[data-figure=patrol_compliance]').text()).toBe('80.0% 达标 12/15 天')
    expect(flagged.find('[data-figure=visits]').text()).toBe('33.3% 走访 7 次/目标 21')
    expect(wrapper.find('[data-field-practice]').text()).toContain('本月 21 个工作日中已过 15 个')
    expect(wrapper.find('[data-weight=on_time_resolution]').text()).toBe('按期办结 30%')
  })
})
