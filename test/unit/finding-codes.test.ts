// The finding-code catalogue and the code stay in step: every code the sources can emit is
// catalogued with its severity, and every catalogued code is emitted somewhere.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FINDING_CODES } from '../../src/core/inspect/finding-codes.ts';

const root = new URL('../../', import.meta.url).pathname;
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const sources = [...files(join(root, 'src/core/inspect')), join(root, 'src/core/inspection.ts'), join(root, 'src/cli/inspect-command.ts')]
  .filter((f) => !f.endsWith('finding-codes.ts'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

/** Codes passed to finding(…): literals, both arms of a ternary, and the two templated families. */
function emitted(): Map<string, string> {
  const out = new Map<string, string>();
  const re = /finding\(\s*((?:[^,'`]*\?\s*)?['`][^'`]+['`](?:\s*:\s*['`][^'`]+['`])?)\s*,\s*'(error|warning|info)'/g;
  for (const m of sources.matchAll(re)) {
    for (const lit of m[1]!.matchAll(/['`]([^'`]+)['`]/g)) {
      const code = lit[1]!;
      const expand = code === 'compressed.${type}' ? ['gzip', 'xz', 'bzip2', 'zstd'].map((t) => `compressed.${t}`)
        : code === '${format}.unsupported' ? ['parallels', 'bochs', 'cloop', 'dmg'].map((f) => `${f}.unsupported`)
        : [code];
      for (const c of expand) out.set(c, m[2]!);
    }
  }
  // vhdx.invalid goes through a local helper.
  if (/finding\('vhdx\.invalid', 'error'/.test(sources)) out.set('vhdx.invalid', 'error');
  return out;
}

test('every emitted code is catalogued with the same severity', () => {
  const e = emitted();
  assert.ok(e.size > 50, `only ${e.size} codes found: the scan is broken`);
  for (const [code, severity] of e) {
    assert.ok(FINDING_CODES[code], `${code} is not in FINDING_CODES`);
    assert.equal(FINDING_CODES[code]!.severity, severity, code);
  }
});

test('every catalogued code is emitted somewhere', () => {
  const e = emitted();
  for (const code of Object.keys(FINDING_CODES)) assert.ok(e.has(code), `${code} is catalogued but never emitted`);
});
