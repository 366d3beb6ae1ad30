import { css } from 'lit'

/**
 * Adopted stylesheets only (no inline `style` attributes, no `<style>` elements): a page with a
 * strict CSP (`style-src 'self'`) shows the widget as designed. Colours follow the page's
 * `color-scheme` through light-dark(): dark where the page allows it and the system prefers it.
 * The build squeezes the whitespace out (vite.config.ts), so this stays readable.
 */
export const styles = css`
  :host {
    display: block;
    max-width: var(--heed-max-width, 40rem);
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  .base {
    --a: var(--heed-accent, var(--_brand, #0f766e));
    /* white on a dark accent, black on a light one (OKLCH lightness) */
    --af: var(--heed-accent-fg, oklch(from var(--a) clamp(0, (0.58 - l) * 999, 1) 0 0));
    --r: var(--heed-radius, 12px);
    --bg: var(--heed-bg, light-dark(#fff, #1d2125));
    --fg: var(--heed-fg, light-dark(#1a1d21, #eceef0));
    --mu: var(--heed-muted, light-dark(#5a636c, #a7afb7));
    --bd: var(--heed-border, light-dark(#dde1e5, #3b4148));
    --dg: var(--heed-danger, light-dark(#b42318, #ff8f84));
    --at: light-dark(var(--a), color-mix(in srgb, var(--a) 45%, #fff));
    /* control borders and the off track: 3:1 against the background (WCAG 1.4.11) */
    --ctl: color-mix(in srgb, var(--fg) 48%, var(--bg));
    position: relative;
    /* transparent: the page's own background shows through (see docs/widget.md, dark mode) */
    background: var(--heed-surface, none);
    font-family: var(--heed-font, inherit);
    color: var(--fg);
    line-height: 1.5;
    overflow-wrap: anywhere;
  }
  @supports not (color: light-dark(#000, #fff)) {
    .base {
      --bg: var(--heed-bg, #fff);
      --fg: var(--heed-fg, #1a1d21);
      --mu: var(--heed-muted, #5a636c);
      --bd: var(--heed-border, #dde1e5);
      --dg: var(--heed-danger, #b42318);
      --at: var(--a);
    }
  }
  @supports not (color: oklch(from red l c h)) {
    .base {
      --af: var(--heed-accent-fg, #fff);
    }
  }
  p {
    margin: 0 0 0.75rem;
  }
  .icon {
    flex: none;
    width: 1.25rem;
    height: 1.25rem;
  }

  .h {
    margin: 0 0 0.25rem;
    font-size: 1.0625rem;
    font-weight: 600;
    line-height: 1.3;
  }
  .title {
    font-size: 1.5rem;
    margin-bottom: 0.375rem;
  }
  .cat {
    margin: 1.25rem 0 0.5rem;
    color: var(--mu);
    font-size: 0.8125rem;
    letter-spacing: 0.06em;
    text-transform: uppercase;
  }
  [tabindex='-1']:focus {
    outline: none;
  }
  .header {
    margin-bottom: 1.5rem;
  }
  .intro,
  .hint,
  .desc,
  .why,
  .field,
  .mini,
  .thanks {
    color: var(--mu);
    font-size: 0.875rem;
  }
  .intro {
    font-size: 0.9375rem;
  }
  .who {
    display: block;
    font-size: 0.875rem;
  }
  .section {
    margin-top: 2.25rem;
  }
  .section-head,
  .row-main {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 1rem;
  }
  .row-main {
    align-items: flex-start;
  }

  .group,
  .done,
  .problem,
  .confirm {
    margin: 0;
    padding: 0;
    list-style: none;
    border: 1px solid var(--bd);
    border-radius: var(--r);
    background: var(--bg);
  }
  .pad {
    padding: 1rem;
  }
  .base :is(.done, .problem, .confirm) > :last-child {
    margin-bottom: 0;
  }
  .done,
  .problem,
  .confirm {
    padding: 1.5rem;
  }
  .row {
    padding: 0.875rem 1rem;
  }
  .row + .row,
  .option + .option {
    border-top: 1px solid var(--bd);
  }
  .text {
    display: flex;
    flex: 1;
    flex-direction: column;
    gap: 0.125rem;
    min-width: 0;
  }
  .name {
    font-weight: 500;
  }
  .why {
    display: flex;
    align-items: center;
    gap: 0.375rem;
    margin-top: 0.25rem;
  }
  .extras,
  .chips,
  .actions,
  .pause,
  .until,
  .notice,
  .leave,
  .mini,
  .field-error {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .extras {
    gap: 0.625rem 1.25rem;
    margin-top: 0.75rem;
  }
  .chips {
    gap: 0.375rem;
  }
  button,
  input,
  select,
  textarea {
    margin: 0;
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--at);
    outline-offset: 2px;
  }
  .switch {
    position: relative;
    flex: none;
    width: 2.75rem;
    height: 1.625rem;
    padding: 0;
    border: 0;
    border-radius: 999px;
    background: var(--ctl);
    cursor: pointer;
  }
  [aria-checked='true'].switch {
    background: var(--a);
  }
  [aria-disabled='true'] {
    cursor: default;
    opacity: 0.6;
  }
  .thumb {
    position: absolute;
    top: 3px;
    left: 3px;
    display: grid;
    place-items: center;
    width: 1.25rem;
    height: 1.25rem;
    border-radius: 50%;
    background: #fff;
    box-shadow: 0 1px 3px #0005;
    color: var(--a);
  }
  [aria-checked='true'] .thumb {
    transform: translateX(1.125rem);
  }
  .chip,
  .btn,
  select,
  textarea,
  input:not([type='radio'], [type='checkbox']) {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.25rem;
    min-height: 2.75rem;
    padding: 0 0.75rem;
    border: 1px solid var(--ctl);
    border-radius: calc(var(--r) * 0.66);
    background: var(--bg);
    color: var(--fg);
    cursor: pointer;
  }
  .chip {
    min-height: 2rem;
    border-radius: 999px;
    font-size: 0.875rem;
  }
  .chip .icon {
    width: 0;
    height: 1rem;
    color: var(--at);
    opacity: 0;
  }
  [aria-checked='true'].chip {
    padding-left: 0.5rem;
    border-color: var(--a);
    background: color-mix(in srgb, var(--a) 13%, var(--bg));
  }
  [aria-checked='true'] .icon {
    width: 1rem;
    opacity: 1;
  }
  :disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .mini select {
    min-height: 2rem;
    padding: 0 0.5rem;
    font-size: 0.875rem;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  .field > :last-child {
    width: 100%;
    font-size: 1rem;
  }
  .fields {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr));
    gap: 0.75rem;
  }
  textarea {
    padding: 0.5rem 0.75rem;
    cursor: text;
    resize: vertical;
  }
  .field-error {
    flex-wrap: nowrap;
    align-items: flex-start;
    margin: 0.625rem 0 0;
    color: var(--dg);
  }
  .rule {
    font-weight: 500;
  }
  .check {
    display: flex;
    align-items: center;
    align-self: end;
    gap: 0.5rem;
    min-height: 2.75rem;
    cursor: pointer;
  }
  .days {
    margin-top: 0.875rem;
  }
  .days .label {
    display: block;
    margin-bottom: 0.375rem;
    color: var(--mu);
    font-size: 0.875rem;
  }
  /* seven equal days on one line, even on a 320 px phone */
  .days .chips {
    display: grid;
    grid-template-columns: repeat(7, minmax(0, 1fr));
    max-width: 24rem;
  }
  .day {
    min-width: 0;
    min-height: 2.75rem;
    padding: 0;
  }
  [aria-checked='true'].day {
    padding: 0;
    background: var(--a);
    color: var(--af);
    font-weight: 600;
  }
  .zone {
    display: block;
    margin-top: 0.875rem;
  }
  .off {
    flex-basis: 100%;
    margin: 0;
  }
  .reason .field {
    margin-top: 0.75rem;
  }

  .options {
    overflow: hidden;
  }
  .option {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    min-height: 3rem;
    padding: 0.625rem 1rem;
    cursor: pointer;
  }
  .options .option:has(:checked) {
    background: color-mix(in srgb, var(--a) 8%, var(--bg));
  }
  .check input,
  .option input {
    flex: none;
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--a);
  }

  .btn {
    padding: 0.5rem 1.125rem;
    font-weight: 500;
    line-height: 1.25;
  }
  .btn:hover,
  .chip:hover {
    filter: brightness(0.96);
  }
  .primary {
    border-color: var(--a);
    background: var(--a);
    color: var(--af);
  }
  .danger {
    border-color: var(--dg);
    color: var(--dg);
  }
  .solid {
    background: var(--dg);
    color: var(--bg);
  }
  .link {
    min-height: 2.75rem;
    padding: 0;
    border: 0;
    background: none;
    color: var(--at);
    text-decoration: underline;
    cursor: pointer;
  }
  .actions {
    margin: 0.75rem 0;
  }

  .notice {
    gap: 0.75rem;
    margin-bottom: 0.5rem;
    padding: 0.75rem 0.75rem 0.75rem 1rem;
    border: 1px solid color-mix(in srgb, var(--a) 40%, var(--bg));
    border-radius: var(--r);
    background: color-mix(in srgb, var(--a) 9%, var(--bg));
  }
  .grow {
    flex: 1 1 12rem;
    font-weight: 500;
  }
  .pause {
    align-items: flex-end;
    gap: 0.75rem 1.5rem;
  }
  .pause .actions {
    margin: 0;
  }
  .until {
    align-items: flex-end;
  }
  .leave {
    justify-content: space-between;
    gap: 0.75rem 1.5rem;
    margin-top: 2.5rem;
    padding-top: 1.5rem;
    border-top: 1px solid var(--bd);
  }
  .leave .hint {
    flex: 1 1 16rem;
    margin: 0;
  }
  .badge {
    display: grid;
    place-items: center;
    width: 2.75rem;
    height: 2.75rem;
    margin-bottom: 0.875rem;
    border-radius: 50%;
    background: color-mix(in srgb, var(--a) 14%, var(--bg));
    color: var(--at);
  }
  .problem .badge {
    background: color-mix(in srgb, var(--dg) 12%, var(--bg));
    color: var(--dg);
  }
  .less,
  .reason {
    margin-top: 1.5rem;
    padding-top: 1.25rem;
    border-top: 1px solid var(--bd);
  }
  fieldset {
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    margin-bottom: 0.375rem;
    padding: 0;
    font-weight: 600;
  }
  .reason .option {
    min-height: 2.5rem;
    padding: 0.25rem 0;
    border: 0;
  }

  .toasts {
    position: sticky;
    bottom: 1rem;
    z-index: 1;
    display: grid;
    justify-items: center;
    gap: 0.5rem;
    margin-top: 1.5rem;
    pointer-events: none;
  }
  .toast {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.625rem 1.125rem;
    border-radius: 999px;
    background: var(--fg);
    color: var(--bg);
    box-shadow: 0 6px 20px #0003;
    font-weight: 500;
  }
  .toast.error {
    border-radius: var(--r);
    background: var(--dg);
  }

  .loading {
    min-height: 12rem;
  }

  @media (prefers-reduced-motion: no-preference) {
    .switch,
    .thumb,
    .chip {
      transition: 0.15s;
    }
    .toast {
      animation: rise 0.2s ease-out;
    }
    @keyframes rise {
      from {
        opacity: 0;
        transform: translateY(0.5rem);
      }
    }
  }
  @media (forced-colors: active) {
    .switch,
    .toast {
      border: 1px solid;
    }
    [aria-checked='true'].switch {
      background: Highlight;
    }
    .thumb {
      background: CanvasText;
    }
  }
`
