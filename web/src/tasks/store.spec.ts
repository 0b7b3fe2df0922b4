import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { CaseCard } from '@/kit/api'

import { useTasksStore } from './store'

const person = {
  staff_id: 'gm111a',
  name: '李磊静',
  role: 'grid_member',
  post: 'A',
  area_code: '510302001001001',
  area_name: '一网格',
  department_code: null,
  department_name: null,
}

function card(id: string, fields: Partial<CaseCard> = {}): CaseCard {
  return {
    id,
    tracking_no: `GC-${id}`,
    status: 'assigned',
    summary: `案件${id}`,
    address: null,
    lat: null,
    lon: null,
    reported_at: '2026-11-28T01:00:00Z',
    due_at: null,
    sla: null,
    ...fields,
  }
}

function page(items: CaseCard[]) {
  return Response.json({ items, next_cursor: null, total: items.length, total_exact: true })
}

beforeEach(() => {
  localStorage.clear()
  const expiresAt = new Date(Date.now() + 3600_000).toISOString()
  localStorage.setItem(
    'gridcase.session',
    JSON.stringify({ via: 'development', token: 'tok', expiresAt, person }),
  )
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('the task list store', () => {
  it('asks for my open cases once, as lean cards with their deadlines', async () => {
    const fetch = vi.fn().mockResolvedValue(page([card('c1')]))
    vi.stubGlobal('fetch', fetch)

    await useTasksStore().refresh()

    expect(fetch).toHaveBeenCalledTimes(1)
    const url = new URL(String(fetch.mock.calls[0]?.[0]), 'http://phone.test')
    expect(url.pathname).toBe('/api/dispatch/v1/cases')
    expect(url.searchParams.get('view')).toBe('card')
    expect(url.searchParams.get('assignee_id')).toBe('gm111a')
    expect(url.searchParams.getAll('status')).toEqual(['assigned', 'accepted', 'suspended'])
    expect(url.searchParams.get('limit')).toBe('200')
  })

  it('holds the cards earliest deadline first, those without a clock last, newest first', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        page([
          card('none-old', { reported_at: '2026-11-27T01:00:00Z' }),
          card('late', { due_at: '2026-11-29T08:00:00Z', sla: 'green' }),
          card('none-new', { reported_at: '2026-11-28T05:00:00Z' }),
          card('soon', {
            due_at: '2026-11-28T08:00:00Z',
            sla: 'red',
            summary: '桂花路3号楼下垃圾桶满溢',
            address: '桂花路3号',
            lat: 29.355,
            lon: 104.7725,
          }),
        ]),
      ),
    )
    const tasks = useTasksStore()

    await tasks.refresh()

    expect(tasks.loaded).toBe(true)
    expect(tasks.items.map((task) => task.id)).toEqual(['soon', 'late', 'none-new', 'none-old'])
    expect(tasks.items[0]).toEqual({
      id: 'soon',
      tracking_no: 'GC-soon',
      status: 'assigned',
      reported_at: '2026-11-28T01:00:00Z',
      reportedAt: '2026-11-28T01:00:00Z',
      content: '桂花路3号楼下垃圾桶满溢',
      address: '桂花路3号',
      lat: 29.355,
      lon: 104.7725,
      deadline: { dueAt: '2026-11-28T08:00:00Z', sla: 'red' },
    })
    expect(tasks.items[2]?.deadline).toEqual({ dueAt: null, sla: null })
  })

  it('keeps showing the last list when the network is gone', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(page([card('c1'), card('c2')]))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
    vi.stubGlobal('fetch', fetch)
    const tasks = useTasksStore()

    await tasks.refresh()
    await tasks.refresh()

    expect(fetch).toHaveBeenCalledTimes(2)
    expect(tasks.items.map((task) => task.id).sort()).toEqual(['c1', 'c2'])
  })
})
