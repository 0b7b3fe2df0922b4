import { ApiError } from './http'

type Translate = (key: string, named: Record<string, unknown>) => string

/** A sentence a person can act on, for any error a screen catches. */
export function describeError(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) {
    return t('kit.errors.unexpected', {})
  }
  switch (error.kind) {
    case 'network':
      return t('kit.errors.network', {})
    case 'unauthorized':
      return t('kit.errors.unauthorized', {})
    case 'forbidden':
      return t('kit.errors.forbidden', { detail: error.detail })
    case 'not_found':
      return t('kit.errors.notFound', {})
    case 'conflict':
      return t('kit.errors.conflict', {})
    case 'too_large':
      return t('kit.errors.tooLarge', { detail: error.detail })
    case 'unsupported':
      return t('kit.errors.unsupported', {})
    case 'invalid':
      return t('kit.errors.invalid', { detail: error.detail })
    case 'rate_limited':
      return t('kit.errors.rateLimited', {})
    case 'unavailable':
      return t('kit.errors.unavailable', {})
    case 'queued':
      return t('kit.errors.queued', {})
    case 'server':
      return t('kit.errors.server', { id: error.correlationId })
  }
}

/** Who changed a versioned setting since it was read, in the reader's words
 *  (`admin1，11/29 03:44 保存`), or the server's own sentence when the answer names no one. */
export function changedBy(error: ApiError, t: Translate, locale?: string): string {
  if (error.changed === null) return error.detail
  const at = new Date(error.changed.at)
  const when = Number.isNaN(at.getTime())
    ? error.changed.at
    : at.toLocaleString(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
  return error.changed.by
    ? t('kit.errors.changedBy', { by: error.changed.by, at: when })
    : t('kit.errors.changedAt', { at: when })
}
