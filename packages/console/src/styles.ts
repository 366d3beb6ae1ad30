import { css } from 'lit'

/**
 * The console's look, shared by the shell and every page through adopted stylesheets (no
 * style element, so the strict CSP needs nothing). Light and dark follow the system; colours
 * are chosen for at least 4.5:1 text contrast in both.
 */
export const base = css`
  :host {
    --bg: #f6f7f9;
    --surface: #ffffff;
    --text: #1b1f24;
    --muted: #4b5563;
    --border: #c9ced6;
    --accent: #0f766e;
    --accent-text: #ffffff;
    --danger: #b42318;
    --ok: #116329;
    --warn-bg: #fff4d6;
    --warn-text: #5c3c00;
    --focus: #1d4ed8;
    --radius: 0.5rem;
    color-scheme: light dark;
    font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans CJK TC', sans-serif;
    color: var(--text);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #111418;
      --surface: #1a1f25;
      --text: #e6e8eb;
      --muted: #aab2bd;
      --border: #4a525d;
      --accent: #5eead4;
      --accent-text: #062a26;
      --danger: #ff8c82;
      --ok: #7ee2a0;
      --warn-bg: #3a2c05;
      --warn-text: #ffe08a;
      --focus: #93b4ff;
    }
  }
  * {
    box-sizing: border-box;
  }
  h1 {
    font-size: 1.5rem;
    line-height: 1.25;
    margin: 0 0 1rem;
  }
  h2 {
    font-size: 1.125rem;
    margin: 1.5rem 0 0.5rem;
  }
  p {
    margin: 0.5rem 0;
  }
  h1.mono {
    font-size: 1.5rem;
  }
  .card > h2:first-child {
    margin-top: 0;
  }
  a {
    color: var(--accent);
  }
  .muted {
    color: var(--muted);
  }
  .card {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 1rem;
    margin: 0 0 1rem;
  }
  button,
  .button {
    font: inherit;
    font-weight: 600;
    min-height: 2.75rem;
    min-width: 2.75rem;
    padding: 0.5rem 1rem;
    border-radius: var(--radius);
    border: 2px solid var(--accent);
    background: transparent;
    color: var(--text);
    cursor: pointer;
    text-decoration: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.375rem;
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-text);
  }
  button.danger {
    border-color: var(--danger);
    color: var(--danger);
  }
  button.danger.primary {
    background: var(--danger);
    color: var(--surface);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button.small {
    min-height: 2.25rem;
    min-width: 2.25rem;
    padding: 0.25rem 0.625rem;
    font-size: 0.875rem;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  label {
    display: block;
    font-weight: 600;
    margin: 0.75rem 0 0.25rem;
  }
  label.inline {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    font-weight: 400;
    margin: 0.25rem 1rem 0.25rem 0;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--text);
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    min-height: 2.75rem;
    padding: 0.375rem 0.625rem;
    max-width: 100%;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: 1.25rem;
    width: 1.25rem;
    height: 1.25rem;
    accent-color: var(--accent);
  }
  input[type='color'] {
    padding: 0.125rem;
    width: 4rem;
  }
  input.wide,
  textarea.wide,
  select.wide {
    width: 100%;
  }
  [aria-invalid='true'] {
    border-color: var(--danger);
    border-width: 2px;
  }
  .field-error,
  .error {
    color: var(--danger);
    font-weight: 600;
    margin: 0.25rem 0;
  }
  .success {
    color: var(--ok);
    font-weight: 600;
  }
  .warning {
    background: var(--warn-bg);
    color: var(--warn-text);
    border-radius: var(--radius);
    padding: 0.5rem 0.75rem;
    margin: 0.5rem 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 0.75rem;
    align-items: end;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin: 1rem 0;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    background: var(--surface);
  }
  th,
  td {
    text-align: start;
    padding: 0.5rem 0.625rem;
    border-bottom: 1px solid var(--border);
    vertical-align: top;
  }
  th {
    font-size: 0.875rem;
    color: var(--muted);
    font-weight: 600;
  }
  .table-wrap {
    position: relative;
    overflow-x: auto;
    border: 1px solid var(--border);
    border-radius: var(--radius);
  }
  code,
  .mono {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 0.875em;
    overflow-wrap: anywhere;
  }
  .badge {
    display: inline-block;
    font-size: 0.8125rem;
    font-weight: 600;
    padding: 0.0625rem 0.5rem;
    border-radius: 999px;
    border: 1px solid currentColor;
  }
  .badge.on {
    color: var(--ok);
  }
  .badge.off {
    color: var(--danger);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    border: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  dl.facts {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.25rem 1rem;
    margin: 0;
  }
  dl.facts dt {
    color: var(--muted);
  }
  dl.facts dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  ol.timeline {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  ol.timeline li {
    display: grid;
    grid-template-columns: 12rem 1fr auto;
    gap: 0.25rem 0.75rem;
    padding: 0.5rem 0;
    border-bottom: 1px solid var(--border);
  }
  .changes {
    display: block;
    color: var(--muted);
  }
  @media (max-width: 40rem) {
    ol.timeline li {
      grid-template-columns: 1fr;
    }
    dl.facts {
      grid-template-columns: 1fr;
    }
    dl.facts dd {
      margin-bottom: 0.5rem;
    }
  }
`

/** The topic list of the topics page. */
export const topicList = css`
  ol.topics {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  li.topic {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    justify-content: space-between;
    align-items: flex-start;
  }
  li.topic[draggable='true'] {
    cursor: grab;
  }
  li.topic.dragging {
    opacity: 0.5;
  }
  .topic-actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  fieldset {
    border: 1px solid var(--border);
    border-radius: var(--radius);
    margin: 0.75rem 0;
  }
  legend {
    font-weight: 600;
  }
  .badge + .badge {
    margin-inline-start: 0.25rem;
  }
`
