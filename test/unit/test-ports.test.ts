// The e2e and integration files run in lanes side by side, each file on its own fixed ports: a port
// two files both take fails one of them with EADDRINUSE, in whichever run happens to overlap them
// (cloud-upload-retry and package-consumers both took 5670 once). Benchmarks run alone: not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const DIRS = ['test/e2e', 'test/e2e/helpers', 'test/e2e/pages', 'test/integration', 'test/integration/helpers', 'test/integration/pages'];
/** Where a file names a port it listens on. */
const PORT_USES = [/serveDist\((\d{4})\)/g, /appFixture\((\d{4})\)/g, /serveFiles\([^)]*?(\d{4})\)/g, /\b[A-Z_]*PORT\b\s*=\s*(\d{4})\b/g];

function sources(): string[] {
  return DIRS.flatMap((d) => {
    let names: string[];
    try {
      names = readdirSync(join(root, d));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.filter((n) => n.endsWith('.ts')).map((n) => join(d, n));
  });
}

test('no two test files listen on the same fixed port', () => {
  const owners = new Map<number, Set<string>>();
  for (const file of sources()) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const re of PORT_USES)
      for (const m of text.matchAll(re)) {
        const port = Number(m[1]);
        owners.set(port, (owners.get(port) ?? new Set()).add(file));
      }
  }
  assert.ok(owners.size >= 20, `only ${owners.size} ports found: the patterns no longer match the fixtures`);
  const shared = [...owners].filter(([, files]) => files.size > 1).map(([port, files]) => `${port}: ${[...files].join(', ')}`);
  assert.deepEqual(shared, []);
});
