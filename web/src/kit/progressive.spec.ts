import { describe, expect, it } from 'vitest'
import { type ComputedRef, type EffectScope, effectScope, nextTick, type Ref, ref } from 'vue'

import { type AfterPaint, afterPaint, screenful, useProgressive } from './progressive'

/** A stand-in for the browser's paints: each `paint()` runs what waits for it. */
function paints() {
  let waiting: (() => void)[] = []
  return {
    later: (then: () => void) => {
      waiting.push(then)
      return () => {
        waiting = waiting.filter((w) => w !== then)
      }
    },
    paint: () => {
      const now = waiting
      waiting = []
      for (const then of now) then()
    },
    get pending() {
      return waiting.length
    },
  }
}

/** The composable in a scope of its own, as in a component. */
function drawing(total: Ref<number>, later: AfterPaint): { shown: ComputedRef<number>; scope: EffectScope } {
  const scope = effectScope()
  const shown = scope.run(() => useProgressive(() => total.value, 12, 50, later))
  if (shown === undefined) throw new Error('the scope did not run')
  return { shown, scope }
}

describe('a list drawn a screenful first', () => {
  it('draws the first items at once and a chunk more after each paint, up to all', async () => {
    const total = ref(0)
    const browser = paints()
    const { shown, scope } = drawing(total, browser.later)
    expect(shown.value).toBe(0)
    expect(browser.pending).toBe(0)

    total.value = 200
    await nextTick()
    expect(shown.value).toBe(12)
    const seen = [shown.value]
    while (browser.pending > 0) {
      browser.paint()
      seen.push(shown.value)
    }
    expect(seen).toEqual([12, 62, 112, 162, 200])
    scope.stop()
  })

  it('draws a short list whole, with nothing left for later', async () => {
    const total = ref(0)
    const browser = paints()
    const { shown, scope } = drawing(total, browser.later)
    total.value = 5
    await nextTick()
    expect(shown.value).toBe(5)
    expect(browser.pending).toBe(0)
    scope.stop()
  })

  it('never draws fewer again: a refreshed list of the same length is drawn in one pass', async () => {
    const total = ref(30)
    const browser = paints()
    const { shown, scope } = drawing(total, browser.later)
    browser.paint()
    expect(shown.value).toBe(30)

    total.value = 0
    await nextTick()
    expect(shown.value).toBe(0)
    total.value = 30
    await nextTick()
    expect(shown.value).toBe(30)
    expect(browser.pending).toBe(0)

    // A longer list carries on from where the drawing got to.
    total.value = 100
    await nextTick()
    expect(shown.value).toBe(62)
    browser.paint()
    expect(shown.value).toBe(100)
    scope.stop()
  })

  it('stops waiting for paints when the list goes away', async () => {
    const total = ref(200)
    const browser = paints()
    const { scope } = drawing(total, browser.later)
    await nextTick()
    expect(browser.pending).toBe(1)
    scope.stop()
    expect(browser.pending).toBe(0)
  })

  it('runs after the next frame, and not once cancelled', async () => {
    const ran: string[] = []
    afterPaint(() => ran.push('kept'))
    const cancel = afterPaint(() => ran.push('cancelled'))
    cancel()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(ran).toEqual(['kept'])
  })
})

describe('a screenful', () => {
  it('is the screen height over the smallest item, one more for a part-shown item', () => {
    expect(screenful(844, 82)).toBe(12)
    expect(screenful(932, 82)).toBe(13)
    expect(screenful(400, 82)).toBe(8)
  })

  it('is the least number when the screen is not known', () => {
    expect(screenful(0, 82)).toBe(8)
    expect(screenful(Number.NaN, 82)).toBe(8)
  })
})
