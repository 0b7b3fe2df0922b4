import type { CaseCardPage } from '@/kit/api'
import { request } from '@/kit/http'

/** My open tasks (assigned, accepted, suspended) as task cards: only what a card shows,
 *  with the running clock's deadline, earliest first (the case search's `view=card`). */
export function myTaskCards(staffId: string): Promise<CaseCardPage> {
  return request<CaseCardPage>('dispatch', '/v1/cases', {
    query: {
      assignee_id: staffId,
      status: ['assigned', 'accepted', 'suspended'],
      sort: 'due_at',
      limit: 200,
      view: 'card',
    },
    offline: true,
  })
}
