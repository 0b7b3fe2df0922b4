// Where the grid member stands, asked once when they tap 按距离 (never before: the browser
// asks for the permission only then).
import type { Place } from '@/patrol/track'

export type WhereProblem = 'denied' | 'unavailable'

export class WhereError extends Error {
  constructor(readonly problem: WhereProblem) {
    super(problem)
    this.name = 'WhereError'
  }
}

/** The phone's position now; a WhereError saying whether it was refused or not found. */
export function whereAmI(timeoutMs = 15_000): Promise<Place> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new WhereError('unavailable'))
      return
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        resolve({ lat: position.coords.latitude, lon: position.coords.longitude })
      },
      (error) => {
        reject(new WhereError(error.code === error.PERMISSION_DENIED ? 'denied' : 'unavailable'))
      },
      { enableHighAccuracy: false, maximumAge: 60_000, timeout: timeoutMs },
    )
  })
}
