// Dispatches `image-inspector <command> …`. Each command lives in its own module and is loaded
// only when used, so `qemu-img` does not pay for the inspection code and vice versa.
export type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  'qemu-img': async () => (await import('./qemu-img-command.ts')).run,
  inspect: async () => (await import('./inspect-command.ts')).run,
  upload: async () => (await import('./upload-command.ts')).run,
  convert: async () => (await import('./convert-command.ts')).run,
};

const usage = `usage: image-inspector <command> [args…]

commands:
  qemu-img <args…>                        run the WebAssembly qemu-img on local files
  inspect [--json] [--format F] FILE…     qemu-img info + Glance safety verdict + suggested properties
  convert IN OUT --to FORMAT [-o OPTIONS] [--compress] [--no-verify] [--json] [--force]
                                          inspect, convert with the wasm qemu-img, verify with
                                          compare, inspect the result (convert --help)
  upload FILE [--via glance|swift|s3] [--os-cloud NAME] [--os-storage-url URL]
      [--container NAME] [--segment-size SIZE] [--parallel N] [--no-register] [--json]
      [--name NAME] [--disk-format F] [--container-format F] [--min-disk GB] [--min-ram MB]
      [--property KEY=VALUE]... [--public] [--protected]
                                          inspect, then upload to Glance, or to Swift (SLO) / S3
                                          (multipart) in parallel checked parts, resumable, then
                                          register in Glance and verify its checksums
                                          (image-inspector upload --help for details)
`;

/** A closed stdout or stderr (`… | head -1`, `… 2>&1 | head -1`) ends inspect and upload quietly
 *  with 141, what a shell shows for a filter that SIGPIPE ends (Node ignores SIGPIPE, so the write
 *  fails with EPIPE instead). convert behaves as native `qemu-img convert`, which ignores SIGPIPE:
 *  it runs to its end, publishes the verified output and exits with its own status (what it would
 *  have printed is lost; a script's `| head -1` must not turn a good conversion into a failure).
 *  The qemu-img command writes fd 1 and 2 itself and behaves as native too (pipe-writer.ts). */
function onClosedPipes(command: string): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      if (command !== 'convert') process.exit(141);
      // convert: the stream is destroyed, later writes to it are dropped
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  onClosedPipes(name ?? '');
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage);
    return 0;
  }
  // 2, as every command's argument errors: 1 means "not safe" to scripts (inspect, convert, upload)
  if (!name) {
    process.stderr.write(usage);
    return 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`image-inspector: unknown command '${name}'\n${usage}`);
    return 2;
  }
  return (await load())(rest);
}
