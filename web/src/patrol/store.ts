import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'

import { uploadPhoto } from '@/cases/api'
import type { CaseCreated, PatrolRead, PatrolTodayRead } from '@/kit/api'
import { ApiError, newCorrelationId } from '@/kit/http'
import { useOutboxStore } from '@/outbox/store'

import * as api from './api'
import { fromPosition, TrackRecorder, type TrackPoint } from './track'

/** A partial batch is handed on after this long, so the console sees the track move. */
export const FLUSH_EVERY_MS = 60_000

export type GpsState = 'off' | 'waiting' | 'ok' | 'denied' | 'unavailable'

/** My patrol: today's sessions, the open one, and its track being recorded. */
export const usePatrolStore = defineStore('patrol', () => {
  const today = ref<PatrolTodayRead | null>(null)
  const gps = ref<GpsState>('off')
  const position = shallowRef<TrackPoint | null>(null)
  const kept = ref(0)
  const outbox = useOutboxStore()
  let recorder: TrackRecorder | null = null
  let watchId: number | null = null
  let flushTimer: number | undefined

  const open = computed<PatrolRead | null>(
    () => today.value?.sessions.find((s) => s.ended_at === null) ?? null,
  )

  async function load(): Promise<void> {
    today.value = await api.today()
    if (open.value) record(open.value.id)
    else stopRecording()
  }

  function handOn(): void {
    const batch = recorder?.take()
    if (!recorder || !batch) return
    outbox.add({
      kind: 'track',
      service: 'intake',
      path: `/v1/patrols/${encodeURIComponent(recorder.patrolId)}/track`,
      headers: { 'Idempotency-Key': batch.batch_id },
      json: batch,
    })
    void outbox.flush()
  }

  function onPosition(raw: GeolocationPosition): void {
    gps.value = 'ok'
    const point = fromPosition(raw)
    position.value = point
    if (!recorder) return
    const full = recorder.add(point)
    kept.value = recorder.kept
    if (full) handOn()
  }

  function onError(error: GeolocationPositionError): void {
    gps.value = error.code === error.PERMISSION_DENIED ? 'denied' : 'unavailable'
  }

  function record(patrolId: string): void {
    if (recorder?.patrolId === patrolId) return
    stopRecording()
    recorder = new TrackRecorder(patrolId)
    kept.value = recorder.kept
    if (!('geolocation' in navigator)) {
      gps.value = 'unavailable'
      return
    }
    gps.value = 'waiting'
    watchId = navigator.geolocation.watchPosition(onPosition, onError, {
      enableHighAccuracy: true,
      maximumAge: 10_000,
      timeout: 60_000,
    })
    flushTimer = window.setInterval(handOn, FLUSH_EVERY_MS)
  }

  function stopRecording(): void {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId)
    watchId = null
    window.clearInterval(flushTimer)
    recorder = null
    gps.value = 'off'
  }

  function endedHere(session: PatrolRead): void {
    if (!today.value) return
    const now = new Date()
    const minutes = Math.floor((now.getTime() - Date.parse(session.started_at)) / 60_000)
    today.value = {
      ...today.value,
      sessions: today.value.sessions.map((s) =>
        s.id === session.id ? { ...s, ended_at: now.toISOString(), minutes } : s,
      ),
    }
  }

  async function start(): Promise<void> {
    try {
      await api.start(newCorrelationId())
    } catch (error) {
      // Started meanwhile on another phone (409): that open session is the one to go on.
      if (!(error instanceof ApiError && error.kind === 'conflict')) throw error
    }
    await load()
  }

  /** Ends the open session; its last points go first (kept offline if need be). */
  async function end(): Promise<void> {
    const session = open.value
    if (!session) return
    handOn()
    try {
      await api.end(session.id, newCorrelationId())
    } catch (error) {
      // Kept in the outbox: the session is over on the phone, sent when the network returns.
      if (error instanceof ApiError && error.kind === 'queued') endedHere(session)
      throw error
    } finally {
      recorder?.forget()
      stopRecording()
    }
    await load()
  }

  /** A problem where I stand, with a photo (uploaded first: a photo needs the network). */
  async function report(description: string, photo: Blob | null, key: string): Promise<CaseCreated> {
    const session = open.value
    const here = position.value
    if (!session || !here) throw new Error('no open patrol or no position')
    const attachments: string[] = []
    if (photo) attachments.push((await uploadPhoto(photo, `${key}-photo`)).url)
    return api.report(
      session.id,
      { description, point: { lat: here.lat, lon: here.lon }, attachments, urgency: 'normal' },
      key,
    )
  }

  return { today, open, gps, position, kept, load, start, end, report, stopRecording }
})
