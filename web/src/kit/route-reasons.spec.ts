import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'

import desk from '@/console/messages'

import { ROUTE_REASON_CODES, routeReason } from './route-reasons'

function words(locale: 'zh-CN' | 'en' = 'zh-CN') {
  const i18n = createI18n({ legacy: false, locale, messages: { [locale]: { console: desk[locale] } } })
  return i18n.global
}

const UNITS = new Map([
  ['510302001001001', '桂花社区一网格'],
  ['water', '自来水公司'],
])
const nameOf = (code: string): string => UNITS.get(code) ?? code

const BY_POINT = {
  reason: 'point (29.355000, 104.772500) lies in residential grid 510302001001001',
  reason_code: 'point_in_grid',
  reason_params: { lat: '29.355000', lon: '104.772500', grid_kind: 'residential', grid_code: '510302001001001' },
}

describe('a routing reason', () => {
  it('names the grid a point lies in, in Chinese, without the English text', () => {
    const said = routeReason(words(), BY_POINT, nameOf)
    expect(said).toBe('上报坐标位于桂花社区一网格内')
    expect(said).not.toContain('lies in')
  })

  it('names the department of a category and the address of a gazetteer match', () => {
    const department = { reason_code: 'category_department', reason_params: { category_code: 'utility/water-outage', department_code: 'water' } }
    expect(routeReason(words(), department, nameOf)).toBe('此类问题由自来水公司办理')
    const address = {
      reason_code: 'address_matches_gazetteer',
      reason_params: { address: '桂花路1号1栋楼下', entry: '桂花路1号1栋', grid_code: '510302001001001' },
    }
    expect(routeReason(words(), address, nameOf)).toBe('地址“桂花路1号1栋楼下”与门牌库“桂花路1号1栋”相符，属桂花社区一网格')
    expect(routeReason(words('en'), address, nameOf)).toBe(
      'Address “桂花路1号1栋楼下” matches gazetteer entry “桂花路1号1栋”, in 桂花社区一网格',
    )
  })

  it('shows the code of a grid whose name is not known', () => {
    expect(routeReason(words(), BY_POINT, (code) => code)).toBe('上报坐标位于510302001001001内')
  })

  it('has words in Chinese and in English for every code dispatch records', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const worded = Object.keys(desk[locale].routeReasons)
      expect(ROUTE_REASON_CODES.filter((code) => !worded.includes(code))).toEqual([])
      expect(worded.filter((code) => !(ROUTE_REASON_CODES as readonly string[]).includes(code))).toEqual([])
    }
  })

  it('falls back to the text for an older entry or an unknown code, and is null without either', () => {
    expect(routeReason(words(), { reason: 'gm112a is absent' }, nameOf)).toBe('gm112a is absent')
    expect(routeReason(words(), { reason: 'by a newer rule', reason_code: 'newer_rule' }, nameOf)).toBe('by a newer rule')
    expect(routeReason(words(), { note: '已核实' }, nameOf)).toBeNull()
  })
})
