/** Where to land after signing in: a path of this app, else `fallback` (no open redirect). */
export function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//')
    ? next
    : fallback
}
