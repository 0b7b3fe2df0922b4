// Leaflet with its clustering and heat plugins, loaded only when a map is shown. Both
// plugins are scripts that extend a global `L`, so they get a mutable copy of leaflet's
// module before they run.
import 'leaflet/dist/leaflet.css'
import 'leaflet.markercluster/dist/MarkerCluster.css'

type Leaflet = typeof import('leaflet')

let loading: Promise<Leaflet> | null = null

export function loadLeaflet(): Promise<Leaflet> {
  loading ??= (async () => {
    const module = (await import('leaflet')) as Leaflet & { default?: Leaflet }
    const L = { ...(module.default ?? module) }
    ;(globalThis as unknown as { L: Leaflet }).L = L
    await import('leaflet.markercluster')
    await import('leaflet.heat')
    return L
  })()
  return loading
}
