#!/usr/bin/env node
// Entry of `npx image-inspector`. The sources are TypeScript; tsx's loader runs them as they are,
// so the CLI, the Node tests and the browser build share one copy of the core.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
