// The save step every admin panel shares: clear the last outcome, send, say it is saved
// (or place the refusal: field messages at their fields, a 409 as "changed by someone
// else, reload"), and read the panel again after a save.
import { type Ref, ref } from 'vue'

import { NO_PROBLEMS, type Problems, problemsOf } from './problems'

type Translate = (key: string, named?: Record<string, unknown>) => string

export interface SavePanel {
  problems: Ref<Problems>
  notice: Ref<string>
  saving: Ref<boolean>
  /** Forgets the last outcome (a new edit begins). */
  clear: () => void
  /**
   * Runs `send`; on success shows `saved()` and runs `then` (e.g. reading the list again),
   * on refusal shows the problems. True when it was saved.
   */
  save: (send: () => Promise<unknown>, saved: () => string, then?: () => Promise<void>) => Promise<boolean>
}

export function useSavePanel(t: Translate): SavePanel {
  const problems = ref<Problems>(NO_PROBLEMS)
  const notice = ref('')
  const saving = ref(false)

  function clear(): void {
    problems.value = NO_PROBLEMS
    notice.value = ''
  }

  async function save(
    send: () => Promise<unknown>,
    saved: () => string,
    then?: () => Promise<void>,
  ): Promise<boolean> {
    clear()
    saving.value = true
    try {
      await send()
    } catch (e) {
      problems.value = problemsOf(e, (key, named) => t(key, named))
      return false
    } finally {
      saving.value = false
    }
    notice.value = saved()
    if (then) await then()
    return true
  }

  return { problems, notice, saving, clear, save }
}

/** The version an editor read, to send back as `expected_updated_at` (none for a new row). */
export function versionOf(row: { updated_at?: string | null } | null | undefined): string | undefined {
  return row?.updated_at ?? undefined
}
