// Keyboard-only driving of the app: where the focus is (through open shadow roots), Tab until a
// wanted element has it, and how visible its focus ring is.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export interface Focused {
  /** Tag names of the shadow hosts down to the focused element, e.g. "ii-app > image-inspector > button". */
  path: string;
  tag: string;
  id: string;
  classes: string;
  role: string;
  text: string;
  data: Record<string, string>;
}

/** The element that has the focus, looked up through every open shadow root. */
export async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    const path: string[] = [];
    while (el?.shadowRoot?.activeElement) {
      path.push(el.tagName.toLowerCase());
      el = el.shadowRoot.activeElement;
    }
    const e = (el ?? document.body) as HTMLElement;
    path.push(e.tagName.toLowerCase());
    return {
      path: path.join(' > '),
      tag: e.tagName.toLowerCase(),
      id: e.id,
      classes: e.className && typeof e.className === 'string' ? e.className : '',
      role: e.getAttribute('role') ?? '',
      text: (e.textContent ?? '').trim().slice(0, 120),
      data: { ...e.dataset } as Record<string, string>,
    };
  });
}

/** Fails when the focus is on the page body (it dropped: a keyboard user is lost). */
export async function assertFocusKept(page: Page, where: string): Promise<Focused> {
  const f = await focused(page);
  assert.notEqual(f.tag, 'body', `the focus dropped to the page body ${where}`);
  return f;
}

/** Presses Tab (or Shift+Tab) until `want` holds for the focused element; fails after `max` presses. */
export async function tabTo(page: Page, what: string, want: (f: Focused) => boolean, max = 80, back = false): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (want(f)) return f;
  }
  throw new Error(`${max} presses of Tab did not reach ${what} (last: ${(await focused(page)).path})`);
}

/** Waits until the focused element satisfies `want`. */
export async function waitFocus(page: Page, what: string, want: (f: Focused) => boolean, timeoutMs = 30_000): Promise<Focused> {
  const end = Date.now() + timeoutMs;
  let f = await focused(page);
  while (!want(f)) {
    if (Date.now() > end) throw new Error(`the focus did not move to ${what} (it is on ${f.path} "${f.text}")`);
    await new Promise((r) => setTimeout(r, 50));
    f = await focused(page);
  }
  return f;
}

/** The focused element's outline: style, width in px, and the contrast of its colour against the
 *  nearest opaque background behind the element (WCAG 2.2 focus appearance asks for >= 3:1). */
// A string, not a function: the test loader's helpers (esbuild's __name) do not exist in the page.
const RING_SCRIPT = `(() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  const cs = getComputedStyle(el);
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  let bg = [255, 255, 255];
  for (let n = el.parentNode; n; n = n.host || n.parentNode) {
    if (!(n instanceof Element)) continue;
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) { bg = c.slice(0, 3); break; }
  }
  const a = lum(rgb(cs.outlineColor));
  const b = lum(bg);
  return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
})()`;

/** The focused element's outline: style, width in px, and the contrast of its colour against the
 *  nearest opaque background behind the element (WCAG 2.2 focus appearance asks for >= 3:1). */
export async function focusRing(page: Page): Promise<{ style: string; width: number; contrast: number }> {
  return page.evaluate(RING_SCRIPT) as Promise<{ style: string; width: number; contrast: number }>;
}
