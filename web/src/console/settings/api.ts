// 常用语 (dispatch), my and a person's notification preferences (notify), and wish walls
// with their QR codes and transcriptions (intake).
import type { components as DispatchApi } from '@/kit/api/generated/dispatch'
import type { components as IntakeApi } from '@/kit/api/generated/intake'
import type { components as NotifyApi } from '@/kit/api/generated/notify'
import { newIdempotencyKey, request } from '@/kit/http'

export type PhrasesList = DispatchApi['schemas']['PhrasesList']
export type PhrasesRead = DispatchApi['schemas']['PhrasesRead']
export type PhrasesPut = DispatchApi['schemas']['PhrasesPut']
export type PhraseAction = PhrasesPut['action']
export type PreferenceRead = NotifyApi['schemas']['PreferenceRead']
export type PreferenceUpdate = NotifyApi['schemas']['PreferenceUpdate']
export type ChannelName = NonNullable<PreferenceUpdate['disabled_channels']>[number]
export type WallRead = IntakeApi['schemas']['WallRead']
export type WallCreate = IntakeApi['schemas']['WallCreate']
export type WallUpdate = IntakeApi['schemas']['WallUpdate']
export type WishIn = IntakeApi['schemas']['WishIn']
export type TranscriptionResult = IntakeApi['schemas']['TranscriptionResult']
export type NoteResult = IntakeApi['schemas']['NoteResult']

export function listPhrases(): Promise<PhrasesList> {
  return request<PhrasesList>('dispatch', '/v1/phrases')
}

/** Replaces my unit's phrases for one action (the unit is the caller's own). */
export function putPhrases(body: PhrasesPut): Promise<PhrasesRead> {
  return request<PhrasesRead>('dispatch', '/v1/phrases', { method: 'PUT', json: body })
}

function preferencesPath(staffId: string | null): string {
  // A staff id may hold "/": the path takes it whole.
  return staffId === null ? '/v1/preferences/me' : `/v1/preferences/${staffId.split('/').map(encodeURIComponent).join('/')}`
}

/** Mine (`null`), or — for admins — a person's. */
export function getPreferences(staffId: string | null): Promise<PreferenceRead> {
  return request<PreferenceRead>('notify', preferencesPath(staffId))
}

export function putPreferences(staffId: string | null, body: PreferenceUpdate): Promise<PreferenceRead> {
  return request<PreferenceRead>('notify', preferencesPath(staffId), { method: 'PUT', json: body })
}

export function listWalls(): Promise<WallRead[]> {
  return request<WallRead[]>('intake', '/v1/walls')
}

/** Once per click: a lost answer resent does not make a second wall. */
export function createWall(body: WallCreate, key: string): Promise<WallRead> {
  return request<WallRead>('intake', '/v1/walls', {
    method: 'POST',
    json: body,
    headers: { 'Idempotency-Key': key },
  })
}

/** Renames or moves a wall: only the fields sent change (its id and community stay). */
export function updateWall(wallId: string, body: WallUpdate): Promise<WallRead> {
  return request<WallRead>('intake', `/v1/walls/${encodeURIComponent(wallId)}`, { method: 'PATCH', json: body })
}

/** The wall's QR code as an image (it needs the bearer token, so not a plain link). */
export function wallQr(wallId: string, format: 'png' | 'svg'): Promise<Blob> {
  return request<Blob>('intake', `/v1/walls/${encodeURIComponent(wallId)}/qr.${format}`, { blob: true })
}

/** Paper notes taken off the wall, each checked on its own; once per key. */
export function transcribe(wallId: string, notes: WishIn[], key: string): Promise<TranscriptionResult> {
  return request<TranscriptionResult>('intake', `/v1/walls/${encodeURIComponent(wallId)}/transcriptions`, {
    method: 'POST',
    json: { notes },
    headers: { 'Idempotency-Key': key },
  })
}

/**
 * Idempotency keys for a form: the same key while the same payload is resent (a lost
 * answer, a retry after a network error: it acts once), a new one when the payload
 * changes or after it was done (the next identical wish is a new wish).
 */
export function formKeys(): { key: (payload: unknown) => string; done: () => void } {
  let sent = ''
  let current = ''
  return {
    key(payload) {
      const text = JSON.stringify(payload)
      if (text !== sent || !current) {
        sent = text
        current = newIdempotencyKey()
      }
      return current
    },
    done() {
      current = ''
    },
  }
}
