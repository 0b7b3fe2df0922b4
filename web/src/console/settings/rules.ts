// The screens' own checks, mirroring the services' rules so that a mistake is shown before
// a round trip (the services check again; their refusal is shown the same way):
//   phrases     dispatch/phrases/{schemas,service}.py
//   preferences notify/preferences/schemas.py
//   walls       intake/walls/{schemas,service}.py
import type { PersonRead } from '@/kit/api'

import type { NoteResult, PhraseAction, PhrasesPut, PhrasesRead, PreferenceRead, PreferenceUpdate, WallCreate, WallRead, WallUpdate, WishIn } from './api'

/** A message key of settings.* and its values: a check's answer, translated by the screen. */
export interface Why {
  key: string
  named?: Record<string, unknown>
}
export type Checked = Record<string, Why>

type Person = Pick<PersonRead, 'role' | 'area_code' | 'department_code'>

const PHRASE_KEEPERS = new Set([
  'grid_leader',
  'station_master',
  'street_officer',
  'dispatcher',
  'district_center',
  'city_center',
])
export const MAX_PHRASES = 50
export const MAX_PHRASE = 200

/** The unit whose phrases this person keeps ("area:<code>", "department:<code>"), or null:
 * grid members, ops and admins use phrases but do not keep a unit's. */
export function ownUnit(person: Person | null): string | null {
  if (!person) return null
  if (person.role === 'department_operator') {
    return person.department_code ? `department:${person.department_code}` : null
  }
  return PHRASE_KEEPERS.has(person.role) && person.area_code ? `area:${person.area_code}` : null
}

export function checkPhrases(phrases: string[]): Checked {
  const found: Checked = {}
  if (phrases.length > MAX_PHRASES) found.phrases = { key: 'phrases.tooMany', named: { max: MAX_PHRASES } }
  phrases.forEach((phrase, index) => {
    const text = phrase.trim()
    if (!text) found[`phrases.${index}`] = { key: 'required' }
    else if (text.length > MAX_PHRASE) found[`phrases.${index}`] = { key: 'tooLong', named: { max: MAX_PHRASE } }
    else if (text.includes('\u0000')) found[`phrases.${index}`] = { key: 'control' }
  })
  return found
}

/** What is sent: trimmed, once each, in the order shown (the service keeps the same). */
export function phrasesToSend(phrases: string[]): string[] {
  return [...new Set(phrases.map((p) => p.trim()))]
}

/** What a save sends: the phrases once each, and the version of my list as read (none
 * when it has never been saved) so that a list someone saved since is not overwritten. */
export function phrasesBody(
  action: PhraseAction,
  phrases: string[],
  read: Pick<PhrasesRead, 'updated_at'> | undefined,
): PhrasesPut {
  return { action, phrases: phrasesToSend(phrases), expected_updated_at: read?.updated_at ?? null }
}

// Quiet hours: null is the district's default, "" none, "HH:MM-HH:MM" a range.
export type QuietMode = 'default' | 'none' | 'range'
export interface Quiet {
  mode: QuietMode
  from: string
  to: string
}
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/
const EMAIL = /^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$/

export function quietOf(value: string | null | undefined): Quiet {
  if (value === null || value === undefined) return { mode: 'default', from: '22:00', to: '07:00' }
  const [from, to] = value.split('-')
  if (!value || !from || !to) return { mode: 'none', from: '22:00', to: '07:00' }
  return { mode: 'range', from, to }
}

export function quietValue(quiet: Quiet): string | null {
  if (quiet.mode === 'default') return null
  if (quiet.mode === 'none') return ''
  return `${quiet.from}-${quiet.to}`
}

export interface PreferenceForm {
  enabled: string[]
  email: string
  quiet: Quiet
}

export function checkPreferences(form: PreferenceForm): Checked {
  const found: Checked = {}
  const email = form.email.trim()
  if (email && (email.length > 254 || !EMAIL.test(email))) found.email = { key: 'preferences.badEmail' }
  if (form.quiet.mode === 'range') {
    if (!HHMM.test(form.quiet.from) || !HHMM.test(form.quiet.to)) found.quiet_hours = { key: 'preferences.badQuiet' }
    else if (form.quiet.from === form.quiet.to) found.quiet_hours = { key: 'preferences.emptyQuiet' }
  }
  return found
}

/** What a save sends: the whole form, and the version of the preferences as read (none
 * when never saved) so that preferences someone saved since are not overwritten. */
export function preferenceBody(
  form: PreferenceForm,
  channels: readonly string[],
  read: Pick<PreferenceRead, 'updated_at'> | null,
): PreferenceUpdate {
  const email = form.email.trim()
  return {
    disabled_channels: channels.filter((c) => !form.enabled.includes(c)) as PreferenceUpdate['disabled_channels'],
    email: email || null,
    quiet_hours: quietValue(form.quiet),
    expected_updated_at: read?.updated_at ?? null,
  }
}

const WALL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const COMMUNITY = /^\d{12}$/

/** Admins (within their district) and a community's station master create its walls. */
export function mayCreateWalls(person: Person | null): boolean {
  return person?.role === 'admin' || (person?.role === 'station_master' && !!person.area_code)
}

/** Whoever may create a wall there may rename or move it: admins whose area covers its
 * community (or who have none: the deployment's), the community's own station master. */
export function mayEditWall(person: Person | null, wall: Pick<WallRead, 'community_code'>): boolean {
  if (person?.role === 'admin') return !person.area_code || wall.community_code.startsWith(person.area_code)
  return person?.role === 'station_master' && person.area_code === wall.community_code
}

/** Grid members, grid leaders and station masters of the wall's community transcribe it. */
export function mayTranscribe(person: Person | null, wall: Pick<WallRead, 'community_code'>): boolean {
  return (
    !!person &&
    ['grid_member', 'grid_leader', 'station_master'].includes(person.role) &&
    !!person.area_code?.startsWith(wall.community_code)
  )
}

export interface WallForm {
  wall_id: string
  community_code: string
  name: string
  lat: string
  lon: string
}

function coordinate(text: string, limit: number): number | null | 'bad' {
  const trimmed = text.trim()
  if (!trimmed) return null
  const value = Number(trimmed)
  return Number.isFinite(value) && Math.abs(value) <= limit ? value : 'bad'
}

export function checkWall(form: WallForm): Checked {
  const found: Checked = {}
  const id = form.wall_id.trim()
  if (!id) found.wall_id = { key: 'required' }
  else if (id.length > 40 || !WALL_ID.test(id)) found.wall_id = { key: 'walls.badId' }
  if (!COMMUNITY.test(form.community_code.trim())) found.community_code = { key: 'walls.badCommunity' }
  const name = form.name.trim()
  if (!name) found.name = { key: 'required' }
  else if (name.length > 100) found.name = { key: 'tooLong', named: { max: 100 } }
  const lat = coordinate(form.lat, 90)
  const lon = coordinate(form.lon, 180)
  if (lat === 'bad') found['location.lat'] = { key: 'walls.badLat' }
  if (lon === 'bad') found['location.lon'] = { key: 'walls.badLon' }
  if ((lat === null) !== (lon === null) && lat !== 'bad' && lon !== 'bad') {
    found[lat === null ? 'location.lat' : 'location.lon'] = { key: 'walls.bothOrNone' }
  }
  return found
}

export function wallBody(form: WallForm): WallCreate {
  const lat = form.lat.trim()
  const lon = form.lon.trim()
  return {
    wall_id: form.wall_id.trim(),
    community_code: form.community_code.trim(),
    name: form.name.trim(),
    location: lat && lon ? { lat: Number(lat), lon: Number(lon) } : null,
  }
}

/** The edit form of a wall, filled with what it holds now. */
export function wallForm(wall: WallRead): WallForm {
  return {
    wall_id: wall.wall_id,
    community_code: wall.community_code,
    name: wall.name,
    lat: wall.location ? String(wall.location.lat) : '',
    lon: wall.location ? String(wall.location.lon) : '',
  }
}

/** What changed between the wall and its (checked) edit form: only those fields are
 * sent, with the version read (a wall changed since is not overwritten); `null` when
 * nothing did. Both coordinates emptied removes the location. */
export function wallChanges(wall: WallRead, form: WallForm): WallUpdate | null {
  const next = wallBody(form)
  const changes: WallUpdate = {}
  if (next.name !== wall.name) changes.name = next.name
  const before = wall.location ?? null
  const after = next.location ?? null
  if (before?.lat !== after?.lat || before?.lon !== after?.lon) changes.location = after
  return Object.keys(changes).length ? { ...changes, expected_updated_at: wall.updated_at } : null
}

/** 停用 an open wall (it takes no more wishes), 启用 a closed one; with the version read. */
export function wallToggle(wall: Pick<WallRead, 'closed' | 'updated_at'>): WallUpdate {
  return { closed: !wall.closed, expected_updated_at: wall.updated_at }
}

export interface NoteForm {
  content: string
  phone: string
  category_hint: string
}

const MOBILE = /^1[3-9]\d{9}$/

/** gridcase_events/kit/pii.py normalize_phone: digits only, without a +86 / 0086 prefix. */
function mainland(phone: string): boolean {
  let digits = phone.replace(/\D/g, '')
  for (const prefix of ['0086', '86']) {
    if (digits.startsWith(prefix) && digits.length - prefix.length === 11) {
      digits = digits.slice(prefix.length)
      break
    }
  }
  return MOBILE.test(digits) && !/[^\d\s+-]/.test(phone)
}

export function checkNotes(notes: NoteForm[]): Checked {
  const found: Checked = {}
  notes.forEach((note, index) => {
    const content = note.content.trim()
    if (!content) found[`notes.${index}.content`] = { key: 'required' }
    else if (content.length > 4000) found[`notes.${index}.content`] = { key: 'tooLong', named: { max: 4000 } }
    const phone = note.phone.trim()
    if (phone && !mainland(phone)) {
      found[`notes.${index}.phone`] = { key: 'walls.badPhone' }
    }
    if (note.category_hint.trim().length > 100) found[`notes.${index}.category_hint`] = { key: 'tooLong', named: { max: 100 } }
  })
  return found
}

export function noteBody(note: NoteForm): WishIn {
  const body: WishIn = { content: note.content.trim() }
  if (note.phone.trim()) body.phone = note.phone.trim()
  if (note.category_hint.trim()) body.category_hint = note.category_hint.trim()
  return body
}

/** A refused note's problems by field ("notes.0.phone" → the service's message). */
export function noteProblems(results: NoteResult[]): Record<string, string> {
  const found: Record<string, string> = {}
  for (const result of results) {
    for (const error of result.errors ?? []) {
      const loc = Array.isArray(error.loc) ? (error.loc as (string | number)[]) : []
      const field = loc.filter((part) => part !== 'body').join('.') || `notes.${result.index}`
      const message = typeof error.msg === 'string' ? error.msg : ''
      found[field] = found[field] ? `${found[field]}; ${message}` : message
    }
  }
  return found
}

/** The checks' findings in the screen's language (messages under settings.checks). */
export function explain(
  checked: Checked,
  t: (key: string, named: Record<string, unknown>) => string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(checked).map(([field, why]) => [field, t(`settings.checks.${why.key}`, why.named ?? {})]),
  )
}
