// Child process of qemu-img.bench.ts: runs the CLI's qemu-img command exactly as
// `npx image-inspector qemu-img …` does and reports the whole process's peak RSS (the wasm runs in a
// worker thread of this same process, so maxRSS covers it) on fd 3.
import { writeSync } from 'node:fs';
import { run } from '../../src/cli/qemu-img-command.ts';

const code = await run(process.argv.slice(2));
writeSync(3, JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS }));
process.exitCode = code;
