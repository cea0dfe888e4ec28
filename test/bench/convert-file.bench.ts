// `flock /tmp/ii-bench.lock flock /tmp/ii-browser.lock npm run bench -- convert-file`: one 1 GiB
// conversion in the built app (cross-origin isolated by the test server's headers), headless
// Chromium with an on-disk profile, written two ways: "Convert…" into OPFS (sync access handles)
// and "Convert to a file…" (the ring and the writer's writable stream; the save dialog stubbed to
// return an OPFS file handle, whose createWritable() is the path a file on disk takes). Each run:
// the conversion phase and the verification, as the card's data attributes give them.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchProfileChromium } from '../e2e/pages/runner-server.ts';
import { serveDist } from '../e2e/helpers/serve-dist.ts';
import { ensureBenchImages } from './qemu-img.bench.ts';

const APP_PORT = 5624;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function choose(page: Page, path: string): Promise<void> {
  await page.locator('image-inspector input#files').setInputFiles([path]);
  await page.locator('li.card[data-phase=done]').first().waitFor({ timeout: 120_000 });
}

async function convertOnce(page: Page, name: string, target: string, button: string): Promise<{ convert: number; verify: number }> {
  const card = page.locator(`li.card[data-name="${name}"]`).first();
  await card.locator('select.convert-target').selectOption(target);
  await card.locator(button).click();
  await card.locator('.convert-progress-text').waitFor({ timeout: 60_000 });
  await card.locator('.convert[data-status=done], .convert[data-status=failed]').waitFor({ timeout: 900_000 });
  const c = card.locator('.convert');
  if ((await c.getAttribute('data-status')) !== 'done') throw new Error(`${name} → ${target}: ${await c.innerText()}`);
  return { convert: Number(await c.getAttribute('data-convert-ms')), verify: Number(await c.getAttribute('data-verify-ms')) };
}

const img = ensureBenchImages();
const profile = mkdtempSync(join(tmpdir(), 'ii-bench-convert-file-profile-'));
const context = await launchProfileChromium(profile);
const server = await serveDist(APP_PORT);
try {
  const page = await context.newPage();
  await page.goto(server.origin);
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the app is not cross-origin isolated');
  await page.evaluate(() => {
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('chosen', { create: true });
      return dir.getFileHandle(`${Date.now()}-${suggestedName}`, { create: true });
    };
  });
  await choose(page, img.raw);
  const name = 'bench-1g.raw';
  console.log('\n| 1 GiB raw (half random, half zeros) in the app | conversion | verification | load |\n|---|---|---|---|');
  for (const target of ['qcow2', 'raw']) {
    for (const [label, button] of [
      ['into OPFS (Convert…)', 'button.convert-button'],
      ['into a file (Convert to a file…)', 'button.convert-file-button'],
    ] as const) {
      const r = await convertOnce(page, name, target, button);
      console.log(`| → ${target}, ${label} | ${fmt(r.convert)} | ${fmt(r.verify)} | ${loadavg()[0]!.toFixed(2)} |`);
      // Outputs are inspected as new cards; clearing keeps the list (and OPFS) small between runs.
      await page.locator('image-inspector button.clear').click();
      await page.evaluate(async () => {
        const root = await navigator.storage.getDirectory();
        // a cleared card's workers close their access handles as they stop, a moment later
        for (let tries = 0; ; tries++) {
          try {
            for await (const n of (root as unknown as { keys(): AsyncIterable<string> }).keys())
              await root.removeEntry(n, { recursive: true });
            return;
          } catch (e) {
            if (tries >= 50 || (e as Error).name !== 'NoModificationAllowedError') throw e;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      });
      await choose(page, img.raw);
    }
  }
  console.log(
    `\n(${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
