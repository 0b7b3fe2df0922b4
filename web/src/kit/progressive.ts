// A long list drawn a screenful first: the first items at once, the rest a chunk at a
// time, each after the browser has painted the one before. The grid member sees (and can
// tap) the top of 今日任务 without waiting for 200 cards to be made; every item is in the
// document a few frames later, for find-in-page, the keyboard and screen readers.
import { computed, onScopeDispose, ref, watch, type ComputedRef } from 'vue'

/** Run `then` after the next paint; the answer cancels it. */
export type AfterPaint = (then: () => void) => () => void

/** After the next frame is drawn: a frame callback runs before the paint, a task queued
 *  from it after. */
export const afterPaint: AfterPaint = (then) => {
  let timer: number | undefined
  const frame = window.requestAnimationFrame(() => {
    timer = window.setTimeout(then, 0)
  })
  return () => {
    window.cancelAnimationFrame(frame)
    if (timer !== undefined) window.clearTimeout(timer)
  }
}

/** How many items the smallest card height fills a screen of `height` with, and one more
 *  for a part-shown card. */
export function screenful(height: number, smallestItem: number, atLeast = 8): number {
  if (!(height > 0) || !(smallestItem > 0)) return atLeast
  return Math.max(atLeast, Math.ceil(height / smallestItem) + 1)
}

/**
 * How many of `total()` items to draw now: `first` at once, then `step` more after each
 * paint until all are drawn. The count never goes back: a list replaced by one of the
 * same length (a refresh, a new order) is drawn whole, in one pass.
 */
export function useProgressive(
  total: () => number,
  first: number,
  step: number,
  later: AfterPaint = afterPaint,
): ComputedRef<number> {
  const limit = ref(Math.max(1, first))
  let cancel: (() => void) | null = null

  function grow(): void {
    if (cancel !== null || limit.value >= total()) return
    cancel = later(() => {
      cancel = null
      limit.value += Math.max(1, step)
      grow()
    })
  }

  watch(total, grow, { immediate: true })
  onScopeDispose(() => {
    cancel?.()
    cancel = null
  })
  return computed(() => Math.min(limit.value, total()))
}
