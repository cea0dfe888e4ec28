// Issue 10 in real Chromium: a qcow2 holding a RHEL 7-like guest (XFS root on LVM, ext4 /boot,
// steps of the guide not done), read through the wasm qemu-img in the page's worker. The card's
// Guest section shows what `inspect --json` prints (OS, file systems with mount points and usage,
// the checklist), the image-inspected event carries the same `guest` object, and the guest's
// suggested properties are among the card's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { run } from '../../src/cli/inspect-command.ts';
import type { InspectionResult } from '../../src/core/inspection.ts';
import { launchChromium } from '../helpers/browser.ts';
import { rhel7Disk } from '../parity/guest/distros.ts';
import { sh, workdir } from '../parity/guest/images.ts';
import { chooseFiles, openApp, readCards, waitForIdle, waitForOutcomes } from './helpers/app-page.ts';
import { serveDist, type DistServer } from './helpers/serve-dist.ts';

const T = { timeout: 120_000 };
let server: DistServer | undefined;
let browser: Browser | undefined;
let image = '';

before(
  async () => {
    const dir = workdir();
    image = join(dir, 'rhel7.qcow2');
    sh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', rhel7Disk(dir, false, 'dos'), image]);
    server = await serveDist(5610);
    browser = await launchChromium();
  },
  { timeout: 120_000 },
);
after(
  async () => {
    await browser?.close();
    await server?.close();
  },
  { timeout: 60_000 },
);

async function cliJson(path: string): Promise<InspectionResult> {
  let out = '';
  const status = await run(['--json', path], {
    out: (s) => {
      out += s;
    },
    err: () => {},
  });
  assert.equal(status, 0);
  return JSON.parse(out) as InspectionResult;
}

interface GuestSection {
  state: string | null;
  os: Record<string, string | null>;
  filesystems: string[][];
  checklist: Array<{ code: string; ok: boolean; text: string }>;
}

test('the Guest section shows what inspect --json prints for an XFS-on-LVM qcow2', T, async () => {
  const cli = await cliJson(image);
  const g = cli.guest!;
  assert.equal(g.os.distro, 'rhel');
  const app = await openApp(browser!, server!.origin);
  try {
    await chooseFiles(app.page, [image]);
    const { inspected, errors } = await waitForOutcomes(app.page, 1, 90_000);
    await waitForIdle(app.page, 30_000);
    assert.deepEqual(errors, []);
    const detail = inspected[0] as InspectionResult;
    assert.deepEqual(detail.guest, g, 'the image-inspected event carries the same guest object');
    for (const k of ['os_distro', 'os_version', 'architecture', 'os_type', 'hw_firmware_type'])
      assert.equal(detail.suggested[k], cli.suggested[k], `suggested.${k}`);

    const shown = await app.page.locator('image-inspector').evaluate((el): GuestSection => {
      const s = (el as HTMLElement).shadowRoot!.querySelector<HTMLElement>('section.guest')!;
      const os: Record<string, string | null> = {};
      for (const dd of s.querySelectorAll<HTMLElement>('dd[data-field]')) os[dd.dataset.field!.slice(3)] = dd.textContent!.trim();
      return {
        state: s.dataset.guest ?? null,
        os,
        filesystems: [...s.querySelectorAll<HTMLElement>('table.guest-filesystems tbody tr')].map((tr) => [
          ...[...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
          tr.dataset.size!,
          tr.dataset.used!,
        ]),
        checklist: [...s.querySelectorAll<HTMLElement>('li.guest-item')].map((li) => ({
          code: li.dataset.code!,
          ok: li.dataset.ok === 'true',
          text: li.textContent!,
        })),
      };
    });
    assert.equal(shown.state, 'read');
    const os = Object.fromEntries(Object.entries(g.os).filter(([, v]) => v !== null));
    assert.deepEqual(shown.os, os);
    assert.deepEqual(
      shown.filesystems.map((r) => [r[0], r[1], r[2], r[5], r[6], r[7], r[8]]),
      g.filesystems.map((f) => [f.device, f.type, f.mountpoint ?? '', f.label ?? '', f.uuid ?? '', String(f.size), String(f.used)]),
    );
    const byCode = (a: Array<{ code: string; ok: boolean }>) => a.map((c) => `${c.code} ${c.ok}`).sort();
    assert.deepEqual(byCode(shown.checklist), byCode(g.checklist));
    for (const c of g.checklist.filter((x) => !x.ok)) {
      assert.ok(shown.checklist.find((s) => s.code === c.code)!.text.includes(c.detail), `${c.code}: its detail is shown as text`);
    }
    // In Japanese every detail to do is said in Japanese (by its detail code), not the core's English.
    await app.page.locator('#lang').selectOption('ja');
    await app.page.waitForFunction(() => document.documentElement.lang === 'ja');
    const fixes = await app.page.locator('image-inspector').evaluate((el) =>
      [...(el as HTMLElement).shadowRoot!.querySelectorAll<HTMLElement>('section.guest li.guest-item .fix')].map((f) => ({
        code: (f.closest('li') as HTMLElement).dataset.code!,
        text: f.textContent!,
        lang: f.getAttribute('lang'),
      })),
    );
    assert.equal(fixes.length, g.checklist.filter((x) => !x.ok).length, 'a detail for every step to do');
    for (const f of fixes) {
      const english = g.checklist.find((c) => c.code === f.code)!.detail;
      assert.ok(/[\u3040-\u30ff]/.test(f.text) && !f.text.includes(english) && f.lang === null, `${f.code} in Japanese: ${f.text}`);
    }
    const [card] = await readCards(app.page);
    assert.equal(card!.properties['os_distro'], 'rhel');
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
