// The last answers the app got, readable offline. A GET that asks for it (`offline: true`
// in `request`) keeps its answer by URL; when the network is gone the kept answer is
// returned instead, and `showingSaved` turns on the "离线，显示的是上次的数据" banner.
// Kept in localStorage (works on a phone's LAN address, where Cache Storage does not);
// at most MAX answers, the oldest dropped first; sign-out forgets them all.
import { ref } from 'vue'

const PREFIX = 'gridcase.offline.'
const INDEX = 'gridcase.offline'
const MAX = 60

/** True while what the screen shows came from the kept answers. */
export const showingSaved = ref(false)

function index(): string[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(INDEX) ?? '[]')
    return Array.isArray(raw) ? raw.filter((u): u is string => typeof u === 'string') : []
  } catch {
    return []
  }
}

export function remember(url: string, body: unknown): void {
  const urls = [...index().filter((u) => u !== url), url]
  while (urls.length > MAX) localStorage.removeItem(PREFIX + (urls.shift() ?? ''))
  try {
    localStorage.setItem(PREFIX + url, JSON.stringify(body))
    localStorage.setItem(INDEX, JSON.stringify(urls))
  } catch {
    // Storage full: the app still works online; this answer is simply not kept.
  }
}

export function recall(url: string): { found: boolean; body: unknown } {
  const raw = localStorage.getItem(PREFIX + url)
  if (raw === null) return { found: false, body: null }
  try {
    return { found: true, body: JSON.parse(raw) }
  } catch {
    return { found: false, body: null }
  }
}

export function forgetAll(): void {
  for (const url of index()) localStorage.removeItem(PREFIX + url)
  localStorage.removeItem(INDEX)
  showingSaved.value = false
}
