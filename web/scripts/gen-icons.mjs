// Writes the app's PNG icons (public/icons/) for the web app manifest: a white 3 × 3 grid
// on the theme blue, drawn pixel by pixel (no image tools needed). `node scripts/gen-icons.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const BLUE = [0x1d, 0x4e, 0xd8]
const WHITE = [0xff, 0xff, 0xff]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(kind, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(kind, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** The grid fills `inset`..size-inset: the maskable icon keeps it inside the safe zone. */
function icon(size, insetShare) {
  const inset = Math.round(size * insetShare)
  const span = size - 2 * inset
  const line = Math.max(2, Math.round(span / 16))
  const rows = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3)
    for (let x = 0; x < size; x++) {
      const inside = x >= inset && x < size - inset && y >= inset && y < size - inset
      const onLine = (v) => [0, 1, 2, 3].some((i) => Math.abs(v - (inset + (i * span) / 3)) < line / 2 + 0.5)
      const white = inside && (onLine(x) || onLine(y))
      const [r, g, b] = white ? WHITE : BLUE
      row[1 + x * 3] = r
      row[2 + x * 3] = g
      row[3 + x * 3] = b
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8
  header[9] = 2
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const dir = new URL('../public/icons/', import.meta.url)
mkdirSync(dir, { recursive: true })
writeFileSync(new URL('icon-192.png', dir), icon(192, 0.18))
writeFileSync(new URL('icon-512.png', dir), icon(512, 0.18))
writeFileSync(new URL('maskable-512.png', dir), icon(512, 0.28))
writeFileSync(new URL('apple-touch-icon.png', dir), icon(180, 0.18))
