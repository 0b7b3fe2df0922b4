// The patrol's GPS track on the phone: positions from watchPosition, thinned (a point is
// kept when it is at least MIN_METRES from the last kept one or MIN_SECONDS after it),
// gathered into batches with their own ids. The points not yet handed to the outbox are
// kept in localStorage, so a reload in the middle of a patrol loses none of them.

export const MIN_METRES = 20
export const MIN_SECONDS = 30
/** Points handed on together (the service takes at most 500 in one batch). */
export const BATCH_POINTS = 10

export interface TrackPoint {
  lat: number
  lon: number
  /** ISO 8601 with its offset, as the service wants it. */
  at: string
  accuracy: number | null
}

export interface TrackBatch {
  batch_id: string
  points: TrackPoint[]
}

const EARTH_METRES = 6_371_000

/** A place on the map (WGS 84). */
export interface Place {
  lat: number
  lon: number
}

/** Great-circle distance in metres. */
export function metresBetween(a: Place, b: Place): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_METRES * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Whether `next` is worth keeping after `last`. */
export function worthKeeping(last: TrackPoint | null, next: TrackPoint): boolean {
  if (!last) return true
  const seconds = (Date.parse(next.at) - Date.parse(last.at)) / 1000
  if (seconds < 0) return false
  return seconds >= MIN_SECONDS || metresBetween(last, next) >= MIN_METRES
}

export function fromPosition(position: GeolocationPosition): TrackPoint {
  return {
    lat: position.coords.latitude,
    lon: position.coords.longitude,
    at: new Date(position.timestamp).toISOString(),
    accuracy: Number.isFinite(position.coords.accuracy) ? position.coords.accuracy : null,
  }
}

interface Saved {
  last: TrackPoint | null
  pending: TrackPoint[]
  kept: number
  sequence: number
}

/** The track of one patrol session as the phone records it. */
export class TrackRecorder {
  private state: Saved

  constructor(
    readonly patrolId: string,
    private readonly storage: Storage = localStorage,
  ) {
    this.state = this.load()
  }

  private get key(): string {
    return `gridcase.patrol.track.${this.patrolId}`
  }

  private load(): Saved {
    try {
      const raw = this.storage.getItem(this.key)
      if (raw) return JSON.parse(raw) as Saved
    } catch {
      // A damaged entry starts the track afresh.
    }
    return { last: null, pending: [], kept: 0, sequence: 0 }
  }

  private save(): void {
    this.storage.setItem(this.key, JSON.stringify(this.state))
  }

  /** Points kept so far (sent or not). */
  get kept(): number {
    return this.state.kept
  }

  get last(): TrackPoint | null {
    return this.state.last
  }

  /** Keeps the point if it is worth it; true when a batch is full. */
  add(point: TrackPoint): boolean {
    if (!worthKeeping(this.state.last, point)) return false
    this.state.last = point
    this.state.pending.push(point)
    this.state.kept += 1
    this.save()
    return this.state.pending.length >= BATCH_POINTS
  }

  /** The pending points as a batch (its id names the patrol and its place in the
   * track, so the same batch is never sent under two ids), or null when none wait. */
  take(): TrackBatch | null {
    if (this.state.pending.length === 0) return null
    this.state.sequence += 1
    const batch = {
      batch_id: `${this.patrolId.replace(/-/g, '').slice(-20)}-${this.state.sequence}`,
      points: this.state.pending,
    }
    this.state.pending = []
    this.save()
    return batch
  }

  forget(): void {
    this.storage.removeItem(this.key)
  }
}
