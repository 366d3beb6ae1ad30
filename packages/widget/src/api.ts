import type { MePatch, MeResponse } from '@heed/shared/schemas'

/** An answer other than 2xx, or no answer (`status` 0), from the subscriber API. */
export class HeedApiError extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string

  constructor(status: number, title: string, detail: string) {
    super(detail || title)
    this.name = 'HeedApiError'
    this.status = status
    this.title = title
    this.detail = detail
  }
}

/** Every call goes without cookies, cache or referrer: the token in the call is all it needs. */
const PRIVATE: RequestInit = { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' }

/** The calls the widget makes, authenticated with the link token (never a cookie). */
export class MeClient {
  readonly base: string
  readonly #token: string

  constructor(base: string, token: string) {
    this.base = base.replace(/\/+$/, '')
    this.#token = token
  }

  get(): Promise<MeResponse> {
    return this.#call('GET', '/v1/me')
  }

  patch(patch: MePatch): Promise<MeResponse> {
    return this.#call('PATCH', '/v1/me', patch)
  }

  unsubscribe(reason?: string): Promise<MeResponse> {
    return this.#call('POST', '/v1/me/unsubscribe', reason ? { reason } : {})
  }

  /**
   * After /v1/me gave no answer: whether this page's origin is the reason (the browser hides
   * the API's refusal from a site missing in `allowedOrigins`). The developer's fix, or null.
   * A text/plain body, so the browser sends it from any site without a preflight.
   */
  async originRefused(): Promise<string | null> {
    try {
      const res = await fetch(`${this.base}/v1/me/origin`, { ...PRIVATE, method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: this.#token })
      const answer = res.ok ? ((await res.json()) as { allowed?: unknown; detail?: unknown }) : {}
      return answer.allowed === false && typeof answer.detail === 'string' ? answer.detail : null
    } catch {
      return null
    }
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...PRIVATE,
      })
    } catch (e) {
      throw new HeedApiError(0, 'Network error', e instanceof Error ? e.message : String(e))
    }
    if (!res.ok) {
      let problem: { title?: unknown; detail?: unknown } = {}
      try {
        problem = (await res.json()) as typeof problem
      } catch {
        // not problem+json (a proxy's page): the status says enough
      }
      throw new HeedApiError(
        res.status,
        typeof problem.title === 'string' ? problem.title : res.statusText,
        typeof problem.detail === 'string' ? problem.detail : '',
      )
    }
    return (await res.json()) as T
  }
}
