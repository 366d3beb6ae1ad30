/** The one way the vendor modules call an ESP: a timeout, and any non-2xx answer thrown. */

/** Heed waits 15 s for the receiver's answer; SES may take two calls in a row. */
const TIMEOUT_MS = 6_000

export class VendorError extends Error {
  constructor(
    readonly vendor: string,
    readonly status: number | null,
    message: string,
  ) {
    super(`${vendor}: ${message}`)
    this.name = 'VendorError'
  }
}

export interface Answer {
  status: number
  text: string
}

/** Calls `url`; answers with the status and body when it is 2xx or one of `accept`, throws otherwise. */
export async function call(vendor: string, url: string, init: RequestInit, accept: readonly number[] = []): Promise<Answer> {
  let res: Response
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (err) {
    throw new VendorError(vendor, null, `${init.method ?? 'GET'} ${new URL(url).pathname}: ${(err as Error).message}`)
  }
  const text = await res.text()
  if (res.ok || accept.includes(res.status)) return { status: res.status, text }
  throw new VendorError(vendor, res.status, `${init.method ?? 'GET'} ${new URL(url).pathname}: ${res.status} ${text.slice(0, 200)}`)
}
