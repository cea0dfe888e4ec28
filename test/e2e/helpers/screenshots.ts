// Screenshots of the app's views, kept as test artefacts (test-results/screenshots/, not in git):
// a reviewer sees each view as the tests left it. The file name carries the page's language.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './serve-dist.ts';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

/** Saves a full-page PNG as `<name>-<lang>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const lang = (await page.evaluate(() => document.documentElement.lang)) || 'en';
  const path = join(SCREENSHOT_DIR, `${name}-${lang}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
