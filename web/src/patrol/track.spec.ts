import { beforeEach, describe, expect, it } from 'vitest'

import { BATCH_POINTS, metresBetween, TrackRecorder, type TrackPoint, worthKeeping } from './track'

const PATROL = '01a2216a-3c46-70a8-a0aa-4576671f191d'

function at(seconds: number, metresNorth = 0): TrackPoint {
  return {
    lat: 29.356 + metresNorth / 111_195,
    lon: 104.771,
    at: new Date(Date.UTC(2026, 10, 21, 1, 0, seconds)).toISOString(),
    accuracy: 10,
  }
}

beforeEach(() => {
  localStorage.clear()
})

describe('the track', () => {
  it('measures metres on the ground', () => {
    expect(metresBetween(at(0), at(0, 100))).toBeCloseTo(100, 0)
  })

  it('keeps a point 20 m away or 30 s later, and drops the rest', () => {
    expect(worthKeeping(null, at(0))).toBe(true)
    expect(worthKeeping(at(0), at(10, 5))).toBe(false)
    expect(worthKeeping(at(0), at(10, 25))).toBe(true)
    expect(worthKeeping(at(0), at(30))).toBe(true)
    expect(worthKeeping(at(30), at(0, 50))).toBe(false) // an older fix
  })

  it('batches the kept points under ids that are the same after a reload', () => {
    const recorder = new TrackRecorder(PATROL)
    let full = false
    for (let i = 0; i < BATCH_POINTS; i += 1) full = recorder.add(at(i * 30))
    expect(full).toBe(true)
    recorder.add(at(0)) // older than the last kept: dropped

    const again = new TrackRecorder(PATROL) // the page reloaded
    expect(again.kept).toBe(BATCH_POINTS)
    const batch = again.take()
    expect(batch?.points).toHaveLength(BATCH_POINTS)
    expect(batch?.batch_id).toMatch(/^[0-9a-f]{20}-1$/)
    expect(again.take()).toBeNull()
    again.add(at(BATCH_POINTS * 30))
    expect(new TrackRecorder(PATROL).take()?.batch_id).toMatch(/-2$/)
  })
})
