// @ts-check
/**
 * The one way the repository finds Chromium: the widget's browser tests
 * (packages/widget/web-test-runner.config.js), the e2e tests and the screenshot scripts all
 * call `chromiumPath()`. Plain JavaScript, so web-test-runner's config can import it without a
 * loader; types in chromium.d.ts.
 *
 * CHROME_PATH, when set, is the browser, and must be an executable file. Otherwise the first
 * of the usual locations that exists, then the usual names on PATH. No browser is an error
 * that says what to do, never a skipped suite.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

const LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
]
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']

export const HOW_TO_GET_ONE = 'install it (apt-get install chromium) or set CHROME_PATH to its executable'

/** @param {string} path */
function isExecutableFile(path) {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The path of the Chromium (or Chrome) executable to drive.
 * @param {NodeJS.ProcessEnv} [env] where CHROME_PATH and PATH are read (default: process.env)
 * @returns {string}
 * @throws {Error} when CHROME_PATH is not an executable file, or no browser is found
 */
export function chromiumPath(env = process.env) {
  const given = env.CHROME_PATH
  if (given) {
    if (isExecutableFile(given)) return given
    throw new Error(`Chromium not found: CHROME_PATH=${given} is not an executable file; ${HOW_TO_GET_ONE}`)
  }
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((dir) => NAMES.map((name) => join(dir, name)))
  const found = [...LOCATIONS, ...onPath].find(isExecutableFile)
  if (found) return found
  throw new Error(`Chromium not found: ${HOW_TO_GET_ONE}`)
}
