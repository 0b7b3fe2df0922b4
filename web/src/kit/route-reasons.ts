// Why routing placed a case where it did, in the reader's words: dispatch records the
// reason of a `routed` timeline entry as a code with its parameters beside its English
// text (services/dispatch routing/service.py, ROUTE_REASON_CODES). A known code is worded
// from `console.routeReasons`, naming the grid, community or department by its name where
// the page knows it; an unknown code, or an older entry without one, shows the text.
// Read by the console's case page and the phone's (cases/CasePage.vue); the words are in
// the app's one set of messages (kit/i18n.ts), under `console` where they were first.

/** The part of vue-i18n these words need (`useI18n()` gives both). */
export interface Words {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
}

/** Dispatch's routing reason codes: each is worded in `console.routeReasons`. */
export const ROUTE_REASON_CODES = [
  'no_category',
  'unknown_category',
  'category_department',
  'point_in_grid',
  'address_in_gazetteer',
  'address_matches_gazetteer',
  'address_names_community',
  'point_in_no_grid',
  'no_location',
] as const

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The reason of a timeline entry's detail in words, or null when it has none. `nameOf`
 * gives a unit's name for its code (the code when none is known). */
export function routeReason(
  words: Words,
  detail: Record<string, unknown>,
  nameOf: (code: string) => string,
): string | null {
  const code = text(detail.reason_code)
  const raw = detail.reason_params
  const params: Record<string, unknown> = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const key = `console.routeReasons.${code}`
  if (!code || !words.te(key)) return text(detail.reason) || null
  const named = (field: string, fallback = ''): string => {
    const value = text(params[field])
    return value ? nameOf(value) : fallback
  }
  return words.t(key, {
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, text(v)])),
    grid: named('grid_code'),
    department: named('department_code'),
    community: text(params.community_name) || named('community_code'),
  })
}
