// One visual language for the whole app: design tokens as CSS custom properties and the small
// set of controls (buttons, inputs, tables, notices) every element shares. Our own set rather
// than a component library: the few controls needed weigh less than any library's runtime
// against the 100 kB gzip JavaScript budget. Each token can be themed from outside through its
// public name (--ii-*), e.g. `ii-app { --ii-accent: #0b5cad; }`.
import { css } from 'lit';

export const tokens = css`
  :host {
    --_accent: var(--ii-accent, #1f5f8b);
    --_fg: var(--ii-fg, #1d2329);
    --_muted: var(--ii-muted, #5b6670);
    --_bg: var(--ii-bg, #ffffff);
    --_surface: var(--ii-surface, #f5f7f9);
    --_border: var(--ii-border, #d5dbe1);
    --_ok: var(--ii-ok, #17693a);
    --_warn: var(--ii-warn, #8a5a00);
    --_danger: var(--ii-danger, #b42318);
    --_radius: var(--ii-radius, 8px);
    --_focus: var(--ii-focus, #1f5f8b);
  }
`;

export const controls = css`
  button {
    font: inherit;
    font-size: 0.95em;
    border: 1px solid var(--_accent);
    background: var(--_bg);
    color: var(--_accent);
    border-radius: 6px;
    padding: 4px 12px;
    cursor: pointer;
    white-space: nowrap;
  }
  button.primary,
  button[type='submit'] {
    background: var(--_accent);
    color: #fff;
  }
  button.danger {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  button.danger.primary {
    background: var(--_danger);
    color: #fff;
  }
  button:hover:not(:disabled) {
    filter: brightness(0.92);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  tr[tabindex]:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  input:not([type='checkbox']):not([type='radio']):not([type='file']),
  select,
  textarea {
    font: inherit;
    font-size: 0.95em;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 4px 8px;
    min-width: 0;
  }
  /* read by screen readers, not shown; a hidden file input stands behind a button of ours */
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: start;
    padding: 6px 10px 6px 0;
    border-bottom: 1px solid var(--_border);
    vertical-align: top;
    /* narrow columns wrap between words, never inside one ("streamOptimize d") */
    overflow-wrap: normal;
    word-break: normal;
  }
  th {
    color: var(--_muted);
    font-weight: 600;
  }
  .table-wrap {
    overflow-x: auto;
  }
  .error {
    color: var(--_danger);
  }
  .notice,
  .ok {
    color: var(--_ok);
  }
  .muted {
    color: var(--_muted);
  }
  .box {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    padding: 10px 14px;
  }
  .box.danger {
    border-color: var(--_danger);
    background: color-mix(in srgb, var(--_danger) 6%, var(--_bg));
  }
  .box.warn {
    border-color: var(--_warn);
    background: color-mix(in srgb, var(--_warn) 7%, var(--_bg));
  }
`;
