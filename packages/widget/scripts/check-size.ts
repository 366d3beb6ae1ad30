import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

/**
 * Fails the build when the widget grows past its budget: every JavaScript file in dist/ (all
 * the widget loads: lit, every locale, styles) at most 20 kB (20,000 bytes) gzip, and widget.js
 * must be one self-contained module that imports nothing.
 */
const LIMIT = 20_000
const dist = fileURLToPath(new URL('../dist/', import.meta.url))

const files = readdirSync(dist).filter((f) => /\.(m?js)$/.test(f))
let failed = false
if (files.length !== 1 || files[0] !== 'widget.js') {
  console.error(`size: dist/ must hold exactly widget.js, found ${files.join(', ') || 'nothing'} (run the build)`)
  failed = true
}
let total = 0
for (const file of files) {
  const code = readFileSync(dist + file)
  const gz = gzipSync(code, { level: 9 }).length
  total += gz
  console.log(`size: ${file} ${(code.length / 1000).toFixed(1)} kB, ${(gz / 1000).toFixed(2)} kB gzip`)
  const text = code.toString('utf8')
  if (/(^|[;}])\s*(import|export\s*\*)\s*[\w{*"'`]/.test(text.replace(/import\.meta/g, '')) || /\bimport\s*\(/.test(text)) {
    console.error(`size: ${file} imports other modules; it must be self-contained`)
    failed = true
  }
}
if (total > LIMIT) {
  console.error(`size: ${(total / 1000).toFixed(2)} kB gzip is over the ${LIMIT / 1000} kB budget`)
  failed = true
} else {
  console.log(`size: ${(total / 1000).toFixed(2)} kB gzip of ${LIMIT / 1000} kB budget`)
}
process.exit(failed ? 1 : 0)
