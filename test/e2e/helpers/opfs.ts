// Reading the app's conversion outputs back out of the browser: OPFS listings, an OPFS file copied
// to the host by slices (the page never holds it whole), and the `image-converted` events.
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export interface Converted {
  source: string;
  target: string;
  outputName: string;
  size: number;
  opfsPath: string;
}

/** Every file in the origin's OPFS, as paths. Plain JS source: tsx would wrap a named inner
 *  function in a helper the page does not have. */
export const OPFS_FILES = `(async () => {
  const out = [];
  const walk = async (dir, prefix) => {
    for await (const [name, h] of dir.entries()) {
      if (h.kind === 'directory') await walk(h, prefix + name + '/');
      else out.push(prefix + name);
    }
  };
  await walk(await navigator.storage.getDirectory(), '');
  return out.sort();
})()`;

export async function opfsFiles(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(OPFS_FILES);
}

/** Copies an OPFS file to the host by 4 MiB slices. */
export async function fetchOpfs(page: Page, opfsPath: string, dest: string): Promise<number> {
  writeFileSync(dest, '');
  const slice = 4 * 1024 * 1024;
  for (let offset = 0; ; offset += slice) {
    const chunk = await page.evaluate(
      async ({ path, offset, slice }) => {
        const parts = path.split('/');
        const name = parts.pop()!;
        let dir = await navigator.storage.getDirectory();
        for (const p of parts) dir = await dir.getDirectoryHandle(p);
        const file = await (await dir.getFileHandle(name)).getFile();
        const bytes = new Uint8Array(await file.slice(offset, offset + slice).arrayBuffer());
        let bin = '';
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return { b64: btoa(bin), size: file.size };
      },
      { path: opfsPath, offset, slice },
    );
    appendFileSync(dest, Buffer.from(chunk.b64, 'base64'));
    if (offset + slice >= chunk.size) return chunk.size;
  }
}

/** Starts collecting `image-converted` events in window.__converted. */
export async function recordConversions(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __converted: unknown[] };
    w.__converted = [];
    document.addEventListener('image-converted', (e) => w.__converted.push((e as CustomEvent).detail));
  });
}

/** Waits for the n-th `image-converted` event; all of them so far. */
export async function converted(page: Page, n: number, timeoutMs = 120_000): Promise<Converted[]> {
  await page.waitForFunction((want) => (window as unknown as { __converted: unknown[] }).__converted.length >= want, n, {
    timeout: timeoutMs,
  });
  return page.evaluate(() => (window as unknown as { __converted: Converted[] }).__converted);
}

/** A headless browser shows no save dialog: "Convert to a file…" gets an OPFS handle under
 *  `chosen/`, written through the same createWritable() stream as a file on disk.
 *  `window.__pickAs` names the file instead of the suggested name. */
export async function stubSaveDialog(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { showSaveFilePicker: unknown; __pickAs?: string };
    w.showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('chosen', { create: true });
      return dir.getFileHandle(w.__pickAs ?? suggestedName, { create: true });
    };
  });
}
