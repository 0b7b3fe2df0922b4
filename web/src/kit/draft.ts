// What a person types into a form is kept on the phone as they type, so a reload (or the
// app closed by the system) loses nothing; it is forgotten once the form is sent.
import { type Ref, ref, watch } from 'vue'

const PREFIX = 'gridcase.draft.'

export function useDraft(name: string, initial = ''): { text: Ref<string>; clear: () => void } {
  const key = PREFIX + name
  const text = ref(localStorage.getItem(key) ?? initial)
  watch(text, (value) => {
    if (value) localStorage.setItem(key, value)
    else localStorage.removeItem(key)
  })
  return {
    text,
    clear: () => {
      text.value = ''
      localStorage.removeItem(key)
    },
  }
}

/** Forgets a draft from outside its form, e.g. once the page has sent or queued it. */
export function forgetDraft(name: string): void {
  localStorage.removeItem(PREFIX + name)
}
