// Entry of the Node worker thread. The runner is TypeScript; loader hooks registered in the parent
// (tsx's register() in bin/image-inspector.mjs) do not reach worker threads on Node 20, so the
// thread registers tsx itself before importing it.
import { register } from 'tsx/esm/api';

register();
await import('./node-thread.ts');
