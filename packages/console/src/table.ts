import { html, type TemplateResult } from 'lit'

/** A column heading; `hidden` ones are read by screen readers only (an actions column). */
export type Heading = string | { hidden: string }

/**
 * The console's tables: a scrolling wrapper (narrow screens scroll the table, not the page),
 * column headings, and one row of cells per item, the cells in the order of the headings.
 */
export function dataTable<T>(headings: readonly Heading[], items: readonly T[], cells: (item: T) => readonly unknown[]): TemplateResult {
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          ${headings.map((h) => html`<th scope="col">${typeof h === 'string' ? h : html`<span class="visually-hidden">${h.hidden}</span>`}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${items.map((item) => html`<tr>${cells(item).map((cell) => html`<td>${cell}</td>`)}</tr>`)}
      </tbody>
    </table>
  </div>`
}
