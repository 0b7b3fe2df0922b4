// The case table's keys (shown in its help popover): j / ↓ next row, k / ↑ previous,
// Enter opens the row, x selects it, ? shows the help. Typing in a field is left alone.

export type TableCommand = 'next' | 'previous' | 'open' | 'select' | 'help'

export const TABLE_KEYS: readonly { keys: string[]; command: TableCommand }[] = [
  { keys: ['j', 'ArrowDown'], command: 'next' },
  { keys: ['k', 'ArrowUp'], command: 'previous' },
  { keys: ['Enter'], command: 'open' },
  { keys: ['x'], command: 'select' },
  { keys: ['?'], command: 'help' },
]

interface KeyLike {
  key: string
  ctrlKey?: boolean
  metaKey?: boolean
  altKey?: boolean
  target?: EventTarget | null
}

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT'])

function typingIn(target: EventTarget | null | undefined): boolean {
  if (!target || typeof target !== 'object' || !('tagName' in target)) return false
  const element = target as { tagName: string; isContentEditable?: boolean }
  return TYPING.has(element.tagName) || element.isContentEditable === true
}

/** The command a key press stands for, or null (modifiers, or typing in a field). */
export function commandOf(event: KeyLike): TableCommand | null {
  if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return null
  return TABLE_KEYS.find((entry) => entry.keys.includes(event.key))?.command ?? null
}

/** The row the cursor moves to: within the rows, the first one when none was chosen. */
export function moveCursor(current: number, command: 'next' | 'previous', rows: number): number {
  if (rows === 0) return -1
  if (current < 0) return 0
  const next = command === 'next' ? current + 1 : current - 1
  return Math.min(Math.max(next, 0), rows - 1)
}

/** The selection with one case added or removed. */
export function toggled(selection: readonly string[], id: string): string[] {
  return selection.includes(id) ? selection.filter((item) => item !== id) : [...selection, id]
}
