/** Client-side routes under /console, as the server answers every one of them with the same shell. */

export const BASE = '/console'

export type Route =
  | { page: 'sign-in' }
  | { page: 'accept' }
  | { page: 'subscribers' }
  | { page: 'subscriber'; id: string }
  | { page: 'topics' }
  | { page: 'settings' }
  | { page: 'ledger' }
  | { page: 'keys' }
  | { page: 'people' }
  | { page: 'webhooks' }
  | { page: 'import' }
  | { page: 'not-found' }

export function parse(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '') : ''
  const [first, second] = rest.split('/')
  switch (first) {
    case '':
    case undefined:
    case 'subscribers':
      return second ? { page: 'subscriber', id: decodeURIComponent(second) } : { page: 'subscribers' }
    case 'sign-in':
    case 'accept':
    case 'topics':
    case 'settings':
    case 'ledger':
    case 'keys':
    case 'people':
    case 'webhooks':
    case 'import':
      return second ? { page: 'not-found' } : { page: first }
    default:
      return { page: 'not-found' }
  }
}

export const href = (path: string) => `${BASE}${path}`

/** Goes to a console path without reloading; the app listens for `popstate`. */
export function navigate(path: string, replace = false) {
  const url = href(path)
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  window.dispatchEvent(new PopStateEvent('popstate'))
}
