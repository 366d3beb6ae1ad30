import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * The built widget's sizes (gzip level 9, as a server with static precompression sends it),
 * for the build's size check and `npm run bench`:
 * - first load: widget.js alone (lit, English, the styles, everything a first view needs);
 * - full view: the most a person's page view can load: widget.js, every part loaded on demand
 *   (editors) and the largest of the other locales (a view loads one).
 * Also what breaks the layout: widget.js importing anything up front, or a part importing
 * anything but widget.js and other parts.
 */
export interface WidgetFile {
  file: string
  bytes: number
  gzip: number
}
export interface WidgetSizes {
  files: WidgetFile[]
  firstLoad: number
  fullView: number
  problems: string[]
}

export const FIRST_LOAD_BUDGET = 20_000
export const FULL_VIEW_BUDGET = 30_000
/** Parts named for a locale hold its strings (translations/index.ts). */
const LOCALE_PART = /^widget\/(?:et|zh-Hans|zh-Hant)-/
const STATIC_IMPORT = /(?:^|[;}\s])(?:import\s*[\w{*$][^;]*?from\s*|import\s*|export\s*[*{][^;]*?from\s*)["']([^"']+)["']/g
const DYNAMIC_IMPORT = /\bimport\s*\(([^)]*)\)/g

export function widgetSizes(dist: string): WidgetSizes | null {
  if (!existsSync(join(dist, 'widget.js'))) return null
  const read = (file: string) => {
    const code = readFileSync(join(dist, file))
    return { file, text: code.toString('utf8'), bytes: code.length, gzip: gzipSync(code, { level: 9 }).length }
  }
  const main = read('widget.js')
  const parts = existsSync(join(dist, 'widget')) ? readdirSync(join(dist, 'widget')).filter((f) => f.endsWith('.js')).sort().map((f) => read(`widget/${f}`)) : []
  const problems: string[] = []
  const stray = readdirSync(dist).filter((f) => f !== 'widget.js' && f !== 'widget')
  if (stray.length > 0) problems.push(`dist/ holds ${stray.join(', ')}: only widget.js and widget/ belong there`)
  for (const m of main.text.matchAll(STATIC_IMPORT)) problems.push(`widget.js imports ${m[1]} up front; it must load alone`)
  for (const m of main.text.matchAll(DYNAMIC_IMPORT)) if (!/^\s*([`"'])\.\/widget\/[\w.-]+\.js\1\s*$/.test(m[1]!)) problems.push(`widget.js imports ${m[1]}; only ./widget/<part>.js may load on demand`)
  for (const part of parts) {
    for (const m of part.text.matchAll(STATIC_IMPORT)) if (!/^\.\.\/widget\.js$|^\.\/[\w.-]+\.js$/.test(m[1]!)) problems.push(`${part.file} imports ${m[1]}; a part may import only widget.js and other parts`)
  }
  const locales = parts.filter((p) => LOCALE_PART.test(p.file))
  const editors = parts.filter((p) => !LOCALE_PART.test(p.file))
  const fullView = main.gzip + editors.reduce((s, p) => s + p.gzip, 0) + Math.max(0, ...locales.map((p) => p.gzip))
  if (main.gzip > FIRST_LOAD_BUDGET) problems.push(`widget.js is ${main.gzip} B gzip, over the ${FIRST_LOAD_BUDGET} B budget`)
  if (fullView > FULL_VIEW_BUDGET) problems.push(`a full view loads ${fullView} B gzip, over the ${FULL_VIEW_BUDGET} B budget`)
  return { files: [main, ...parts].map(({ file, bytes, gzip }) => ({ file, bytes, gzip })), firstLoad: main.gzip, fullView, problems }
}
