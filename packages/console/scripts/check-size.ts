import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

/**
 * Fails the build when the console's first load grows past its budget: index.html plus every
 * script and style sheet it loads before a page is chosen (its entry, the chunks that entry
 * imports statically, its CSS) at most 150 kB (150,000 bytes) gzip. Pages are chunks of their
 * own, loaded by import() when shown, and are reported but not counted. Also fails when the
 * HTML holds an inline script or style (the page's CSP would block it).
 */
const LIMIT = 150_000
const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const gz = (b: Buffer | string) => gzipSync(b, { level: 9 }).length

let failed = false
let indexHtml: string
try {
  indexHtml = readFileSync(`${dist}index.html`, 'utf8')
} catch {
  console.error('size: dist/index.html is missing (run the build)')
  process.exit(1)
}
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(indexHtml) || /<style[\s>]/i.test(indexHtml) || /\sstyle=/i.test(indexHtml) || /\son\w+=/i.test(indexHtml)) {
  console.error('size: index.html has an inline script, style or event handler; the CSP would block it')
  failed = true
}

const assets = readdirSync(`${dist}assets`)
const read = (f: string) => readFileSync(`${dist}assets/${f}`)
// What the first load fetches: the files index.html names, and what those import statically.
const initial = new Set<string>()
const queue = [...indexHtml.matchAll(/\/console\/assets\/([\w.-]+)/g)].map((m) => m[1]!)
while (queue.length) {
  const file = queue.pop()!
  if (initial.has(file)) continue
  initial.add(file)
  if (!file.endsWith('.js')) continue
  const code = read(file).toString('utf8')
  // Static imports only: `import … from "./x.js"` and `import "./x.js"`, not `import("./x.js")`.
  for (const m of code.matchAll(/\bimport\s*(?:[\w$*{},\s]+from\s*)?["']\.\/([\w.-]+)["']/g)) queue.push(m[1]!)
}

let total = gz(indexHtml)
for (const file of assets.sort()) {
  const size = gz(read(file))
  const counted = initial.has(file)
  if (counted) total += size
  console.log(`size: ${file} ${(size / 1000).toFixed(2)} kB gzip${counted ? '' : ' (loaded on demand)'}`)
}
if (total > LIMIT) {
  console.error(`size: first load ${(total / 1000).toFixed(2)} kB gzip is over the ${LIMIT / 1000} kB budget`)
  failed = true
} else {
  console.log(`size: first load ${(total / 1000).toFixed(2)} kB gzip of ${LIMIT / 1000} kB budget`)
}
process.exit(failed ? 1 : 0)
