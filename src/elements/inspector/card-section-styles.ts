// Styles of a card's sections (facts, check, allocation, properties, guest, the JSON): added to
// <image-inspector>'s own after them; themable through the same custom properties.
import { css } from 'lit';

export const cardSectionStyles = css`
  .sections {
    display: grid;
    /* min(): one column narrower than 300px on a phone (360 px wide), never a page that scrolls sideways */
    grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr));
    gap: 14px 28px;
    margin-top: 12px;
  }
  /* The property table has three columns of its own: give it the whole width. */
  .sections > .properties {
    grid-column: 1 / -1;
  }
  /* On a phone the three columns do not fit: each property on a line with its value, its
   * source below it. */
  @media (max-width: 480px) {
    .properties thead {
      display: none;
    }
    .properties tr {
      display: grid;
      grid-template-columns: auto minmax(0, 1fr);
      gap: 0 10px;
      border-bottom: 1px solid var(--_border);
      padding: 3px 0;
    }
    .properties td {
      border-bottom: 0;
      padding: 0;
      overflow-wrap: anywhere;
    }
    .properties td.muted {
      grid-column: 1 / -1;
    }
  }
  .sections > section {
    min-width: 0;
  }
  /* The Guest section (guest-view.ts): its checklist reads like the findings list. */
  section.guest {
    margin-top: 14px;
  }
  section.guest table,
  section.guest h5 {
    margin-top: 10px;
  }
  ul.guest-checklist {
    margin: 6px 0 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 4px;
  }
  .guest-item .sev.info {
    background: var(--_ok);
  }
  h4,
  h5 {
    margin: 0 0 6px;
    font-size: 0.95em;
    color: var(--_muted);
  }
  dl {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 3px 14px;
    margin: 0;
  }
  dt {
    color: var(--_muted);
  }
  dd {
    margin: 0;
    /* file names and descriptor values have no spaces to wrap at */
    overflow-wrap: anywhere;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 3px 8px 3px 0;
    vertical-align: top;
    border-bottom: 1px solid var(--_border);
  }
  th {
    color: var(--_muted);
    font-weight: 600;
  }
  /* A property's source quotes descriptor values (createType="twoGbMaxExtentSparse") and extent
   * tables name files: they may break anywhere, or the table is wider than a phone. */
  td.muted,
  table.extents td:first-child {
    overflow-wrap: anywhere;
  }
  /* The allocation bar is an SVG with width attributes: no style="" (the CSP forbids it). */
  svg.bar {
    display: block;
    width: 100%;
    height: 10px;
    border-radius: 5px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    margin: 4px 0;
  }
  svg.bar .data {
    fill: var(--_accent);
  }
  svg.bar .zero {
    fill: color-mix(in srgb, var(--_accent) 25%, var(--_surface));
  }
  details.json {
    margin-top: 10px;
  }
  details.json summary {
    cursor: pointer;
    color: var(--_muted);
    font-size: 0.9em;
  }
  details.json pre {
    max-height: 24em;
    overflow: auto;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 8px 10px;
    font-size: 0.82em;
    white-space: pre-wrap;
  }
  :host([compact]) .sections,
  :host([compact]) details.json {
    display: none;
  }
`;
