// Drives the built app in Chromium: opens it, chooses files through the element's file input
// (what a user's picker does), and collects what the page shows and what the element emits.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface CardView {
  name: string;
  phase: string;
  safe: string | null;
  text: string;
  fields: Record<string, { value: string | null; text: string }>;
  findings: string[];
  properties: Record<string, string>;
  error: string | null;
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far. */
  problems: string[];
  /** Every URL the page and its workers requested. */
  requests: string[];
  close(): Promise<void>;
}

export async function openApp(browser: Browser, origin: string, query = ''): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  context.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    const w = window as unknown as { __inspected: unknown[]; __errors: unknown[]; __csp: string[] };
    w.__inspected = [];
    w.__errors = [];
    w.__csp = [];
    document.addEventListener('image-inspected', (e) => w.__inspected.push((e as CustomEvent).detail));
    document.addEventListener('image-inspect-error', (e) => w.__errors.push((e as CustomEvent).detail));
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${origin}/${query}`);
  await page.locator('image-inspector').waitFor();
  return { context, page, problems, requests, close: () => context.close() };
}

/** Chooses files as the multi-file picker would. */
export async function chooseFiles(page: Page, paths: string[]): Promise<void> {
  await page.locator('image-inspector #files').setInputFiles(paths);
}

/** Waits until `n` images in total were inspected or failed; returns the event details. */
export async function waitForOutcomes(page: Page, n: number, timeoutMs = 60_000): Promise<{ inspected: unknown[]; errors: unknown[] }> {
  await page.waitForFunction(
    (want) => {
      const w = window as unknown as { __inspected: unknown[]; __errors: unknown[] };
      return w.__inspected.length + w.__errors.length >= want;
    },
    n,
    { timeout: timeoutMs },
  );
  return page.evaluate(() => {
    const w = window as unknown as { __inspected: unknown[]; __errors: unknown[] };
    return { inspected: w.__inspected, errors: w.__errors };
  });
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** What each result card shows, read from the rendered DOM (inside the element's shadow root). */
export async function readCards(page: Page): Promise<CardView[]> {
  return page.locator('image-inspector').evaluate((el) => {
    const root = (el as HTMLElement).shadowRoot!;
    return [...root.querySelectorAll<HTMLElement>('li.card')].map((card) => {
      const fields: Record<string, { value: string | null; text: string }> = {};
      for (const dd of card.querySelectorAll<HTMLElement>('dd[data-field]')) {
        fields[dd.dataset.field!] ??= { value: dd.getAttribute('data-value'), text: dd.textContent?.trim() ?? '' };
      }
      const properties: Record<string, string> = {};
      for (const tr of card.querySelectorAll<HTMLElement>('tr[data-property]')) {
        properties[tr.dataset.property!] = tr.querySelector('.value')?.textContent?.trim() ?? '';
      }
      return {
        name: card.dataset.name ?? '',
        phase: card.dataset.phase ?? '',
        safe: card.querySelector('[data-safe]')?.getAttribute('data-safe') ?? null,
        text: card.innerText,
        fields,
        findings: [...card.querySelectorAll<HTMLElement>('.finding')].map((f) => f.dataset.code ?? ''),
        properties,
        error: card.querySelector('div.error:not(.missing)')?.textContent?.trim() ?? null,
      };
    });
  });
}

/** Waits until no card is still working (queued, safety, info, details). */
export async function waitForIdle(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const root =
        document.querySelector('ii-app')?.shadowRoot?.querySelector('image-inspector')?.shadowRoot ??
        document.querySelector('image-inspector')?.shadowRoot;
      const cards = [...(root?.querySelectorAll<HTMLElement>('li.card') ?? [])];
      return cards.length > 0 && cards.every((c) => c.dataset.phase === 'done' || c.dataset.phase === 'error');
    },
    undefined,
    { timeout: timeoutMs },
  );
}

/** The page's visible text including every shadow root (innerText stops at shadow hosts). Plain
 *  JS source: tsx would wrap named inner functions in a helper the page does not have. */
const DEEP_TEXT = `(() => {
  const parts = [];
  const walk = (root) => {
    for (const n of root.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) {
        const t = n.textContent.trim();
        if (t && n.parentElement && n.parentElement.checkVisibility()) parts.push(t);
      } else if (n instanceof Element) {
        if (n.shadowRoot) walk(n.shadowRoot);
        if (n.tagName !== 'STYLE' && n.tagName !== 'SCRIPT') walk(n);
      }
    }
  };
  walk(document.body);
  return parts.join('\\n');
})()`;

export async function deepText(page: Page): Promise<string> {
  return page.evaluate<string>(DEEP_TEXT);
}
