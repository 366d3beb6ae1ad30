import { LitElement } from 'lit'
import { ApiProblem } from './api.ts'
import type { Route } from './router.ts'
import type { Session } from './session.ts'
import { base } from './styles.ts'
import { format, type Translation } from './translations/index.ts'

/**
 * What every page gets from the shell: the strings and locale (reactive: a language switch
 * re-renders the page), who is signed in, and the route that showed it.
 */
export class ConsolePage extends LitElement {
  static override styles = [base]
  static override properties = {
    t: { attribute: false },
    locale: { attribute: false },
    session: { attribute: false },
    route: { attribute: false },
  }

  declare t: Translation
  declare locale: string
  declare session: Session | null
  declare route: Route

  get fmt() {
    return format(this.locale)
  }

  /** The words for a failed call: no answer, the role, or the server's own `detail`. */
  errorText(e: unknown): string {
    if (e instanceof ApiProblem) {
      if (e.status === 0) return this.t.networkError
      if (e.status === 401) return this.t.sessionEnded
      if (e.status === 403) return this.t.forbidden
      return e.detail || e.title || this.t.genericError
    }
    return this.t.genericError
  }

  /** The field error the server gave for `pointer`, if the last failure was a validation one. */
  fieldError(e: unknown, pointer: string): string | undefined {
    return e instanceof ApiProblem ? e.field(pointer) : undefined
  }
}
