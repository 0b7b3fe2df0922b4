import { describe, expect, it } from 'vitest'

import { EventStreamParser } from './sse'

describe('EventStreamParser', () => {
  it('reads events split across chunks and skips comments', () => {
    const parser = new EventStreamParser()

    const first = parser.feed(': connected\n\nid: 7\nevent: case.assigned\nda')
    const second = parser.feed('ta: {"title":"新任务"}\n\n: heartbeat\n\n')

    expect(first).toEqual([])
    expect(second).toEqual([{ id: '7', event: 'case.assigned', data: '{"title":"新任务"}' }])
  })

  it('joins multi-line data and keeps the last id for the next event', () => {
    const parser = new EventStreamParser()

    const events = parser.feed('id: 3\r\ndata: a\r\ndata: b\r\n\r\ndata: c\n\n')

    expect(events).toEqual([
      { id: '3', event: 'message', data: 'a\nb' },
      { id: '3', event: 'message', data: 'c' },
    ])
  })
})
