import type { CasePage, CaseRead } from '@/kit/api'
import { request } from '@/kit/http'

/** My open tasks (assigned, accepted, suspended), in the order dispatch gives them. */
export function myTasks(): Promise<CaseRead[]> {
  return request<CaseRead[]>('dispatch', '/v1/tasks', {
    query: { limit: 200 },
    offline: true,
  })
}

/** The same cases as search rows: they carry the running clock's deadline and state. */
export function myDeadlines(staffId: string): Promise<CasePage> {
  return request<CasePage>('dispatch', '/v1/cases', {
    query: {
      assignee_id: staffId,
      status: ['assigned', 'accepted', 'suspended'],
      sort: 'due_at',
      limit: 200,
    },
    offline: true,
  })
}
