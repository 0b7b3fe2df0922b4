import { describe, expect, it } from 'vitest'

import {
  checkNotes,
  checkPhrases,
  checkPreferences,
  checkWall,
  mayCreateWalls,
  mayEditWall,
  mayTranscribe,
  noteBody,
  noteProblems,
  ownUnit,
  preferenceBody,
  phrasesBody,
  phrasesToSend,
  quietOf,
  quietValue,
  wallBody,
  wallChanges,
  wallForm,
  wallToggle,
} from './rules'

const person = (role: string, area_code: string | null = null, department_code: string | null = null) => ({
  role,
  area_code,
  department_code,
})

describe('phrases', () => {
  it('are kept by the leader of an area or a department, not by grid members or admins', () => {
    expect(ownUnit(person('station_master', '510302001001'))).toBe('area:510302001001')
    expect(ownUnit(person('department_operator', null, 'D-WATER'))).toBe('department:D-WATER')
    expect(ownUnit(person('grid_member', '510302001001001'))).toBeNull()
    expect(ownUnit(person('admin', '510302'))).toBeNull()
    expect(ownUnit(person('ops', '510302'))).toBeNull()
  })

  it('refuse an empty or over-long phrase at its row, and more than 50', () => {
    const found = checkPhrases(['请尽快处理', '  ', 'x'.repeat(201)])
    expect(Object.keys(found)).toEqual(['phrases.1', 'phrases.2'])
    expect(found['phrases.2']).toEqual({ key: 'tooLong', named: { max: 200 } })
    expect(checkPhrases(Array.from({ length: 51 }, (_, i) => `p${i}`)).phrases?.key).toBe('phrases.tooMany')
  })

  it('are sent trimmed and once each, in the order shown', () => {
    expect(phrasesToSend([' 甲 ', '乙', '甲'])).toEqual(['甲', '乙'])
    // The version read goes with the save, so that a list saved since is not overwritten.
    const read = { updated_at: '2026-11-21T01:00:00Z' }
    expect(phrasesBody('close', [' 甲 ', '甲'], read)).toEqual({
      action: 'close',
      phrases: ['甲'],
      expected_updated_at: '2026-11-21T01:00:00Z',
    })
    expect(phrasesBody('close', ['甲'], undefined).expected_updated_at).toBeNull()
  })
})

describe('preferences', () => {
  it('tell the district default (null) from no quiet hours ("") and a range', () => {
    expect(quietOf(null).mode).toBe('default')
    expect(quietOf('').mode).toBe('none')
    expect(quietOf('22:30-07:00')).toEqual({ mode: 'range', from: '22:30', to: '07:00' })
    expect(quietValue({ mode: 'default', from: '', to: '' })).toBeNull()
    expect(quietValue({ mode: 'none', from: '', to: '' })).toBe('')
    expect(quietValue(quietOf('22:30-07:00'))).toBe('22:30-07:00')
  })

  it('refuse a bad e-mail and an incomplete quiet range', () => {
    const found = checkPreferences({ enabled: [], email: 'not-an-address', quiet: { mode: 'range', from: '22:00', to: '' } })
    expect(found.email?.key).toBe('preferences.badEmail')
    expect(found.quiet_hours?.key).toBe('preferences.badQuiet')
    expect(checkPreferences({ enabled: [], email: 'a@b.cn', quiet: { mode: 'range', from: '22:00', to: '07:00' } })).toEqual({})
  })

  it('send the channels left unticked as the disabled ones', () => {
    const body = preferenceBody(
      { enabled: ['inapp', 'sms'], email: ' ', quiet: { mode: 'none', from: '', to: '' } },
      ['inapp', 'sms', 'wecom', 'email'],
      null,
    )
    expect(body).toEqual({ disabled_channels: ['wecom', 'email'], email: null, quiet_hours: '', expected_updated_at: null })
  })

  it('go with the version read, so that preferences saved since are not overwritten', () => {
    const form = { enabled: ['sms'], email: '', quiet: quietOf(null) }
    const read = { updated_at: '2026-11-21T01:00:00Z' }
    expect(preferenceBody(form, ['sms'], read).expected_updated_at).toBe('2026-11-21T01:00:00Z')
    expect(preferenceBody(form, ['sms'], { updated_at: null }).expected_updated_at).toBeNull()
  })
})

describe('wish walls', () => {
  const form = { wall_id: 'W-001', community_code: '510302001002', name: '桂花巷心愿墙', lat: '', lon: '' }

  it('are created by admins and station masters, transcribed by the community’s grid staff', () => {
    expect(mayCreateWalls(person('admin', '510302'))).toBe(true)
    expect(mayCreateWalls(person('station_master', '510302001002'))).toBe(true)
    expect(mayCreateWalls(person('grid_member', '510302001002001'))).toBe(false)
    const wall = { community_code: '510302001002' }
    expect(mayTranscribe(person('grid_member', '510302001002001'), wall)).toBe(true)
    expect(mayTranscribe(person('grid_member', '510302001001001'), wall)).toBe(false)
    expect(mayTranscribe(person('admin', '510302'), wall)).toBe(false)
  })

  it('need an id the path takes, a 12-digit community and both coordinates or neither', () => {
    expect(checkWall(form)).toEqual({})
    const found = checkWall({ ...form, wall_id: '-w 1', community_code: '5103', lat: '29.35', lon: '' })
    expect(found.wall_id?.key).toBe('walls.badId')
    expect(found.community_code?.key).toBe('walls.badCommunity')
    expect(found['location.lon']?.key).toBe('walls.bothOrNone')
    expect(checkWall({ ...form, lat: '91', lon: '104' })['location.lat']?.key).toBe('walls.badLat')
    expect(wallBody({ ...form, lat: '29.35', lon: '104.77' }).location).toEqual({ lat: 29.35, lon: 104.77 })
    expect(wallBody(form).location).toBeNull()
  })

  it('are renamed or moved by whoever may create them there, sending only what changed', () => {
    const wall = {
      wall_id: 'W-001',
      community_code: '510302001002',
      name: '桂花巷心愿墙',
      location: { lat: 29.355, lon: 104.7725 },
      submission_url: 'https://intake.gridcase.test/walls/W-001',
      qr_png_url: '',
      qr_svg_url: '',
      closed: false,
      updated_at: '2026-11-21T01:00:00Z',
      updated_by: 'admin1',
    }
    const version = { expected_updated_at: '2026-11-21T01:00:00Z' }
    expect(mayEditWall(person('admin'), wall)).toBe(true)
    expect(mayEditWall(person('admin', '510302'), wall)).toBe(true)
    expect(mayEditWall(person('admin', '510399'), wall)).toBe(false)
    expect(mayEditWall(person('station_master', '510302001002'), wall)).toBe(true)
    expect(mayEditWall(person('station_master', '510302001009'), wall)).toBe(false)
    expect(mayEditWall(person('grid_member', '510302001002001'), wall)).toBe(false)

    const edited = wallForm(wall)
    expect(edited).toEqual({ ...form, lat: '29.355', lon: '104.7725' })
    expect(wallChanges(wall, edited)).toBeNull()
    expect(wallChanges(wall, { ...edited, name: ' 桂花巷新墙 ' })).toEqual({ name: '桂花巷新墙', ...version })
    expect(wallChanges(wall, { ...edited, lat: '29.36' })).toEqual({ location: { lat: 29.36, lon: 104.7725 }, ...version })
    expect(wallChanges(wall, { ...edited, lat: '', lon: '' })).toEqual({ location: null, ...version })
    expect(wallChanges({ ...wall, location: null }, form)).toBeNull()
  })

  it('are closed (停用) and opened again (启用) with the version read', () => {
    expect(wallToggle({ closed: false, updated_at: '2026-11-21T01:00:00Z' })).toEqual({
      closed: true,
      expected_updated_at: '2026-11-21T01:00:00Z',
    })
    expect(wallToggle({ closed: true, updated_at: '2026-11-22T01:00:00Z' }).closed).toBe(false)
  })

  it('check each note: content needed, a phone only if a mainland mobile', () => {
    const found = checkNotes([
      { content: '路灯坏了', phone: '+86 138-1234-5678', category_hint: '' },
      { content: ' ', phone: '12345', category_hint: '' },
    ])
    expect(Object.keys(found).sort()).toEqual(['notes.1.content', 'notes.1.phone'])
    expect(noteBody({ content: ' 路灯坏了 ', phone: '', category_hint: '' })).toEqual({ content: '路灯坏了' })
  })

  it('place a refused note’s reasons at its fields', () => {
    const found = noteProblems([
      {
        index: 1,
        status: 'invalid',
        errors: [{ loc: ['body', 'notes', 1, 'phone'], msg: 'Value error, not a mainland mobile number', type: 'value_error' }],
      },
    ])
    expect(found).toEqual({ 'notes.1.phone': 'Value error, not a mainland mobile number' })
  })
})
