#!/usr/bin/env node
// `npm run bench`: runs every test/bench/*.bench.ts in turn. Each prints its own table of ratios
// against a reference measured in the same run (native qemu-img, the browser's I/O ceiling, curl).
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const dir = join(root, 'test/bench');
const files = (existsSync(dir) ? readdirSync(dir) : [])
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
