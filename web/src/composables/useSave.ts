// A form's save, the one way: the button's busy state, the API's refusal placed where a
// person fixes it (console/admin/problems.ts: 422 at its fields, 409 as a conflict, the
// rest above the form) and a line saying it was done.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { NO_PROBLEMS, type Problems, problemsOf } from '@/console/admin/problems'
import { changedBy } from '@/kit/errors'
import { ApiError } from '@/kit/http'

export interface SaveOptions {
  /** What a 409 means on this form when it is not someone else's change (an id taken):
   * the sentence shown instead of the edit-conflict one. */
  conflict?: (detail: string) => string
}

export function useSave(options: SaveOptions = {}) {
  const { t, locale } = useI18n()
  const saving = ref(false)
  const problems = ref<Problems>(NO_PROBLEMS)
  const notice = ref('')

  function clear(): void {
    problems.value = NO_PROBLEMS
    notice.value = ''
  }

  /** The form's own checks found these (field → message): shown as the API's would be. */
  function refuse(fields: Record<string, string>): void {
    problems.value = { fields, general: '', conflict: false }
    notice.value = ''
  }

  /** Runs `action`; on success says `done(result)`, on failure shows why. Returns the
   * action's result, or undefined when it failed. */
  async function save<T>(action: () => Promise<T>, done?: (result: T) => string): Promise<T | undefined> {
    clear()
    saving.value = true
    try {
      const result = await action()
      if (done) notice.value = done(result)
      return result
    } catch (error) {
      problems.value =
        options.conflict && error instanceof ApiError && error.kind === 'conflict'
          ? { fields: {}, general: options.conflict(changedBy(error, t, locale.value)), conflict: true }
          : problemsOf(error, t)
      return undefined
    } finally {
      saving.value = false
    }
  }

  function problemAt(field: string): string {
    return problems.value.fields[field] ?? ''
  }

  return { saving, problems, notice, save, clear, refuse, problemAt }
}
