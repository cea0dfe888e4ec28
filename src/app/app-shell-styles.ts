// Styles of <app-shell>: the header, the tabs, the language picker and the panels' frame.
import { css } from 'lit';
import { focusRing } from '../elements/focus-ring.ts';

export const appShellStyles = css`
  ${focusRing} :host {
    display: block;
    min-height: 100vh;
  }
  header {
    background: #1f5f8b;
    color: #fff;
    padding: 10px 24px;
    display: flex;
    align-items: center;
    gap: 16px;
    flex-wrap: wrap;
  }
  header h1 {
    font-size: 1.25em;
    margin: 0;
    display: flex;
    align-items: center;
    gap: 10px;
  }
  header img {
    width: 28px;
    height: 28px;
  }
  nav {
    display: flex;
    gap: 4px;
  }
  nav button {
    font: inherit;
    background: transparent;
    color: #fff;
    border: 1px solid transparent;
    border-radius: 6px;
    padding: 4px 12px;
    cursor: pointer;
  }
  /* on the dark header the ring is white (7:1 against #1f5f8b) */
  header :focus-visible {
    outline-color: #fff;
  }
  nav button[aria-selected='true'] {
    background: rgba(255, 255, 255, 0.18);
    border-color: rgba(255, 255, 255, 0.5);
  }
  label.lang {
    margin-left: auto;
    display: flex;
    gap: 6px;
    align-items: center;
  }
  select {
    font: inherit;
    border-radius: 6px;
    padding: 2px 6px;
  }
  main {
    max-width: 1100px;
    margin: 0 auto;
    padding: 20px 24px 40px;
  }
  .lead {
    margin: 0 0 16px;
    color: #3a444d;
  }
  .panel {
    background: #fff;
    border: 1px solid #d5dbe1;
    border-radius: 8px;
    padding: 16px 20px;
  }
  section.about {
    margin-top: 28px;
    padding: 14px 18px;
    border-radius: 8px;
    background: #fff;
    border: 1px solid #d5dbe1;
    color: #3a444d;
  }
  section.about h2 {
    font-size: 1em;
    margin: 0 0 6px;
  }
  section.about p {
    margin: 4px 0;
  }
  .update {
    display: flex;
    gap: 12px;
    align-items: center;
    flex-wrap: wrap;
    margin: 0 0 16px;
    padding: 10px 14px;
    border-radius: 8px;
    border: 1px solid #1f5f8b;
    background: #eef5fa;
  }
  .update button {
    font: inherit;
    border-radius: 6px;
    padding: 4px 12px;
  }
`;
