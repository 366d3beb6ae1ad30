import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

/**
 * Builds the console into packages/console/dist/: index.html (the shell the API serves at
 * /console and every client-side route under it) and hashed files under assets/, served at
 * /console/assets/. Each page is its own chunk, loaded by a dynamic import() when first shown.
 * Nothing is inlined into the HTML (no script, no style): the page's strict CSP allows only
 * files of its own origin. `npm run build -w @heed/console` runs this and then the size check.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./', import.meta.url)),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
})
