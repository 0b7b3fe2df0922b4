// The first load's JavaScript budget (issue 13): at most 250 KB gzipped — the scripts
// that index.html loads (its entry and module preloads), not the lazily loaded screens.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET = 250 * 1024
const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const html = await readFile(`${dist}index.html`, 'utf8')
const scripts = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g)]
  .map((match) => match[1])
if (scripts.length === 0) {
  console.error('no scripts found in dist/index.html')
  process.exit(1)
}
let total = 0
for (const script of scripts) {
  const size = gzipSync(await readFile(`${dist}${script}`), { level: 9 }).length
  total += size
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${script}`)
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  first load, gzipped (budget ${BUDGET / 1024} KB)`)
if (total > BUDGET) {
  console.error('over the first-load JavaScript budget')
  process.exit(1)
}
