// Drives <cloud-panel> in the built app the way a user does: the Cloud tab, the sign-in form,
// the create form, the images list, details, editor. Playwright's CSS locators pierce the open
// shadow roots of the Lit elements.
import type { Browser, BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import type { CloudJson, CloudUser } from './cloud-env.ts';

export interface CloudPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  problems: string[];
  /** Every console line (tests assert secrets never appear there). */
  consoleLines: string[];
  close(): Promise<void>;
}

export async function openCloudTab(browser: Browser, origin: string): Promise<CloudPage> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const consoleLines: string[] = [];
  page.on('console', (m) => {
    consoleLines.push(m.text());
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto(`${origin}/`);
  await page.locator('#tab-cloud').click();
  await page.locator('cloud-panel').waitFor();
  return { context, page, problems, consoleLines, close: () => context.close() };
}

/** The Cloud tab in a new context, signed in with the user's password. */
export async function openSignedIn(browser: Browser, origin: string, cloud: CloudJson, user: CloudUser): Promise<CloudPage> {
  const ui = await openCloudTab(browser, origin);
  await signInWithPassword(ui.page, cloud, user);
  await waitSignedIn(ui.page);
  return ui;
}

export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).fill(value);
}

export async function signInWithPassword(page: Page, cloud: CloudJson, user: CloudUser, password = user.password): Promise<void> {
  const f = 'cloud-sign-in';
  await page.locator(`${f} select#method`).selectOption('password');
  await fill(page, `${f} input#authUrl`, cloud.keystone.authUrl);
  await fill(page, `${f} input#username`, user.username);
  await fill(page, `${f} input#userDomain`, user.userDomainName);
  await fill(page, `${f} input#password`, password);
  await fill(page, `${f} input#projectName`, user.projectName);
  await fill(page, `${f} input#projectDomain`, user.projectDomainName);
  await page.locator(`${f} button[data-action=sign-in]`).click();
}

/** Waits until signed in (the header names the user) or throws the sign-in error shown. */
export async function waitSignedIn(page: Page): Promise<string> {
  const ok = page.locator('cloud-panel [data-role=whoami]');
  const bad = page.locator('cloud-sign-in [data-role=sign-in-error]');
  await ok.or(bad).first().waitFor({ timeout: 30_000 });
  if (await bad.isVisible()) throw new Error(`sign-in failed: ${await bad.textContent()}`);
  return (await ok.textContent()) ?? '';
}

/** Polls an input/select until its value is `want` (e.g. a format filled in by the safety check). */
export async function waitValue(l: Locator, want: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let got = '';
  while (Date.now() < end) {
    got = await l.inputValue();
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`value stayed "${got}", wanted "${want}"`);
}

export const form = (sel = '') => `cloud-create-form ${sel}`.trim();

/** Waits for the create flow to end; returns which way and the text shown. */
export async function waitCreateOutcome(page: Page, timeoutMs = 180_000): Promise<{ ok: boolean; text: string }> {
  const ok = page.locator(form('[data-role=success]'));
  const bad = page.locator(form('[data-role=error]'));
  await ok.or(bad).first().waitFor({ timeout: timeoutMs });
  if (await ok.isVisible()) return { ok: true, text: (await ok.textContent()) ?? '' };
  return { ok: false, text: (await bad.textContent()) ?? '' };
}

export async function openCreate(page: Page): Promise<void> {
  await page.locator('cloud-panel button[data-action=show-create]').click();
  await page.locator(form('input#name')).waitFor();
}

export async function addProperty(page: Page, key: string, value: string): Promise<void> {
  await fill(page, form('input[name=new-key]'), key);
  await fill(page, form('input[name=new-value]'), value);
  await page.locator(form('button[data-action=add-prop]')).click();
}

/** Back to the list, then opens an image's details by its row. */
export async function openImage(page: Page, id: string): Promise<void> {
  await page.locator('cloud-panel button[data-action=show-list]').click();
  const row = page.locator(`cloud-images-table tr[data-id="${id}"]`);
  await row.waitFor({ timeout: 20_000 });
  await row.click();
  await page.locator('cloud-image-details dd[data-key=id]').waitFor();
}

/** Waits until the upload progress bar shows at least `pct` percent. */
export async function waitProgress(page: Page, pct: number, timeoutMs = 60_000): Promise<number> {
  const bar = page.locator(form('progress'));
  await bar.waitFor({ timeout: timeoutMs });
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await bar.evaluate((el) => (el as HTMLProgressElement).value);
    if (v >= pct) return v;
    if (Date.now() > end) throw new Error(`upload progress stayed at ${v}%`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Upload bandwidth of this page and its workers limited by Chromium's network emulation, so that
 * a small file gives a wide window to act mid-upload (cancel, reload, a token running out) without
 * the CPU of sending, hashing and storing a large one.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
  return cdp;
}

/** The full speed back (the emulation is the session's: also ended by detaching it). */
export async function releaseThrottle(cdp: CDPSession): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
}
