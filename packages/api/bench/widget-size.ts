/**
 * Gzip size of the built widget and everything it loads: widget.js plus every relative module
 * it imports, statically or with import(), followed through the built files.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const WIDGET_FILE = fileURLToPath(new URL('../../widget/dist/widget.js', import.meta.url))

export interface WidgetSize {
  files: { file: string; bytes: number; gzip: number }[]
  bytes: number
  /** gzip level 9, as a server with static precompression would send it. */
  gzip: number
}

const IMPORT = /(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]*?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']|\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g

export function widgetSize(file = WIDGET_FILE): WidgetSize | null {
  if (!existsSync(file)) return null
  const seen = new Set<string>()
  const files: WidgetSize['files'] = []
  const visit = (path: string) => {
    if (seen.has(path) || !existsSync(path)) return
    seen.add(path)
    const body = readFileSync(path)
    files.push({ file: path, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length })
    for (const m of body.toString('utf8').matchAll(IMPORT)) visit(resolve(dirname(path), (m[1] ?? m[2])!))
  }
  visit(resolve(file))
  return {
    files: files.map((f) => ({ ...f, file: f.file.replace(join(dirname(file), '/'), '') })),
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    gzip: files.reduce((s, f) => s + f.gzip, 0),
  }
}
