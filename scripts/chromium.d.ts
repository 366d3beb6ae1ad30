/** Types for chromium.js (plain JavaScript so web-test-runner.config.js can import it without a loader). */
export const HOW_TO_GET_ONE: string
/** The Chromium executable: CHROME_PATH (which must be an executable file), else the usual locations and names on PATH; throws saying what to do when there is none. */
export function chromiumPath(env?: NodeJS.ProcessEnv): string
