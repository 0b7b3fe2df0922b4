import { describe, expect, it } from 'vitest'

import { filterQuery } from '../store'
import { emptySearch, hasSearch, searchFilter, searchFromUrl, searchToUrl } from './search'

describe('the desk search as a query', () => {
  it('leaves empty fields out', () => {
    expect(searchFilter(emptySearch())).toEqual({})
    expect(searchToUrl({ ...emptySearch(), q: '   ' })).toEqual({})
  })

  it('sends every filter of GET /v1/cases, local days as Beijing instants, the end exclusive', () => {
    const search = {
      ...emptySearch(),
      q: ' 垃圾 ',
      status: 'assigned',
      sla: 'red' as const,
      target: 'grid' as const,
      area_code: '510302001001001',
      department_code: 'D-CG',
      category_code: 'environment/garbage-overflow',
      channel: 'hotline' as const,
      priority: 'urgent' as const,
      assignee_id: 'gm111a',
      from: '2026-02-27',
      to: '2026-02-28',
      returned: 'false' as const,
    }
    expect(filterQuery(searchFilter(search))).toEqual({
      q: '垃圾',
      status: ['assigned'],
      sla: 'red',
      target: 'grid',
      area_code: '510302001001001',
      department_code: 'D-CG',
      category_code: 'environment/garbage-overflow',
      channel: 'hotline',
      priority: 'urgent',
      assignee_id: 'gm111a',
      reported_from: '2026-02-27T00:00:00+08:00',
      reported_to: '2026-03-01T00:00:00+08:00',
      returned: 'false',
    })
    // A saved view keeps `returned` a boolean, as the API's CaseFilters has it.
    expect(searchFilter(search).returned).toBe(false)
  })

  it('round-trips through the URL and drops what is not a valid value', () => {
    const search = { ...emptySearch(), q: '路灯', channel: 'patrol' as const, from: '2026-01-31' }
    expect(searchFromUrl(searchToUrl(search))).toEqual(search)
    expect(hasSearch(searchToUrl(search))).toBe(true)
    const bad = searchFromUrl({ channel: 'fax', priority: 'high', from: 'yesterday', area_code: 'a b', returned: 'maybe' })
    expect(bad).toEqual(emptySearch())
    expect(hasSearch({ channel: 'fax' })).toBe(false)
  })
})
