import type { CaseRead } from '@/kit/api'
import { request } from '@/kit/http'

/** My open tasks (assigned, accepted, suspended), in the order dispatch gives them. */
export function myTasks(): Promise<CaseRead[]> {
  return request<CaseRead[]>('dispatch', '/v1/tasks', { query: { limit: 200 } })
}
