import { defineStore } from 'pinia'
import { ref } from 'vue'

import { useAuthStore } from '@/auth/store'
import type { CaseRead } from '@/kit/api'

import { myDeadlines, myTasks } from './api'
import { asSla, byDeadline, type Deadline } from './deadline'

export type Task = CaseRead & { deadline: Deadline; reportedAt: string }

const NO_DEADLINE: Deadline = { dueAt: null, sla: null }

export const useTasksStore = defineStore('tasks', () => {
  const items = ref<Task[]>([])
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
