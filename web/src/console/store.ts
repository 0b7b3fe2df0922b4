import { defineStore } from 'pinia'
import { ref } from 'vue'

import { type CaseRow, listQueues, type QueueRead, searchCases } from './api'
import { emptySearch, type Search, searchFilter } from './cases-table/search'
import type { ViewRead } from './desk-api'

export type { Search }

export type Sort = ViewRead['sort']

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
  const search = ref<Search>(emptySearch())
  const searching = ref(false)
  const sort = ref<Sort>('-reported_at')
  const rows = ref<CaseRow[]>([])
  const total = ref(0)
  /** False when more matched than the API counts (then `total` is its cap). */
  const totalExact = ref(true)
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const refreshedAt = ref<Date | null>(null)

  /** The saved view being shown (its filter and sort), if any. */
  const activeView = ref<ViewRead | null>(null)

  /** What the table shows, as a filter: the view's, the search's or the queue's. */
  function currentFilter(): Record<string, unknown> {
    if (activeView.value) return { ...activeView.value.filter }
    if (searching.value) return searchFilter(search.value)
    const queue = queues.value.find((item) => item.key === selected.value)
    return queue ? { ...queue.filter } : {}
  }

  /** The current filters and sort as a query (GET /v1/cases, /v1/cases.csv). */
  function filters(): Record<string, string | string[] | undefined> {
    return { ...filterQuery(currentFilter()), sort: sort.value }
  }

  function query(): Record<string, string | string[] | undefined> {
    let base: Record<string, string | string[] | undefined>
    if (activeView.value) {
      base = filterQuery(activeView.value.filter)
    } else if (searching.value) {
      base = filterQuery(searchFilter(search.value))
    } else {
      const queue = queues.value.find((item) => item.key === selected.value)
      base = queue ? filterQuery(queue.filter) : {}
    }
    return { ...base, sort: sort.value, limit: '50' }
  }

  async function loadQueues(): Promise<void> {
    queues.value = await listQueues()
    const first = queues.value[0]
    if (!selected.value && !searching.value && !activeView.value && first) selected.value = first.key
  }

  async function loadRows(): Promise<void> {
    loading.value = true
    try {
      const page = await searchCases(query())
      rows.value = page.items
      total.value = page.total
      totalExact.value = page.total_exact
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
    activeView.value = null
    selected.value = key
    searching.value = false
    await loadRows()
  }

  async function runSearch(): Promise<void> {
    activeView.value = null
    searching.value = true
    selected.value = null
    await loadRows()
  }

  async function applyView(view: ViewRead): Promise<void> {
    activeView.value = view
    searching.value = false
    selected.value = null
    sort.value = view.sort
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
    totalExact,
    nextCursor,
    loading,
    refreshedAt,
    activeView,
    currentFilter,
    filters,
    applyView,
    refresh,
    loadRows,
    loadMore,
    selectQueue,
    runSearch,
    sortBy,
  }
})
