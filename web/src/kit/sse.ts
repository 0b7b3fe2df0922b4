// Server-Sent Events over fetch: EventSource cannot send the bearer token, fetch can.

export interface ServerEvent {
  id: string | null
  event: string
  data: string
}

/** Splits a text/event-stream into events, chunk by chunk (a chunk may end mid-line). */
export class EventStreamParser {
  private buffer = ''
  private id: string | null = null
  private event = ''
  private data: string[] = []

  feed(chunk: string): ServerEvent[] {
    this.buffer += chunk
    const events: ServerEvent[] = []
    let newline = this.buffer.search(/\r\n|\r|\n/)
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline)
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1
      this.buffer = this.buffer.slice(newline + width)
      const event = this.line(line)
      if (event) events.push(event)
      newline = this.buffer.search(/\r\n|\r|\n/)
    }
    return events
  }

  private line(line: string): ServerEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = ''
        return null
      }
      const event = { id: this.id, event: this.event || 'message', data: this.data.join('\n') }
      this.event = ''
      this.data = []
      return event
    }
    if (line.startsWith(':')) return null // a comment: heartbeat, "connected"
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    else if (field === 'id' && !value.includes('\0')) this.id = value
    return null
  }
}
