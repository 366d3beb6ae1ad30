/**
 * canonicalJson is the ledger's format: every stored hash depends on it, so it must give
 * exactly what the plain definition gives (keys sorted by UTF-16 code units at every depth,
 * undefined values left out, undefined in arrays as null), for any value.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canonicalJson } from '../src/db/ledger.ts'

/** The definition, written plainly. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`
}

/** A small seeded generator of nested values with awkward keys. */
function randomValue(next: () => number, depth: number): unknown {
  const keys = ['a', 'B', 'b', 'ä', 'Z', '10', '9', '', 'émoji😀', 'ab', 'a\u0000', '"q"', 'zh-Hant', '中文']
  const pick = next()
  if (depth > 3 || pick < 0.3) return [null, true, false, 0, -1.5, 1e21, 'x', 'line\nbreak', '\u2028', undefined][Math.floor(next() * 10)]
  if (pick < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1))
  const out: Record<string, unknown> = {}
  for (let i = Math.floor(next() * 6); i > 0; i--) out[keys[Math.floor(next() * keys.length)]!] = randomValue(next, depth + 1)
  return out
}

test('canonicalJson gives exactly what its definition gives, for 5,000 random nested values', () => {
  let seed = 42
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = 0; i < 5000; i++) {
    const value = randomValue(next, 0)
    assert.equal(canonicalJson(value), reference(value))
  }
})

test('canonicalJson sorts keys at every depth and leaves out undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, undefined], c: undefined }, A: null }), '{"A":null,"a":{"d":[3,null]},"b":1}')
})
