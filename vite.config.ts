import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { defineConfig, type Plugin } from 'vite'

/**
 * Builds the widget: packages/widget/dist/widget.js, served as GET /widget.js, holds all a
 * first view needs (lit, every locale, the styles) and imports nothing up front; editors few
 * people open are dist/widget/<name>-<hash>.js, imported on first use and served as
 * GET /widget/<file> (content-hashed, so cached for good). No CSS file: styles live in the
 * components (adopted stylesheets), so a strict CSP needs nothing but `script-src`.
 * `npm run build -w @heed/widget` runs this and then the size check (scripts/check-size.ts).
 */
const widget = fileURLToPath(new URL('./packages/widget/', import.meta.url))

/**
 * Squeezes the layout whitespace out of Lit's `html`, `svg` and `css` templates in our own
 * source (a minifier leaves template text alone). Conservative: the number and position of
 * `${}` parts never change, and whitespace is only dropped where HTML or CSS ignores it.
 */
export function minifyLitTemplates(): Plugin {
  const html = (s: string) =>
    s
      .replace(/\s*\n\s*/g, '\n')
      .replace(/>\n/g, '>')
      .replace(/\n</g, '<')
      .replace(/\n/g, ' ')
  const css = (s: string) =>
    s
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}')
      .trim()
  return {
    name: 'heed:minify-lit-templates',
    enforce: 'pre',
    transform(code, id) {
      if (!id.startsWith(widget) || !/\.ts$/.test(id) || !/\b(html|svg|css)`/.test(code)) return null
      const file = ts.createSourceFile(id, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
      const edits: Array<{ from: number; to: number; text: string }> = []
      const literal = (node: ts.Node, squeeze: (s: string) => string) => {
        const start = node.getStart(file)
        const end = node.getEnd()
        const open = 1
        const close = ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateTail(node) ? 1 : 2
        const raw = code.slice(start + open, end - close)
        const text = squeeze(raw)
        if (text !== raw) edits.push({ from: start + open, to: end - close, text })
      }
      const visit = (node: ts.Node) => {
        if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && ['html', 'svg', 'css'].includes(node.tag.text)) {
          const squeeze = node.tag.text === 'css' ? css : html
          const tpl = node.template
          if (ts.isNoSubstitutionTemplateLiteral(tpl)) literal(tpl, squeeze)
          else {
            literal(tpl.head, squeeze)
            for (const span of tpl.templateSpans) literal(span.literal, squeeze)
          }
        }
        ts.forEachChild(node, visit)
      }
      visit(file)
      if (edits.length === 0) return null
      let out = code
      for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.text + out.slice(e.to)
      return { code: out, map: null }
    },
  }
}

export default defineConfig({
  root: widget,
  publicDir: false,
  logLevel: 'warn',
  plugins: [minifyLitTemplates()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'widget.js',
    },
    rolldownOptions: {
      // lit and the rest widget.js holds stay there; the parts import them from it.
      preserveEntrySignatures: 'allow-extension',
      output: { chunkFileNames: 'widget/[name]-[hash].js', minify: true, comments: false },
    },
  },
})
