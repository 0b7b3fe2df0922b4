import { describe, expect, it } from 'vitest'

import { geoUri, placeOf, webMapUrl } from './navigate'

const place = { lat: 30.2741, lon: 120.1551, label: '桂花路1号 1栋' }

describe('navigate', () => {
  it('writes a geo: URI with the label the map app shows', () => {
    expect(geoUri(place)).toBe(
      'geo:30.2741,120.1551?q=30.2741,120.1551(%E6%A1%82%E8%8A%B1%E8%B7%AF1%E5%8F%B7%201%E6%A0%8B)',
    )
  })

  it('gives the web map longitude first, in GPS coordinates', () => {
    const url = new URL(webMapUrl(place))
    expect(url.origin + url.pathname).toBe('https://uri.amap.com/marker')
    expect(url.searchParams.get('position')).toBe('120.1551,30.2741')
    expect(url.searchParams.get('coordinate')).toBe('wgs84')
    expect(url.searchParams.get('name')).toBe('桂花路1号 1栋')
  })

  it('has no place without coordinates, or with impossible ones', () => {
    expect(placeOf({ lat: null, lon: 120, address: 'x' }, '案件')).toBeNull()
    expect(placeOf({ lat: 95, lon: 120, address: 'x' }, '案件')).toBeNull()
    expect(placeOf({ lat: 30, lon: 120, address: null }, '案件')).toEqual({
      lat: 30,
      lon: 120,
      label: '案件',
    })
  })
})
