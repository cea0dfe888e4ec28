// `image-inspector qemu-img <args…>`: the wasm qemu-img on local files, with native's stdout (live,
// so -p progress works in a terminal), stderr and exit status. A qemu-img crash exits 134 like
// native's SIGABRT, with the reason on stderr.
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';

export async function run(args: string[]): Promise<number> {
  try {
    const r = await runQemuImg(args, { stdout: 'inherit', stderr: 'inherit' });
    return r.exitCode;
  } finally {
    await shutdownQemuImg();
  }
}
