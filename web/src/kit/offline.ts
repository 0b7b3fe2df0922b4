// The last answers the app got, readable offline. A GET that asks for it (`offline: true`
// in `request`) keeps its answer by URL; when the network is gone the kept answer is
// returned instead, and `showingSaved` turns on the "离线，显示的是上次的数据" banner.
// Kept in localStorage (works on a phone's LAN address, where Cache Storage does not);
// at most MAX answers, the oldest dropped first; sign-out forgets them all.
// Writing an answer of 200 cases to localStorage is synchronous work on the main thread,
// so the answers are written after the screen has painted (when the browser is idle, or
// as the page is left); until then they are read from memory.
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

/** Answers kept but not yet written: URL → the answer's JSON text. */
const pending = new Map<string, string>()
let flushScheduled = false

function write(url: string, text: string): void {
  const urls = [...index().filter((u) => u !== url), url]
  while (urls.length > MAX) localStorage.removeItem(PREFIX + (urls.shift() ?? ''))
  try {
    localStorage.setItem(PREFIX + url, text)
    localStorage.setItem(INDEX, JSON.stringify(urls))
  } catch {
    // Storage full: the app still works online; this answer is simply not kept.
  }
}

/** Write the kept answers now (the browser calls it when idle and when the page is left). */
export function flush(): void {
  flushScheduled = false
  for (const [url, text] of pending) write(url, text)
  pending.clear()
}

function scheduleFlush(): void {
  if (flushScheduled) return
  flushScheduled = true
  if (typeof window.requestIdleCallback === 'function') {
    window.requestIdleCallback(flush, { timeout: 2_000 })
  } else {
    window.setTimeout(flush, 200)
  }
}

if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', flush)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush()
  })
}

/** Keep an answer as the JSON text it came in (no second serialisation). */
export function rememberText(url: string, text: string): void {
  pending.set(url, text)
  scheduleFlush()
}

export function remember(url: string, body: unknown): void {
  rememberText(url, JSON.stringify(body))
}

export function recall(url: string): { found: boolean; body: unknown } {
  const raw = pending.get(url) ?? localStorage.getItem(PREFIX + url)
  if (raw === null) return { found: false, body: null }
  try {
    return { found: true, body: JSON.parse(raw) }
  } catch {
    return { found: false, body: null }
  }
}

export function forgetAll(): void {
  pending.clear()
  for (const url of index()) localStorage.removeItem(PREFIX + url)
  localStorage.removeItem(INDEX)
  showingSaved.value = false
}
