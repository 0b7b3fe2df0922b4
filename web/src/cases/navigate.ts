// 导航: open the phone's map app at the case's place. A `geo:` URI opens whatever map app
// the phone has (Android); the https link opens Amap's marker page, which offers to hand
// over to the Amap or Baidu app, and works in any browser (iPhone, desktop).

export interface Place {
  lat: number
  lon: number
  label: string
}

function fixed(n: number): string {
  return n.toFixed(6).replace(/\.?0+$/, '')
}

export function placeOf(c: { lat: number | null; lon: number | null; address: string | null }, fallback: string): Place | null {
  if (c.lat === null || c.lon === null) return null
  if (Math.abs(c.lat) > 90 || Math.abs(c.lon) > 180) return null
  return { lat: c.lat, lon: c.lon, label: c.address ?? fallback }
}

/** geo:lat,lon?q=lat,lon(label) — RFC 5870 plus the query Android's map apps read. */
export function geoUri(p: Place): string {
  const at = `${fixed(p.lat)},${fixed(p.lon)}`
  return `geo:${at}?q=${at}(${encodeURIComponent(p.label)})`
}

/** Amap's marker page; the case's coordinates are WGS-84 (GPS), so Amap converts them. */
export function webMapUrl(p: Place): string {
  const params = new URLSearchParams({
    position: `${fixed(p.lon)},${fixed(p.lat)}`,
    name: p.label,
    coordinate: 'wgs84',
    callnative: '1',
  })
  return `https://uri.amap.com/marker?${params.toString()}`
}
