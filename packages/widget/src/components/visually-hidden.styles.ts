import { css } from 'lit'

/** `.vh`: read by screen readers, not shown (the widget's and the zone picker's shadow roots). */
export const visuallyHidden = css`
  .vh {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`
