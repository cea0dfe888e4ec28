// Times an image creation from inside the page, from the form's submit (`create-image`) to
// `cloud-image-created`, so that Playwright's own click and polling latency are left out (as
// curl's start-up is on the reference side). Used by the browser upload benchmarks.
import type { Page } from 'playwright-core';

export interface CreateTiming {
  /** The byte transfer the upload flow measured. */
  ms: number;
  /** Submit → cloud-image-created (active and verified). */
  endToEndMs: number;
}

/** Arms the timer; call before clicking Create. */
export async function armCreateTimer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __created?: Promise<{ ms: number; endToEndMs: number }> };
    let clicked = 0;
    document.addEventListener('create-image', () => (clicked = performance.now()), { once: true });
    w.__created = new Promise((resolve) =>
      document.addEventListener(
        'cloud-image-created',
        (e) =>
          resolve({
            ms: (e as CustomEvent<{ transfer: { ms: number } }>).detail.transfer.ms,
            endToEndMs: performance.now() - clicked,
          }),
        { once: true },
      ),
    );
  });
}

/** The timing of the creation armed last (waits for it). */
export function createTiming(page: Page): Promise<CreateTiming> {
  return page.evaluate(() => (window as unknown as { __created: Promise<{ ms: number; endToEndMs: number }> }).__created);
}
