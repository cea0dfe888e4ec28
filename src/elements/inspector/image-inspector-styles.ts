// Styles of <image-inspector>. Themable from outside with CSS custom properties
// (--image-inspector-*) and ::part(...) on the parts named in the template.
import { css } from 'lit';

export const inspectorStyles = css`
  :host {
    --_accent: var(--image-inspector-accent, var(--ii-accent, #1f5f8b));
    --_fg: var(--image-inspector-fg, var(--ii-fg, #1d2329));
    --_muted: var(--image-inspector-muted, var(--ii-muted, #5b6670));
    --_bg: var(--image-inspector-bg, var(--ii-bg, #ffffff));
    --_surface: var(--image-inspector-surface, var(--ii-surface, #f5f7f9));
    --_border: var(--image-inspector-border, var(--ii-border, #d5dbe1));
    --_ok: var(--image-inspector-ok, var(--ii-ok, #17693a));
    --_warn: var(--image-inspector-warn, var(--ii-warn, #8a5a00));
    --_danger: var(--image-inspector-danger, var(--ii-danger, #b42318));
    --_radius: var(--image-inspector-radius, var(--ii-radius, 8px));
    display: block;
    color: var(--_fg);
    font: var(--image-inspector-font, 15px/1.45 system-ui, sans-serif);
  }
  [hidden] {
    display: none !important;
  }
  .drop {
    border: 2px dashed var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    padding: 28px 20px;
    text-align: center;
    transition:
      border-color 0.15s,
      background 0.15s;
  }
  .drop.over {
    border-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 8%, var(--_surface));
  }
  .drop p {
    margin: 0 0 12px;
  }
  .drop .hint {
    color: var(--_muted);
    font-size: 0.9em;
    margin: 12px 0 0;
  }
  button {
    font: inherit;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: #fff;
    border-radius: 6px;
    padding: 6px 14px;
    cursor: pointer;
    margin: 0 4px;
  }
  button.secondary {
    background: transparent;
    color: var(--_accent);
  }
  /* keyboard focus: solid, 3 px, at least 3:1 against the surfaces (the accent on white is 7:1) */
  :focus-visible,
  [tabindex='-1']:focus {
    outline: 3px solid var(--image-inspector-focus, var(--_accent));
    outline-offset: 2px;
  }
  input[type='file'] {
    display: none;
  }
  /* read by screen readers (the live region), not shown */
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .list-head {
    display: flex;
    justify-content: flex-end;
    margin-top: 12px;
  }
  button.clear {
    font-size: 0.9em;
    padding: 3px 10px;
    margin: 0;
  }
  ul.cards {
    list-style: none;
    margin: 8px 0 0;
    padding: 0;
    display: grid;
    gap: 14px;
  }
  .card {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    padding: 14px 16px;
    /* break-word, not anywhere: long names still wrap, but narrow columns keep whole words */
    overflow-wrap: break-word;
  }
  .card header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 8px 12px;
    margin-bottom: 8px;
  }
  .card h3 {
    margin: 0;
    font-size: 1.05em;
  }
  .muted {
    color: var(--_muted);
    font-size: 0.9em;
  }
  p.muted {
    margin: 0 0 8px;
  }
  p.inner-format {
    margin: 8px 0 0;
  }
  button.upload,
  button.save {
    font-size: 0.9em;
    padding: 3px 10px;
  }
  .phase {
    margin-left: auto;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .verdict {
    border-radius: 6px;
    padding: 8px 12px;
    font-weight: 600;
    border-left: 5px solid var(--_muted);
    background: var(--_surface);
  }
  .verdict.safe {
    border-left-color: var(--_ok);
    color: var(--_ok);
  }
  .verdict.not-a-disk {
    border-left-color: var(--_warn);
    color: var(--_warn);
  }
  .upload-blocked {
    flex-basis: 100%;
    text-align: right;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  .leftover-notice {
    margin: 0 0 10px;
    padding: 8px 12px;
    border-radius: 6px;
    border-left: 5px solid var(--_warn);
    background: var(--_surface);
  }
  .leftover-notice button {
    margin-left: 8px;
  }
  .verdict.unsafe {
    border-left-color: var(--_danger);
    color: var(--_danger);
  }
  .error {
    border-left: 5px solid var(--_danger);
    background: color-mix(in srgb, var(--_danger) 7%, var(--_bg));
    padding: 8px 12px;
    border-radius: 6px;
    margin-top: 8px;
  }
  ul.findings {
    margin: 8px 0 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 6px;
  }
  .finding {
    padding: 6px 10px;
    border-radius: 6px;
    background: var(--_surface);
  }
  .sev {
    display: inline-block;
    font-size: 0.75em;
    font-weight: 700;
    text-transform: uppercase;
    letter-spacing: 0.03em;
    border-radius: 4px;
    padding: 1px 6px;
    margin-right: 6px;
    color: #fff;
    background: var(--_muted);
  }
  .sev.error {
    background: var(--_danger);
  }
  .sev.warning {
    background: var(--_warn);
  }
  .fix {
    display: block;
    color: var(--_muted);
    font-size: 0.92em;
    margin-top: 2px;
  }
  code {
    font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
    font-size: 0.9em;
  }
`;
