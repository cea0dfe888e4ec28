// `image-inspector qemu-img <args…>`: the wasm qemu-img on local files, with native's stdout (live,
// so -p progress works in a terminal), stderr and exit status. A qemu-img crash exits 134 like
// native's SIGABRT, with the reason on stderr. It runs in this process's main thread: a one-shot
// command needs no abort/timeout machinery, and skipping the worker thread saves its start-up.
import { runQemuImgInProcess } from '../../workers/qemu-img/node.ts';

export async function run(args: string[]): Promise<number> {
  const r = await runQemuImgInProcess(args, { stdout: 'inherit', stderr: 'inherit' });
  return r.exitCode;
}
