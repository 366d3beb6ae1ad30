import type { OpenAPIHono } from '@hono/zod-openapi'
import { SECURITY_SCHEMES } from '../http/route.ts'

/**
 * The OpenAPI 3.1 document of the whole app, generated from the routes' own declarations
 * (each sub-app's registry, merged into the root one by `app.route()`): nothing here lists a
 * route. A route that is not declared is not served either — `declare()` does both.
 */
export function openApiDocument(app: OpenAPIHono<any>, serverUrl: string) {
  const registry = app.openAPIRegistry
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) registry.registerComponent('securitySchemes', name, scheme)
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Heed API',
      version: '1',
      description: [
        'A subscriber preference center that senders actually obey.',
        '',
        '**Senders** ask `POST /v1/check` before every message (or check and record at once with `POST /v1/dispatches`) and put the links of `POST /v1/links` into every email. **Subscribers** change their preferences through the widget (`/v1/me`, with a link token) or the hosted pages (`/p/{token}`, `/u/{token}`).',
        '',
        'JSON, camelCase. Every error is RFC 9457 `application/problem+json` with `type`, `title`, `status`, `detail` and, on validation, `errors[]` of JSON pointers. Bodies are JSON (`Content-Type: application/json`, else 415), at most 256 KiB unless an operation says otherwise.',
      ].join('\n'),
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: 'Sending', description: 'What a sender calls before and after every message.' },
      { name: 'Links', description: 'Signed links for emails, and the keys that sign them.' },
      { name: 'Subscribers', description: 'Subscriber state as the merchant sets it, and GDPR export and erasure.' },
      { name: 'Topics', description: 'What subscribers can hear about.' },
      { name: 'Tenants', description: 'A brand and its settings.' },
      { name: 'API keys', description: 'Keys of a tenant: admin or sender.' },
      { name: 'Consent ledger', description: 'Every change of consent, hash-chained.' },
      { name: 'Console', description: 'The merchant console’s people: sign-in and sessions, console users, invitations.' },
      { name: 'Subscriber (link token)', description: 'What the widget calls on behalf of the subscriber.' },
      { name: 'Pages', description: 'Hosted HTML pages reached from email links, and the widget script.' },
      { name: 'Operations', description: 'Health and this reference.' },
    ],
  })
}
