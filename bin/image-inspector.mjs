#!/usr/bin/env node
// Entry of `npx image-inspector`. It runs the precompiled CLI (dist-cli/, built by `npm install`
// through scripts/build-cli.mjs) when that is newer than every source file; otherwise — a
// developer's edited tree, or no build — it runs the TypeScript sources through tsx, so a stale
// build can never answer for changed code.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist-cli/node/main.mjs', root);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsFresh() {
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return ['src', 'workers'].every((d) => newestSource(new URL(d, root).pathname) <= builtAt);
}

let main;
if (builtIsFresh()) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
