// The case map: dispatch's GeoJSON of areas and of the search's cases, an area's staff.
import type { components } from '@/kit/api/generated/dispatch'
import { request } from '@/kit/http'

import type { Sla } from '../api'
import type { PatrolRead } from '@/kit/api'
import type { components as IntakeComponents } from '@/kit/api/generated/intake'

export type TrackFeature = IntakeComponents['schemas']['TrackFeature']

export type StaffRead = components['schemas']['StaffRead']

export interface AreaProperties {
  code: string
  name: string
  level: string
  parent_code: string | null
}

export interface AreaCollection {
  type: 'FeatureCollection'
  features: { type: 'Feature'; geometry: GeoJSON.Geometry | null; properties: AreaProperties }[]
}

export interface CasePointProperties {
  tracking_no: string
  status: string
  priority: string
  category_name: string | null
  grid_name: string | null
  department_name: string | null
  sla: Sla | null
  due_at: string | null
}

export interface CasePoints {
  type: 'FeatureCollection'
  features: {
    type: 'Feature'
    id: string
    geometry: { type: 'Point'; coordinates: [number, number] }
    properties: CasePointProperties
  }[]
  truncated: boolean
}

/** The base map's tiles, set per deployment in /map-config.json (null: none). */
export interface TileConfig {
  url: string
  attribution: string
  maxZoom: number
}

export function gridAreas(): Promise<AreaCollection> {
  return request<AreaCollection>('dispatch', '/v1/directory/areas.geojson', {
    query: { level: 'grid' },
  })
}

/** The current search (the desk's filters, without order and page) as map points. */
export function casePoints(query: Record<string, string | string[] | undefined>): Promise<CasePoints> {
  return request<CasePoints>('dispatch', '/v1/cases.geojson', { query })
}

export function areaStaff(code: string): Promise<StaffRead[]> {
  return request<StaffRead[]>('dispatch', `/v1/directory/areas/${encodeURIComponent(code)}/staff`)
}

/** The tile layer as the deployment configured it at run time; none when the file is
 * absent or says null (the grid polygons alone then make the map). */
export async function tileConfig(): Promise<TileConfig | null> {
  try {
    const response = await fetch('/map-config.json', { headers: { Accept: 'application/json' } })
    if (!response.ok) return null
    const config = (await response.json()) as { tiles?: Partial<TileConfig> | null }
    const tiles = config.tiles
    if (!tiles || typeof tiles.url !== 'string' || !tiles.url) return null
    return {
      url: tiles.url,
      attribution: typeof tiles.attribution === 'string' ? tiles.attribution : '',
      maxZoom: typeof tiles.maxZoom === 'number' ? tiles.maxZoom : 18,
    }
  } catch {
    return null
  }
}

/** Today's patrols in my area (intake; days in the practice's time zone). */
export function patrolsToday(): Promise<PatrolRead[]> {
  return request<PatrolRead[]>('intake', '/v1/patrols')
}

/** A patrol's recorded track: a GeoJSON LineString of [lon, lat]. */
export function patrolTrack(id: string): Promise<TrackFeature> {
  return request<TrackFeature>('intake', `/v1/patrols/${encodeURIComponent(id)}/track`)
}
