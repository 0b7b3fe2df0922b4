import { defineStore } from 'pinia'
import { ref } from 'vue'

import { type CaseRow, listQueues, type QueueRead, searchCases, type Sla } from './api'

export interface Search {
  q: string
  status: string
  sla: Sla | ''
}

export type Sort = 'due_at' | '-due_at' | '-reported_at'

/** A queue's filter (GET /v1/queues) as the query of GET /v1/cases. */
export function filterQuery(filter: Record<string, unknown>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue
    if (Array.isArray(value)) query[key] = value.map(String)
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      query[key] = String(value)
    }
  }
  return query
}

/** The desk: the role's queues with counts, and the rows of the selected queue or search. */
export const useDeskStore = defineStore('desk', () => {
  const queues = ref<QueueRead[]>([])
  const selected = ref<string | null>(null)
  const search = ref<Search>({ q: '', status: '', sla: '' })
  const searching = ref(false)
  const sort = ref<Sort>('-reported_at')
  const rows = ref<CaseRow[]>([])
  const total = ref(0)
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const refreshedAt = ref<Date | null>(null)

  function query(): Record<string, string | string[] | undefined> {
    let base: Record<string, string | string[] | undefined>
    if (searching.value) {
      base = {
        q: search.value.q.trim() || undefined,
        status: search.value.status || undefined,
        sla: search.value.sla || undefined,
      }
    } else {
      const queue = queues.value.find((item) => item.key === selected.value)
      base = queue ? filterQuery(queue.filter) : {}
    }
    return { ...base, sort: sort.value, limit: '50' }
  }

  async function loadQueues(): Promise<void> {
    queues.value = await listQueues()
    const first = queues.value[0]
    if (!selected.value && !searching.value && first) selected.value = first.key
  }

  async function loadRows(): Promise<void> {
    loading.value = true
    try {
      const page = await searchCases(query())
      rows.value = page.items
      total.value = page.total
      nextCursor.value = page.next_cursor
    } finally {
      loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value) return
    const page = await searchCases({ ...query(), cursor: nextCursor.value })
    rows.value = [...rows.value, ...page.items]
    nextCursor.value = page.next_cursor
  }

  /** The counts and the rows, every 30 s and after an action. */
  async function refresh(): Promise<void> {
    await Promise.all([loadQueues(), loadRows()])
    refreshedAt.value = new Date()
  }

  async function selectQueue(key: string): Promise<void> {
    selected.value = key
    searching.value = false
    await loadRows()
  }

  async function runSearch(): Promise<void> {
    searching.value = true
    selected.value = null
    await loadRows()
  }

  async function sortBy(next: Sort): Promise<void> {
    sort.value = next
    await loadRows()
  }

  return {
    queues,
    selected,
    search,
    searching,
    sort,
    rows,
    total,
    nextCursor,
    loading,
    refreshedAt,
    refresh,
    loadRows,
    loadMore,
    selectQueue,
    runSearch,
    sortBy,
  }
})
