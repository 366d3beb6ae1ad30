import { fileURLToPath } from 'node:url'
import { FIRST_LOAD_BUDGET, FULL_VIEW_BUDGET, widgetSizes } from './size.ts'

/**
 * Fails the build when the widget breaks its budgets (see size.ts): widget.js at most 20 kB
 * gzip and importing nothing up front; a full page view (widget.js, the parts loaded on
 * demand, one more locale) at most 30 kB.
 */
const kB = (n: number) => `${(n / 1000).toFixed(2)} kB`
const sizes = widgetSizes(fileURLToPath(new URL('../dist/', import.meta.url)))
if (!sizes) {
  console.error('size: dist/widget.js is missing (run the build)')
  process.exit(1)
}
for (const f of sizes.files) console.log(`size: ${f.file} ${kB(f.bytes)}, ${kB(f.gzip)} gzip`)
console.log(`size: first load (widget.js) ${kB(sizes.firstLoad)} gzip of ${kB(FIRST_LOAD_BUDGET)}; full view ${kB(sizes.fullView)} of ${kB(FULL_VIEW_BUDGET)}`)
for (const p of sizes.problems) console.error(`size: ${p}`)
process.exit(sizes.problems.length > 0 ? 1 : 0)
