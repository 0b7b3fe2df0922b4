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
