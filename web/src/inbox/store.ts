import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { useAuthStore } from '@/auth/store'
import { ApiError } from '@/kit/http'
import { EventStreamParser } from '@/kit/sse'

import { type InboxItem, latest, openStream } from './api'

const SEEN_KEY = 'gridcase.inbox.seen'
const RETRY_MS = [1000, 2000, 5000, 10000, 30000]

/**
 * My in-app inbox, live over notify's Server-Sent Events stream: the newest items, how
 * many I have not looked at, and a hook for screens that react to a new item (今日任务
 * reloads when a case is assigned to me).
 */
export const useInboxStore = defineStore('inbox', () => {
  const items = ref<InboxItem[]>([])
  const seenId = ref(0)
  const live = ref(false)
  const listeners = new Set<(item: InboxItem) => void>()
  let controller: AbortController | null = null

  const unread = computed(() => items.value.filter((item) => item.id > seenId.value).length)
  const newestId = computed(() => items.value.reduce((max, item) => Math.max(max, item.id), 0))

  function seenKey(): string {
    return `${SEEN_KEY}.${useAuthStore().person?.staff_id ?? ''}`
  }

  function markAllSeen(): void {
    seenId.value = newestId.value
    localStorage.setItem(seenKey(), String(seenId.value))
  }

  function onItem(listener: (item: InboxItem) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  function receive(item: InboxItem): void {
    if (items.value.some((known) => known.id === item.id)) return
    items.value = [item, ...items.value].slice(0, 50)
    for (const listener of listeners) listener(item)
  }

  async function follow(token: string, signal: AbortSignal): Promise<void> {
    const body = await openStream(token, newestId.value, signal)
    live.value = true
    const reader = body.getReader()
    const decoder = new TextDecoder()
    const parser = new EventStreamParser()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
        receive(JSON.parse(event.data) as InboxItem)
      }
    }
  }

  /** Loads the newest items and follows the stream until `stop` (reconnecting). */
  async function start(): Promise<void> {
    stop()
    const auth = useAuthStore()
    const mine = new AbortController()
    controller = mine
    seenId.value = Number(localStorage.getItem(seenKey()) ?? '0') || 0
    const stopped = (): boolean => mine.signal.aborted
    let attempt = 0
    while (!stopped() && auth.token) {
      try {
        if (items.value.length === 0) items.value = await latest()
        await follow(auth.token, mine.signal)
        attempt = 0 // the server ended a healthy stream (e.g. its token expired)
      } catch (error) {
        if (stopped()) return
        if (error instanceof ApiError && error.kind === 'unauthorized') return
      } finally {
        live.value = false
      }
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 30000
      attempt += 1
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  function stop(): void {
    controller?.abort()
    controller = null
    live.value = false
  }

  function reset(): void {
    stop()
    items.value = []
    seenId.value = 0
  }

  return { items, unread, live, seenId, start, stop, reset, markAllSeen, onItem, receive }
})
