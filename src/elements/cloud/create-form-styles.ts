// Styles of <cloud-create-form>, beside the shared tokens, controls and focus ring it also takes.
// The four steps share the form's two-column grid, so labels line up across sections.
import { css } from 'lit';

export const createFormStyles = css`
    :host { display: block; }
    ol.steps { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 0 0 12px; }
    ol.steps .num { display: inline-grid; place-items: center; width: 1.5em; height: 1.5em; border-radius: 50%;
      background: var(--_accent); color: #fff; font-size: 0.85em; }
    form { display: grid; grid-template-columns: max-content minmax(0, 1fr); column-gap: 1em; }
    /* one label column for all four steps: the sections share the form's grid */
    section.step { grid-column: 1 / -1; display: grid; grid-template-columns: subgrid; row-gap: 0.5em; align-items: center;
      border: 1px solid var(--_border); border-radius: var(--_radius); padding: 10px 14px; margin-block-end: 12px; }
    section.step h4 { grid-column: 1 / -1; }
    section.step h4 { margin: 0; color: var(--_muted); }
    .grid { display: contents; }
    .full { grid-column: 1 / -1; }
    .props { display: grid; grid-template-columns: 1fr 1fr auto; gap: 0.25em; align-items: center; }
    label.check { justify-self: start; display: inline-flex; gap: 0.5em; align-items: center; }
    .check.bad { color: var(--cloud-error, var(--_danger)); }
    .error { color: var(--cloud-error, var(--_danger)); font-weight: bold; }
    .ok { color: var(--cloud-ok, var(--_ok)); font-weight: bold; }
    .actions { display: flex; gap: 0.5em; flex-wrap: wrap; }
    progress { width: 100%; }
    fieldset { border: none; padding: 0; margin: 0; }
    fieldset.inline { display: flex; gap: 1em; }
    p.box { margin: 0 0 12px; }
    .grid p.box { margin: 0; }
    .hint.warn { color: var(--_warn); }
    select { max-width: 100%; }
    /* a phone (360 px): each label above its field, or the fields shrink to a few pixels and the
     * buttons and selects stick out of the form */
    @media (max-width: 560px) {
      form { grid-template-columns: minmax(0, 1fr); }
      .props { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto; }
      .props > * { min-width: 0; overflow-wrap: anywhere; }
      button { max-width: 100%; white-space: normal; }
    }
`;
