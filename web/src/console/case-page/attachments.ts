import type { CaseAttachmentRead, CaseAttachmentsRead } from '@/kit/api'
import { request } from '@/kit/http'

/** 附件: the files of a case that intake holds (its report's, merged duplicates', and
 * resolutions' evidence), by the case's own scope. */
export function getCaseAttachments(caseId: string): Promise<CaseAttachmentsRead> {
  return request<CaseAttachmentsRead>('intake', `/v1/cases/${encodeURIComponent(caseId)}/attachments`)
}

export type AttachmentKind = 'image' | 'file' | 'link'

/** What the page shows a file as: a thumbnail, a stored file, or a link intake does not
 * store (a 12345 ticket's own URL). */
export function kindOf(item: CaseAttachmentRead): AttachmentKind {
  if (item.name == null) return 'link'
  return item.content_type?.startsWith('image/') ? 'image' : 'file'
}

/** The files the resident, a wish wall or a grid member sent (the resolution's photos
 * have their own section). */
export function sent(items: CaseAttachmentRead[]): CaseAttachmentRead[] {
  return items.filter((item) => item.source !== 'evidence')
}

/** A size a person reads: bytes, KB or MB (1024-based, one decimal under ten). */
export function formatSize(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = unit > 0 && value < 10 ? 1 : 0
  const shown = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)
  return `${shown} ${units[unit]}`
}

/** A short file name: the content hash cut to 8 characters, with its extension; a link's
 * last path segment. */
export function shortName(item: CaseAttachmentRead): string {
  if (item.name) {
    const dot = item.name.lastIndexOf('.')
    return `${item.name.slice(0, Math.min(8, dot))}…${item.name.slice(dot)}`
  }
  try {
    const last = new URL(item.url).pathname.split('/').pop()
    return last ? decodeURIComponent(last) : item.url
  } catch {
    return item.url
  }
}

/** Retries of a list that answered 404: a case just reported may reach intake's view of
 * its scope a moment after dispatch shows it. */
export const RETRY_MS = [1000, 2000, 4000]
