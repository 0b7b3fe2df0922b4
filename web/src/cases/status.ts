// How a case's status looks: the tone of its tag (cases/status.css). Shared by the tag
// component and the task list, which draws its tags without a component per card.

export type StatusTone = 'todo' | 'doing' | 'done' | 'other'

export function statusTone(status: string): StatusTone {
  if (status === 'assigned') return 'todo'
  if (status === 'accepted') return 'doing'
  if (status === 'resolved' || status === 'closed') return 'done'
  return 'other'
}
