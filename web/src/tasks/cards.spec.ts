import { describe, expect, it } from 'vitest'

import { createAppI18n, formatTime } from '@/kit/i18n'

import { cardMaker, cardWords, toCards, type CardTask } from './cards'
import { asSla } from './deadline'

const now = new Date('2026-11-28T08:00:00Z')

function words(locale: 'zh-CN' | 'en') {
  const { global } = createAppI18n(locale)
  return cardWords(
    (key, named) => (named ? global.t(key, named) : global.t(key)),
    (key) => global.te(key),
    locale,
  )
}

function task(id: string, status: string, dueAt: string | null, sla = 'green'): CardTask {
  return {
    id,
    tracking_no: `GC-${id}`,
    status,
    reported_at: '2026-11-28T01:30:00Z',
    content: '楼下垃圾桶满溢',
    address: id === 'b' ? null : '桂花路1号',
    deadline: { dueAt, sla: dueAt ? asSla(sla) : null },
  }
}

describe('toCards', () => {
  it('says what each card says in the words of a grid member', () => {
    const [card] = toCards([task('a', 'assigned', '2026-11-28T11:20:00Z')], now, words('zh-CN'))
    expect(card).toEqual({
      id: 'a',
      href: '/cases/a',
      trackingNo: 'GC-a',
      status: 'assigned',
      statusLabel: '待签收',
      tone: 'todo',
      reported: `上报 ${formatTime('2026-11-28T01:30:00Z', 'zh-CN')}`,
      deadline: {
        sla: 'green',
        mark: '正常',
        left: '剩余 3小时20分',
        due: `限 ${formatTime('2026-11-28T11:20:00Z', 'zh-CN')} 前`,
      },
      content: '楼下垃圾桶满溢',
      address: '桂花路1号',
      distance: null,
    })
  })

  it('marks a deadline passed on the phone clock 超时, and a case without one 无时限', () => {
    const cards = toCards(
      [task('a', 'accepted', '2026-11-26T07:45:00Z', 'red'), task('b', 'suspended', null)],
      now,
      words('zh-CN'),
    )
    expect(cards[0]?.deadline).toMatchObject({ sla: 'breached', mark: '超时', left: '已超时 2天0小时' })
    expect(cards[0]?.tone).toBe('doing')
    expect(cards[1]?.deadline).toBeNull()
    expect(cards[1]?.address).toBeNull()
    expect(cards[1]?.statusLabel).toBe(createAppI18n('zh-CN').global.t('cases.status.suspended'))
  })

  it('speaks English, and shows an unknown status as it is', () => {
    const [card] = toCards([task('a', 'archived', '2026-11-28T08:30:00Z', 'yellow')], now, words('en'))
    expect(card?.statusLabel).toBe('archived')
    expect(card?.tone).toBe('other')
    expect(card?.deadline).toMatchObject({ mark: 'Due soon', left: '30 min left' })
    expect(card?.reported).toBe(`reported ${formatTime('2026-11-28T01:30:00Z', 'en')}`)
  })
})

describe('toCards with where I stand', () => {
  it('says how far each case is, when it has a location', () => {
    const near = { ...task('a', 'assigned', null), lat: 29.3581, lon: 104.7725 }
    const far = { ...task('c', 'assigned', null), lat: 29.377, lon: 104.7725 }
    const nowhere = { ...task('d', 'assigned', null), lat: null, lon: null }
    const here = { lat: 29.355, lon: 104.7725 }

    const zh = toCards([near, far, nowhere], now, words('zh-CN'), here)
    expect(zh.map((c) => c.distance)).toEqual(['距我 340 米', '距我 2.4 公里', null])
    const en = toCards([near, far], now, words('en'), here)
    expect(en.map((c) => c.distance)).toEqual(['340 m away', '2.4 km away'])
    expect(toCards([near], now, words('zh-CN'))[0]?.distance).toBeNull()
  })
})

describe('cardMaker', () => {
  const list = Array.from({ length: 30 }, (_, i) => task(`t${i}`, 'assigned', '2026-11-28T11:20:00Z'))

  it('makes the first cards, and only the new ones as the count grows', () => {
    const make = cardMaker()
    const zh = words('zh-CN')
    const first = make(list, 12, now, zh, null)
    expect(first.map((card) => card.id)).toEqual(list.slice(0, 12).map((t) => t.id))
    const more = make(list, 50, now, zh, null)
    expect(more).toHaveLength(30)
    expect(more.slice(0, 12)).toEqual(first)
    more.slice(0, 12).forEach((card, i) => {
      expect(card).toBe(first[i])
    })
    expect(more).toEqual(toCards(list, now, zh))
  })

  it('makes them all again when the list, the clock, the words or the place change', () => {
    const make = cardMaker()
    const zh = words('zh-CN')
    const [before] = make(list, 12, now, zh, null)
    const later = new Date(now.getTime() + 60 * 60 * 1000)
    const [clocked] = make(list, 12, later, zh, null)
    expect(clocked).not.toBe(before)
    expect(clocked?.deadline?.left).toBe('剩余 2小时20分')
    const [english] = make(list, 12, later, words('en'), null)
    expect(english?.statusLabel).not.toBe(clocked?.statusLabel)
    const reordered = [...list].reverse()
    expect(make(reordered, 2, later, zh, null).map((card) => card.id)).toEqual(['t29', 't28'])
    const [placed] = make(reordered, 1, later, zh, { lat: 29.355, lon: 104.7725 })
    expect(placed?.id).toBe('t29')
  })
})
