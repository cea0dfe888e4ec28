// The guest codes, their catalogue and docs/guest-inspection.md stay in step.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECK_CODES } from '../../../src/core/guest/checklist.ts';
import { GUEST_FINDING_CODES } from '../../../src/core/guest/finding-codes.ts';

const root = new URL('../../../', import.meta.url).pathname;
const src = readdirSync(join(root, 'src/core/guest'))
  .map((f) => readFileSync(join(root, 'src/core/guest', f), 'utf8'))
  .join('\n');
const docs = readFileSync(join(root, 'docs/guest-inspection.md'), 'utf8');

test('every checklist code is emitted, catalogued and documented', { timeout: 5000 }, () => {
  const emitted = new Set([...src.matchAll(/(?:item\(\s*|code: )'(guest\.[a-z0-9-]+)'/g)].map((m) => m[1]!));
  assert.ok(emitted.size >= 20, `only ${emitted.size} codes found`);
  assert.deepEqual([...emitted].sort(), Object.keys(CHECK_CODES).sort());
  for (const c of emitted) assert.ok(docs.includes(`\`${c}\``), `${c} is not in docs/guest-inspection.md`);
});

test('every finding code is emitted with its catalogued severity and documented', { timeout: 5000 }, () => {
  const emitted = new Map(
    [...src.matchAll(/finding\(\s*(?:[^,']*\?\s*)?'(guest\.[a-z-]+)'(?:\s*:\s*'(guest\.[a-z-]+)')?,\s*'(error|warning|info)'/g)].flatMap(
      (m) => [m[1], m[2]].filter(Boolean).map((c) => [c!, m[3]!] as const),
    ),
  );
  assert.deepEqual([...emitted.keys()].sort(), Object.keys(GUEST_FINDING_CODES).sort());
  for (const [c, sev] of emitted) {
    assert.equal(GUEST_FINDING_CODES[c]!.severity, sev, c);
    assert.ok(docs.includes(`\`${c}\``), `${c} is not documented`);
  }
});
