import type { Context } from 'hono'

/** The fields of an urlencoded or multipart form body, or null for any other body (or a file in it). */
export async function readForm(c: Context): Promise<Map<string, string> | null> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return null
  try {
    const body = await c.req.parseBody({ all: true })
    const out = new Map<string, string>()
    for (const [k, v] of Object.entries(body)) {
      if (typeof v !== 'string') return null
      out.set(k, v)
    }
    return out
  } catch {
    return null
  }
}
