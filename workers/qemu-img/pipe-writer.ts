// qemu-img's stdout and stderr written straight to fd 1 and 2 (the CLI's in-process runs), with
// native's behaviour when the reader is gone (`… | head -1`, `… 2>&1 | head -1`). Native qemu-img
// ignores SIGPIPE (qemu-img.c's main: signal(SIGPIPE, SIG_IGN)), so a closed pipe does not end it:
// its writes fail with EPIPE, unchecked, and the command runs to its end with its own exit status
// (`info F | head -1`: 0; `check` of a leaky image `2>&1 | head -1`: 3). So here: a closed pipe
// drops the rest of that stream quietly and changes nothing else. (Stopping at the first EPIPE
// would leave a `convert -p … | head -1` output half written where native finishes it, and could
// not know the status the whole run would have had.)
import { writeSync } from 'node:fs';

export interface PipeWriter {
  write(chunk: Uint8Array): void;
}

export function pipeWriter(fd: 1 | 2): PipeWriter {
  let closed = false;
  return {
    write(chunk: Uint8Array) {
      let at = 0;
      while (!closed && at < chunk.length) {
        try {
          at += writeSync(fd, chunk, at);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: wait for the reader
          if (code !== 'EPIPE') throw e;
          closed = true;
        }
      }
    },
  };
}
