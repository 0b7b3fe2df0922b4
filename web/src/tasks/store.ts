import { defineStore } from 'pinia'
import { ref } from 'vue'

import type { CaseRead } from '@/kit/api'

import { myTasks } from './api'

export const useTasksStore = defineStore('tasks', () => {
  const items = ref<CaseRead[]>([])
  const loaded = ref(false)

  async function refresh(): Promise<void> {
    items.value = await myTasks()
    loaded.value = true
  }

  return { items, loaded, refresh }
})
