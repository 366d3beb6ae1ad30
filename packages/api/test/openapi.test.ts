/** GET /openapi.json is generated from the routes' own declarations and describes every route. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { setup, type Harness } from './harness.ts'

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

describe('OpenAPI document', () => {
  let h: Harness
  let doc: any
  before(async () => {
    h = await setup()
    const res = await h.req('GET', '/openapi.json', undefined, { key: null })
    assert.equal(res.status, 200)
    doc = res.body
  })
  after(() => h.close())

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
    )

  test('every route of the app is documented, and every documented operation exists', () => {
    // Hono lists each handler of a route (validators too) and every middleware (method ALL).
    const served = new Set(
      h.app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replaceAll(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
    )
    const documented = new Set(operations().map(({ method, path }) => `${method} ${path}`))
    assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented')
    assert.deepEqual([...documented].filter((r) => !served.has(r)), [], 'documented but not served')
    for (const route of ['get /healthz', 'get /widget.js', 'get /p/{token}', 'get /u/{token}', 'post /u/{token}', 'get /docs', 'get /openapi.json', 'post /v1/check/batch']) {
      assert.ok(documented.has(route), route)
    }
  })

  test('a route added without a declaration is caught', () => {
    const app = new OpenAPIHono()
    app.get('/undeclared', (c) => c.text('hi'))
    const documented = Object.keys(app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } }).paths ?? {})
    assert.ok(app.routes.some((r) => r.path === '/undeclared') && !documented.includes('/undeclared'))
  })

  test('the document is valid OpenAPI 3.1', async () => {
    assert.equal(doc.openapi, '3.1.0')
    const result = await new Validator().validate(structuredClone(doc))
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2))
  })

  test('every operation has a summary, a description, tags and security', () => {
    const schemes = new Set(Object.keys(doc.components.securitySchemes))
    assert.deepEqual([...schemes].sort(), ['adminKey', 'consoleSession', 'linkToken', 'rootToken', 'senderKey'])
    for (const { method, path, op } of operations()) {
      const name = `${method} ${path}`
      assert.ok(op.summary?.length > 3, `${name}: summary`)
      assert.ok(op.description?.length > 20, `${name}: description`)
      assert.ok(op.tags?.length > 0, `${name}: tags`)
      assert.ok(Array.isArray(op.security), `${name}: security`)
      for (const requirement of op.security) for (const scheme of Object.keys(requirement)) assert.ok(schemes.has(scheme), `${name}: ${scheme}`)
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) assert.ok(response.description, `${name} ${status}`)
    }
  })

  test('the defaults that come from the clock, the engine or the tenant are stated', () => {
    const body = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema.properties
    assert.match(body('/v1/check').at.description, /Default: now/)
    assert.equal(body('/v1/check').channel.default, 'email')
    assert.equal(body('/v1/dispatches').enforce.default, true)
    assert.match(body('/v1/links').ttlSeconds.description, /Default: the tenant’s `linkTtlSeconds`/)
    assert.equal(doc.paths['/v1/events'].get.parameters.find((p: any) => p.name === 'limit').schema.default, 100)
  })

  test('one-click unsubscribe is documented with its form body', () => {
    const content = doc.paths['/u/{token}'].post.requestBody.content
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
      assert.deepEqual(content[type].schema.example, { 'List-Unsubscribe': 'One-Click' })
    }
  })

  test('every example is valid against its own schema', () => {
    // The document's examples, each checked against the JSON Schema it sits in (resolving
    // component references), with zod's own JSON Schema validator: z.fromJSONSchema.
    const components = doc.components.schemas as Record<string, any>
    const resolve = (schema: any): any => {
      if (Array.isArray(schema)) return schema.map(resolve)
      if (schema === null || typeof schema !== 'object') return schema
      if (typeof schema.$ref === 'string') return resolve(components[schema.$ref.split('/').pop()])
      return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'example' || k === 'default' ? v : resolve(v)]))
    }
    let checked = 0
    const visit = (schema: any, where: string) => {
      if (Array.isArray(schema)) return schema.forEach((s, i) => visit(s, `${where}/${i}`))
      if (schema === null || typeof schema !== 'object') return
      if ('example' in schema && ('type' in schema || 'properties' in schema || 'anyOf' in schema || '$ref' in schema)) {
        const { example, ...rest } = resolve(schema)
        const result = z.fromJSONSchema(rest).safeParse(example)
        assert.ok(result.success, `${where}: ${JSON.stringify(example)}: ${result.error?.message}`)
        checked++
      }
      for (const [k, v] of Object.entries(schema)) if (k !== 'example' && k !== 'default') visit(v, `${where}/${k}`)
    }
    visit(doc.paths, '#/paths')
    visit(doc.components.schemas, '#/components/schemas')
    assert.ok(checked >= 40, `only ${checked} examples`)
  })

  test('the examples the reference page used to show are gone', () => {
    const text = JSON.stringify(doc)
    assert.doesNotMatch(text, /"topic":"s"/)
    assert.equal(doc.components.schemas.Decision.example.allowed, false)
    assert.equal(doc.components.schemas.Decision.example.reason, 'quiet_hours')
  })

  test('the webhooks section describes every message Heed sends, with the signature headers and an example that fits its schema', async () => {
    const types = ['subscriber.created', 'subscriber.updated', 'subscriber.unsubscribed', 'subscriber.resubscribed', 'subscriber.reason_given', 'subscriber.erased', 'topic.created', 'topic.updated', 'topic.deleted']
    assert.deepEqual(Object.keys(doc.webhooks ?? {}).sort(), [...types].sort())
    const resolve = (schema: any) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').at(-1)] : schema)
    for (const type of types) {
      const post = doc.webhooks[type].post
      assert.deepEqual(post.parameters.filter((p: any) => p.in === 'header').map((p: any) => p.name).sort(), ['webhook-id', 'webhook-signature', 'webhook-timestamp'], type)
      const media = post.requestBody.content['application/json']
      assert.equal(media.example.type, type, `${type}: its example is of its type`)
      const schema = resolve(media.schema)
      assert.ok(schema.properties.type.enum.includes(type), `${type}: its schema names it`)
      for (const key of schema.required ?? []) assert.ok(key in media.example, `${type}: example lacks ${key}`)
      for (const key of resolve(schema.properties.data).required ?? []) assert.ok(key in media.example.data, `${type}: example data lacks ${key}`)
    }
  })

  test('/docs still serves the reference page', async () => {
    const page = await h.req('GET', '/docs', undefined, { key: null })
    assert.equal(page.status, 200)
    assert.match(page.headers.get('Content-Type') ?? '', /text\/html/)
    assert.match(page.text, /Heed API reference/)
    assert.match(page.text, /swagger-ui-bundle\.js/)
    const init = await h.req('GET', '/docs/init.js', undefined, { key: null })
    assert.match(init.text, /\/openapi\.json/)
    const css = await h.req('GET', '/docs/swagger-ui.css', undefined, { key: null })
    assert.equal(css.status, 200)
    const missing = await h.req('GET', '/docs/nothing.js', undefined, { key: null })
    assert.equal(missing.status, 404)
  })
})
