import { html } from 'lit'
import { ConsolePage } from '../page.ts'
import { href } from '../router.ts'

export class NotFoundPage extends ConsolePage {
  override render() {
    return html`<h1>${this.t.notFoundPage}</h1>
      <p><a href=${href('/subscribers')}>${this.t.navSubscribers}</a></p>`
  }
}

if (!customElements.get('heed-not-found')) customElements.define('heed-not-found', NotFoundPage)
