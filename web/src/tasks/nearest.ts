// 按距离: 今日任务 in the order of how far each case is from where the grid member stands.
// Pure: the position comes from the caller (geolocation.ts), the tasks from the store.
import { metresBetween, type Place } from '@/patrol/track'

export interface Located {
  lat?: number | null
  lon?: number | null
}

/** Metres from `here` to the case's location; null when the case has no location. */
export function metresTo(task: Located, here: Place): number | null {
  if (task.lat == null || task.lon == null) return null
  return metresBetween(here, { lat: task.lat, lon: task.lon })
}

/** The nearest first; cases without a location last. Equal distances (and the cases
 * without a location) keep the order they came in: the deadline order. */
export function byDistance<T extends Located>(tasks: readonly T[], here: Place): T[] {
  return tasks
    .map((task, index) => ({ task, index, metres: metresTo(task, here) }))
    .sort((a, b) => {
      if (a.metres === null || b.metres === null) {
        if (a.metres === b.metres) return a.index - b.index
        return a.metres === null ? 1 : -1
      }
      return a.metres - b.metres || a.index - b.index
    })
    .map((entry) => entry.task)
}

/** How far, as a grid member says it: metres to the nearest 10 below 1 km, then km with
 * one decimal (e.g. 距我 350 米, 距我 2.4 公里). */
export function distanceAmount(metres: number): { unit: 'm' | 'km'; value: string } {
  if (metres < 1000) return { unit: 'm', value: String(Math.max(10, Math.round(metres / 10) * 10)) }
  if (metres < 99_950) return { unit: 'km', value: (metres / 1000).toFixed(1) }
  return { unit: 'km', value: String(Math.round(metres / 1000)) }
}
