// Japanese is complete: every msg() string of the page has a Japanese target in xliff/ja.xlf (and
// in the built templates), every finding, error, action and property-source code the core can
// produce has a Japanese text in the page's tables, and no user-visible text in a template skips
// msg(). Strings and codes other branches add later fail here until they are translated.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FINDING_CODES } from '../../../src/core/inspect/finding-codes.ts';
import { PROPERTY_SOURCES } from '../../../src/core/inspect/property-sources.ts';
import { ERROR_ACTIONS, ERROR_CODES } from '../../../src/core/openstack/error-codes.ts';
import { translatedFindingCodes } from '../../../src/elements/inspector/image-inspector-findings.ts';
import { translatedSourceCodes } from '../../../src/elements/inspector/property-source-text.ts';
import { translatedActions, translatedErrorCodes } from '../../../src/elements/cloud/error-text.ts';
import { GUEST_FINDING_CODES } from '../../../src/core/guest/finding-codes.ts';
import { CHECK_CODES } from '../../../src/core/guest/checklist-items.ts';
import { GUEST_FINDING_TEXTS } from '../../../src/elements/inspector/guest-findings-text.ts';
import { titledCheckCodes } from '../../../src/elements/inspector/guest-view.ts';
import { CHECK_DETAILS } from '../../../src/core/guest/checklist-details.ts';
import { CHECK_DETAIL_TEXTS } from '../../../src/elements/inspector/guest-checklist-text.ts';

const root = new URL('../../../', import.meta.url).pathname;
let work = '';
let extracted = '';

interface Unit {
  id: string;
  source: string;
  target?: string;
}

function units(xliff: string): Unit[] {
  return [...xliff.matchAll(/<trans-unit id="([^"]+)">([\s\S]*?)<\/trans-unit>/g)].map((m) => ({
    id: m[1]!,
    source: /<source>([\s\S]*?)<\/source>/.exec(m[2]!)?.[1] ?? '',
    target: /<target>([\s\S]*?)<\/target>/.exec(m[2]!)?.[1],
  }));
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

before(() => {
  // `lit-localize extract` on a copy of ja.xlf: what the sources need now, with the targets the
  // committed file already has (new strings come out without a target).
  work = mkdtempSync(join(tmpdir(), 'ii-i18n-'));
  mkdirSync(join(work, 'xliff'));
  copyFileSync(join(root, 'xliff/ja.xlf'), join(work, 'xliff/ja.xlf'));
  const config = JSON.parse(readFileSync(join(root, 'lit-localize.json'), 'utf8')) as Record<string, unknown>;
  config['inputFiles'] = (config['inputFiles'] as string[]).map((g) => join(root, g));
  config['tsConfig'] = join(root, 'tsconfig.json');
  config['output'] = { ...(config['output'] as object), outputDir: join(work, 'generated') };
  config['interchange'] = { format: 'xliff', xliffDir: join(work, 'xliff') };
  writeFileSync(join(work, 'lit-localize.json'), JSON.stringify(config));
  execFileSync(join(root, 'node_modules/.bin/lit-localize'), ['extract', '--config', join(work, 'lit-localize.json')], {
    cwd: work,
    stdio: 'pipe',
    timeout: 60_000,
  });
  extracted = readFileSync(join(work, 'xliff/ja.xlf'), 'utf8');
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('every msg() string has a Japanese target in xliff/ja.xlf', { timeout: 70_000 }, () => {
  const all = units(extracted);
  assert.ok(all.length > 400, `lit-localize extract found only ${all.length} strings`);
  const missing = all.filter((u) => !u.target?.trim()).map((u) => `${u.id}: ${u.source}`);
  assert.deepEqual(missing, [], 'strings without Japanese (run npx lit-localize extract, translate them in xliff/ja.xlf)');
});

test('xliff/ja.xlf is what extract writes and the built templates hold every string', { timeout: 10_000 }, () => {
  const committed = new Set(units(readFileSync(join(root, 'xliff/ja.xlf'), 'utf8')).map((u) => u.id));
  const needed = units(extracted).map((u) => u.id);
  assert.deepEqual(
    needed.filter((id) => !committed.has(id)),
    [],
    'xliff/ja.xlf lacks strings the sources use: run npx lit-localize extract',
  );
  const built = readFileSync(join(root, 'src/locales/generated/ja.ts'), 'utf8');
  assert.deepEqual(
    needed.filter((id) => !built.includes(`'${id}'`) && !built.includes(`"${id}"`) && !built.includes(`${id}:`)),
    [],
    'src/locales/generated/ja.ts is stale: run npx lit-localize build',
  );
});

test('every finding code has a Japanese message', { timeout: 10_000 }, () => {
  const have = new Set(translatedFindingCodes());
  assert.deepEqual(
    Object.keys(FINDING_CODES).filter((c) => !have.has(c)),
    [],
  );
});

test('every guest finding and checklist code has Japanese', { timeout: 10_000 }, () => {
  assert.deepEqual(
    Object.keys(GUEST_FINDING_CODES).filter((c) => !(c in GUEST_FINDING_TEXTS)),
    [],
  );
  const checks = Object.keys(CHECK_CODES);
  assert.ok(checks.length > 10, 'the checklist codes were found');
  const titled = new Set(titledCheckCodes(checks));
  assert.deepEqual(
    checks.filter((c) => !titled.has(c)),
    [],
  );
});

test("every checklist detail code has a Japanese text whose English source is the core's sentence", { timeout: 10_000 }, () => {
  const codes = Object.keys(CHECK_DETAILS);
  assert.ok(codes.length > 30, 'the detail codes were found');
  assert.deepEqual(
    codes.filter((c) => !(c in CHECK_DETAIL_TEXTS)),
    [],
  );
  // Outside a Japanese page msg() returns the English source: it must say what the CLI says.
  const p = { command: 'yum clean all', package: 'cloud-utils-growpart', error: 'bad', path: '/etc/x', keys: 'HWADDR', settings: 'IPADDR' };
  const params = { ...p, files: '/a, /b', id: 'abc', count: 2, size: '8.0 MiB', devices: '/dev/sda 8.0 MiB' };
  for (const c of codes) assert.equal(CHECK_DETAIL_TEXTS[c]!(params), CHECK_DETAILS[c]!(params), c);
});

test('every OpenStack/Swift/S3 error code and action has a Japanese sentence', { timeout: 10_000 }, () => {
  const codes = new Set(translatedErrorCodes());
  assert.deepEqual(
    Object.keys(ERROR_CODES).filter((c) => !codes.has(c)),
    [],
  );
  const actions = new Set(translatedActions());
  assert.deepEqual(
    ERROR_ACTIONS.filter((a) => !actions.has(a)),
    [],
  );
});

test('every property-source code has a Japanese text', { timeout: 10_000 }, () => {
  const have = new Set(translatedSourceCodes());
  assert.deepEqual(
    Object.keys(PROPERTY_SOURCES).filter((c) => !have.has(c)),
    [],
  );
});

test('the action phrases the core passes to its errors are all listed in ERROR_ACTIONS', { timeout: 10_000 }, () => {
  const known = new Set<string>(ERROR_ACTIONS);
  const verbs =
    'reading|listing|creating|updating|deleting|uploading|staging|adding|writing|setting|starting|completing|aborting|signing|checking';
  const re = new RegExp(`'((?:${verbs}) [^'\`$]*)'`, 'g');
  const found = new Set<string>();
  for (const f of files(join(root, 'src/core'))) for (const m of readFileSync(f, 'utf8').matchAll(re)) found.add(m[1]!);
  assert.ok(found.has('signing in'), 'the scan found no action phrase at all');
  assert.deepEqual(
    [...found].filter((a) => !known.has(a)),
    [],
  );
});

/** Text of html`` templates outside ${…}, tags and comments: what a user would read unlocalised. */
function bareTexts(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/html`/g)) {
    let i = m.index! + 5;
    let depth = 0;
    let text = '';
    for (; i < source.length; i++) {
      const ch = source[i]!;
      if (depth === 0 && ch === '`') break;
      if (depth === 0 && ch === '$' && source[i + 1] === '{') {
        depth = 1;
        i++;
        text += ' ';
        continue;
      }
      if (depth > 0) {
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        continue;
      }
      text += ch;
    }
    const markup = text.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<(style|script)[\s\S]*?<\/\1>/g, ' ');
    for (const a of markup.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g))
      if (/[A-Za-z]{2,}/.test(a[1]!)) out.push(a[1]!.trim());
    const visible = markup.replace(/<[^>]*>/g, '  ');
    for (const piece of visible.split(/\s{2,}|\n/)) if (/[A-Za-z]{2,}/.test(piece)) out.push(piece.trim());
  }
  return out;
}

test('no template shows text that bypasses msg()', { timeout: 10_000 }, () => {
  // Names and notations that read the same in every language.
  const allowed = /^(image-inspector|qemu-img|Glance|Keystone|Swift|S3|OpenStack|JSON|[A-Za-z_]+=?|—|[^A-Za-z]*)$/;
  const offenders: string[] = [];
  for (const f of [...files(join(root, 'src/elements')), ...files(join(root, 'src/app'))]) {
    for (const t of bareTexts(readFileSync(f, 'utf8'))) {
      if (!allowed.test(t)) offenders.push(`${f.slice(root.length)}: ${t}`);
    }
  }
  assert.deepEqual(offenders, []);
});
