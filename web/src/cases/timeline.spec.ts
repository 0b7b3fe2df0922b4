import { describe, expect, it } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import { timelineDetail } from './timeline'

const MY_GRID = '510302001001001'
const unitName = (code: string): string => (code === MY_GRID ? '桂花社区一网格' : code)

// The app's own messages, as the phone has them.
const words = (locale: 'zh-CN' | 'en') => createAppI18n(locale).global

const ROUTED = {
  target: 'grid',
  method: 'point',
  reason: `point (29.355000, 104.772500) lies in residential grid ${MY_GRID}`,
  reason_code: 'point_in_grid',
  reason_params: { lat: '29.355000', lon: '104.772500', grid_kind: 'residential', grid_code: MY_GRID },
  grid_code: MY_GRID,
}

describe("a timeline entry's words on the phone", () => {
  it('says why routing placed the case in Chinese, naming my grid, never the English text', () => {
    const said = timelineDetail(words('zh-CN'), 'routed', ROUTED, unitName)
    expect(said).toBe('上报坐标位于桂花社区一网格内')
    expect(timelineDetail(words('en'), 'routed', ROUTED, unitName)).toBe('The reported point lies in 桂花社区一网格')
  })

  it("names a community by the name dispatch gave, another unit by its code", () => {
    const community = {
      reason: 'address names community 510302001001',
      reason_code: 'address_names_community',
      reason_params: { address: '桂花社区门口', community_code: '510302001001', community_name: '桂花社区' },
    }
    expect(timelineDetail(words('zh-CN'), 'routed', community, unitName)).toBe(
      '地址“桂花社区门口”提到桂花社区，由该社区工作站派遣',
    )
    const department = { reason_code: 'category_department', reason_params: { department_code: 'water' } }
    expect(timelineDetail(words('zh-CN'), 'routed', department, unitName)).toBe('此类问题由water办理')
  })

  it('leaves an entry without a known code to the console', () => {
    const older = { reason: 'point lies in residential grid 510302001001001' }
    expect(timelineDetail(words('zh-CN'), 'routed', older, unitName)).toBe('')
    const unplaceable = { reason: 'nothing fits', reason_code: 'unplaceable', reason_params: {} }
    expect(timelineDetail(words('zh-CN'), 'routed', unplaceable, unitName)).toBe('')
  })

  it('shows what a person wrote and who a case was assigned to, nothing of the machine', () => {
    const zh = words('zh-CN')
    expect(timelineDetail(zh, 'returned', { reason: '不属于本网格', note: '' }, unitName)).toBe('不属于本网格')
    expect(timelineDetail(zh, 'assigned', { assignee_id: 'gm111a', reason: 'on duty' }, unitName)).toBe('gm111a')
    expect(timelineDetail(zh, 'queued', { reason: "nobody on duty; waiting in the unit's queue" }, unitName)).toBe('')
  })
})
