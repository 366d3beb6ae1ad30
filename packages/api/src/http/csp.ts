/**
 * The Content-Security-Policy of Heed's own HTML (hosted pages, the console): scripts, styles,
 * fonts and calls of this origin only, images also from https and data:, forms posting here
 * only, never framed. `styleNonce` admits the one inline style block a page renders itself.
 */
export function strictCsp(styleNonce?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    styleNonce ? `style-src 'self' 'nonce-${styleNonce}'` : "style-src 'self'",
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}
