/** Types for heed-api.js (plain JavaScript so web-test-runner.config.js can import it without a loader). */
export interface ApiAnswer<T = any> {
  status: number
  body: T
}
export interface RunningApi {
  url: string
  rootToken: string
  call<T = any>(method: string, path: string, body?: unknown, key?: string): Promise<ApiAnswer<T>>
  stop(): Promise<void>
}
export function freePort(): Promise<number>
export function startApi(options?: { allowedOrigins?: string[]; log?: boolean }): Promise<RunningApi>
export const FIXTURE_TOPICS: Record<string, Record<string, unknown>>
export function seedTenant(api: RunningApi, allowedOrigins: string[]): Promise<string>
