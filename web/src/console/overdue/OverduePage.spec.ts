import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { createAppI18n } from '@/kit/i18n'

import type { ClockRead } from './api'
import OverduePage from './OverduePage.vue'

// The real components, without their stylesheets (Node cannot import CSS).
vi.mock('../element', async () => {
  const element = await import('element-plus')
  return { ElAlert: element.ElAlert, ElButton: element.ElButton }
})

function clock(caseId: string, unit: { grid_code?: string; department_code?: string }): ClockRead {
  return {
    case_id: caseId,
    tracking_no: `GC-20261128-${caseId}`,
    kind: 'ownership',
    generation: 1,
    status: 'running',
    started_at: '2026-11-27T08:00:00Z',
    due_at: '2026-11-28T08:00:00Z',
    limit: '24 hours',
    remaining_seconds: -3600,
    paused: false,
    breached: true,
    stopped_at: null,
    stop_reason: null,
    grid_code: unit.grid_code ?? null,
    department_code: unit.department_code ?? null,
    assignee_id: null,
  }
}

const overdue = [
  clock('C1', { department_code: 'water' }),
  clock('C2', { grid_code: '510302001001001' }),
  clock('C3', { department_code: 'unknown-dept' }),
]
const grids = {
  type: 'FeatureCollection',
  features: [{ properties: { code: '510302001001001', name: '桂花社区一网格' } }],
}
const departments = { items: [{ code: 'water', name: '水务局', mine: false }] }

async function mountPage(directory: 'up' | 'down') {
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      if (url.includes('/v1/overdue')) return Promise.resolve(Response.json(overdue))
      if (directory === 'down') return Promise.resolve(Response.json({ detail: 'down' }, { status: 503 }))
      if (url.includes('areas.geojson')) return Promise.resolve(Response.json(grids))
      if (url.includes('departments')) return Promise.resolve(Response.json(departments))
      return Promise.resolve(Response.json({ detail: 'not found' }, { status: 404 }))
    }),
  )
  const wrapper = mount(OverduePage, {
    global: {
      plugins: [createAppI18n('zh-CN')],
      stubs: { RouterLink: { template: '<a><slot /></a>' } },
    },
  })
  await flushPromises()
  return wrapper
}

function units(wrapper: Awaited<ReturnType<typeof mountPage>>): Record<string, string> {
  return Object.fromEntries(
    wrapper.findAll('tr[data-case]').map((row) => [row.attributes('data-case'), row.find('[data-unit]').text()]),
  )
}

beforeEach(() => {
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('OverduePage: the unit of a row', () => {
  it("names a 推诿 row's department and grid, the code standing for one the directory does not know", async () => {
    const wrapper = await mountPage('up')

    expect(units(wrapper)).toEqual({ C1: '水务局', C2: '桂花社区一网格', C3: 'unknown-dept' })
  })

  it('shows the codes when the directory cannot be read', async () => {
    const wrapper = await mountPage('down')

    expect(units(wrapper)).toEqual({ C1: 'water', C2: '510302001001001', C3: 'unknown-dept' })
    expect(wrapper.find('[role=alert]').exists()).toBe(false)
  })
})
