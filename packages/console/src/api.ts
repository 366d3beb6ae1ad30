/**
 * The console's one way to the server: the public /v1 API, same origin, authenticated by the
 * session cookie. Every failure becomes an {@link ApiProblem}: status 0 for no answer, 401
 * also tells the app (the `heed-console-signed-out` event on window) to go back to sign-in.
 */

export interface FieldError {
  pointer: string
  detail: string
}

export class ApiProblem extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly errors: FieldError[]

  constructor(status: number, title: string, detail: string, errors: FieldError[] = []) {
    super(detail || title)
    this.name = 'ApiProblem'
    this.status = status
    this.title = title
    this.detail = detail
    this.errors = errors
  }

  /** The error of one field (`/name`, `/branding/accentColor`), when the server named it. */
  field(pointer: string): string | undefined {
    return this.errors.find((e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`))?.detail
  }
}

export const SIGNED_OUT = 'heed-console-signed-out'

export interface CallOptions {
  /** A 401 is an answer to show (sign-in), not a lost session. */
  expect401?: boolean
}

async function send(method: string, path: string, body: unknown, options: CallOptions): Promise<Response> {
  let res: Response
  // A Blob (a chosen file) is sent as it is, with its own type; anything else as JSON.
  const file = body instanceof Blob
  try {
    res = await fetch(path, {
      method,
      headers: { Accept: 'application/json, application/problem+json', ...(body === undefined ? {} : { 'Content-Type': file ? body.type : 'application/json' }) },
      ...(body === undefined ? {} : { body: file ? body : JSON.stringify(body) }),
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch (e) {
    throw new ApiProblem(0, 'Network error', e instanceof Error ? e.message : String(e))
  }
  if (res.ok) return res
  let problem: { title?: unknown; detail?: unknown; errors?: unknown } = {}
  try {
    problem = (await res.json()) as typeof problem
  } catch {
    // not JSON: the status says enough
  }
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter((e): e is FieldError => typeof e?.pointer === 'string' && typeof e?.detail === 'string')
    : []
  if (res.status === 401 && !options.expect401) window.dispatchEvent(new CustomEvent(SIGNED_OUT))
  throw new ApiProblem(res.status, typeof problem.title === 'string' ? problem.title : res.statusText, typeof problem.detail === 'string' ? problem.detail : '', errors)
}

/** A call with a JSON body, or a Blob sent as it is; resolves to the parsed answer (undefined for 204). */
export async function call<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  const res = await send(method, path, body, options)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** Builds a query string from the values that are set. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** The path of one subscriber's resource, with the id encoded. */
export const subscriberPath = (id: string, rest = '') => `/v1/subscribers/${encodeURIComponent(id)}${rest}`
