// One focus ring for every element of the app: solid, 3 px, in a colour with at least 3:1 contrast
// against the light surfaces (#1f5f8b on white is 7:1), shown for keyboard focus only.
import { css } from 'lit';

export const focusRing = css`
  :focus-visible {
    outline: 3px solid var(--image-inspector-focus, #1f5f8b);
    outline-offset: 2px;
  }
  /* elements focused by script to announce what appeared (a result card, a view) */
  [tabindex='-1']:focus {
    outline: 3px solid var(--image-inspector-focus, #1f5f8b);
    outline-offset: 2px;
  }
  /* busy buttons stay focusable (a disabled one would drop the focus to the page) */
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: not-allowed;
  }
`;
