import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'

import { useAuthStore } from '@/auth/store'
import type { CaseCard } from '@/kit/api'

import { myTaskCards } from './api'
import { asSla, byDeadline, type Deadline } from './deadline'
import type { CardTask } from './cards'

export type Task = CardTask & { reportedAt: string }

/** A card of the search (`view=card`) as the list holds it. */
export function asTask(card: CaseCard): Task {
  return {
    id: card.id,
    tracking_no: card.tracking_no,
    status: card.status,
    reported_at: card.reported_at,
    reportedAt: card.reported_at,
    content: card.summary,
    address: card.address,
    lat: card.lat,
    lon: card.lon,
    deadline: deadlineOf(card),
  }
}

function deadlineOf(card: CaseCard): Deadline {
  return { dueAt: card.due_at, sla: asSla(card.sla) }
}

export const useTasksStore = defineStore('tasks', () => {
  // Replaced whole on each refresh, never changed in place: no deep reactivity, which
  // would wrap each of 200 cases (and every field read while rendering) in a proxy.
  const items = shallowRef<readonly Task[]>([])
  const loaded = ref(false)

  // One answer: the cards with their deadlines (a card reads 10 of a case's ~40 fields;
  // the full case is read when it is opened).
  async function refresh(): Promise<void> {
    const staffId = useAuthStore().person?.staff_id
    const page = staffId ? await myTaskCards(staffId) : null
    items.value = byDeadline((page?.items ?? []).map(asTask))
    loaded.value = true
  }

  return { items, loaded, refresh }
})
