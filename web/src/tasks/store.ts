import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'

import { useAuthStore } from '@/auth/store'
import type { CaseRead } from '@/kit/api'

import { myDeadlines, myTasks } from './api'
import { asSla, byDeadline, type Deadline } from './deadline'

export type Task = CaseRead & { deadline: Deadline; reportedAt: string }

const NO_DEADLINE: Deadline = { dueAt: null, sla: null }

export const useTasksStore = defineStore('tasks', () => {
  // Replaced whole on each refresh, never changed in place: no deep reactivity, which
  // would wrap each of 200 cases (and every field read while rendering) in a proxy.
  const items = shallowRef<readonly Task[]>([])
  const loaded = ref(false)
  /** False when the deadlines could not be read (the tasks still show). */
  const deadlinesKnown = ref(true)

  async function refresh(): Promise<void> {
    const staffId = useAuthStore().person?.staff_id
    const [tasks, rows] = await Promise.all([
      myTasks(),
      staffId ? myDeadlines(staffId).catch(() => null) : Promise.resolve(null),
    ])
    deadlinesKnown.value = rows !== null
    const due = new Map<string, Deadline>()
    for (const row of rows?.items ?? []) {
      due.set(row.id, { dueAt: row.due_at, sla: asSla(row.sla) })
    }
    items.value = byDeadline(
      tasks.map((task) => ({
        ...task,
        reportedAt: task.reported_at,
        deadline: due.get(task.id) ?? NO_DEADLINE,
      })),
    )
    loaded.value = true
  }

  return { items, loaded, deadlinesKnown, refresh }
})
