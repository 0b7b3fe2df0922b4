// How a notification's channel and recipient read to a desk user (已发送的通知, 通知投递,
// a person's 通知记录): the channel by the name 12345 and grid staff use, the recipient by
// the person's name from the directory. Pure: the names come in, the words come out.

/** Notify's channels (notify/channels/*): each is named in `console.deliveries.channels`. */
export const CHANNELS = ['sms', 'inapp', 'email', 'wecom', 'dingtalk', 'webhook'] as const
export type Channel = (typeof CHANNELS)[number]

/** The kinds of recipient notify writes as `<kind>:<ref>` (a bare id is a staff id). */
export const RECIPIENT_KINDS = ['staff', 'resident', 'robot', 'hotline'] as const

/** The part of vue-i18n these words need (`useI18n()` gives both). */
export interface Words {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
}

/** `sms` → 短信; a channel without a name (a newer one) shows its code. */
export function channelName(words: Words, code: string): string {
  const key = `console.deliveries.channels.${code}`
  return words.te(key) ? words.t(key) : code
}

/** `staff:gm111a` → `["staff", "gm111a"]`; a bare id is a staff id (notify's older rows). */
export function splitRecipient(recipientId: string): [string, string] {
  const at = recipientId.indexOf(':')
  return at < 0 ? ['staff', recipientId] : [recipientId.slice(0, at), recipientId.slice(at + 1)]
}

/** 13812345678 → 138****5678, as the services mask a phone; anything else as it is. */
export function maskPhone(text: string): string {
  return text.replace(/(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)/g, '$1****$2')
}

export interface DeliveryLike {
  recipient_id: string
  recipient_masked: string
}

/** Whom a notification went to, e.g. `李磊静 138****5678`, `李磊静`, `反映人 139****0000`,
 * `12345 热线 T-1`. `names` holds the directory's staff names by id; an unknown staff id
 * shows itself. The address (the masked phone or e-mail notify recorded once it sent) is
 * added when it says more than the id. */
export function recipientText(words: Words, delivery: DeliveryLike, names: ReadonlyMap<string, string>): string {
  const [kind, ref] = splitRecipient(delivery.recipient_id)
  const address = delivery.recipient_masked.trim()
  let who: string
  if (kind === 'staff') who = names.get(ref) ?? ref
  else if (kind === 'resident') who = words.t('console.deliveries.recipients.resident')
  else if (kind === 'robot') who = words.t('console.deliveries.recipients.robot', { code: ref })
  else if (kind === 'hotline') who = words.t('console.deliveries.recipients.hotline', { ticket: ref })
  else who = delivery.recipient_id
  // A robot's and the hotline's records repeat the ref with a masked URL: the name says it.
  const extra = kind === 'staff' || kind === 'resident' ? address : ''
  const worthAdding = extra !== '' && extra !== ref && extra !== delivery.recipient_id
  return maskPhone(worthAdding ? `${who} ${extra}` : who)
}

/** A delivery's template is the event it tells of (`case.assigned` → 案件派给人员, the names
 * the notification rules use); one without a name shows its code. */
export function templateName(words: Words, template: string): string {
  const key = `console.admin.events.${template.replace(/\./g, '_')}`
  return words.te(key) ? words.t(key) : template
}
