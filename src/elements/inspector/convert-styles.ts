// Styles of a card's "Convert…" box (convert-view.ts, convert-options-view.ts): added to
// <image-inspector>'s own after them; themable through the same custom properties.
import { css } from 'lit';

export const convertStyles = css`
  .convert {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    margin: 8px 0 0;
    padding: 6px 10px;
    border-radius: 6px;
    border: 1px solid var(--_border);
    background: var(--_surface);
  }
  .convert.advised {
    border-color: var(--_accent);
    border-width: 2px;
  }
  .convert p {
    margin: 0;
    flex-basis: 100%;
  }
  .convert select {
    font: inherit;
    margin-left: 4px;
  }
  .convert progress {
    flex: 1 1 160px;
  }
  .convert details.convert-options {
    flex-basis: 100%;
  }
  .convert-options[open] {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 14px;
  }
  .convert-options summary {
    flex-basis: 100%;
    cursor: pointer;
  }
  .convert-problems {
    flex-basis: 100%;
    margin: 0;
    color: var(--_danger, #b42318);
  }
  .convert-command code {
    overflow-wrap: anywhere;
    font-size: 0.85em;
  }
  dl.convert-sizes {
    flex-basis: 100%;
    display: flex;
    flex-wrap: wrap;
    gap: 4px 18px;
    margin: 0;
  }
  dl.convert-sizes dt {
    font-size: 0.85em;
    color: var(--_muted);
  }
  dl.convert-sizes dd {
    margin: 0;
  }
  p.convert-refused {
    margin: 8px 0 0;
  }
  .convert.gated {
    border-color: var(--_warn);
  }
  label.acknowledge {
    flex-basis: 100%;
  }
`;
