// Test disk images for the guest readers, built at test time in a temp dir with Debian's tools:
// mke2fs -d (ext4 from a directory), mkfs.xfs -p (a protofile written from a directory), mkfs.vfat
// + mtools (ESP), sfdisk (MBR and GPT). LVM2 PVs are written by lvmPv() following the on-disk
// format (label, PV header, metadata area header, metadata text) because lvm tools need a loop
// device; the tests check them with `pvck` when it is installed. All images are sparse, ≤ 64 MiB.
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const dirs: string[] = [];
process.on('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ii-guest-'));
  dirs.push(d);
  return d;
}

export function sh(cmd: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): string {
  return execFileSync(cmd, args, { input: opts.input, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

/** path → file text, { link } for a symlink, null for an empty directory. */
export type Tree = Record<string, string | { link: string } | null>;

export function writeTree(root: string, tree: Tree): string {
  mkdirSync(root, { recursive: true });
  for (const [path, v] of Object.entries(tree)) {
    const p = join(root, path);
    if (v === null) {
      mkdirSync(p, { recursive: true });
      continue;
    }
    mkdirSync(dirname(p), { recursive: true });
    if (typeof v === 'string') writeFileSync(p, Buffer.from(v, 'latin1'));
    else symlinkSync(v.link, p);
  }
  return root;
}

/** The first 64 bytes of an ELF executable for a machine (0x3e x86_64, 0xb7 aarch64). */
export function elfHeader(machine: number): string {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  b.writeUInt16LE(3, 16);
  b.writeUInt16LE(machine, 18);
  return b.toString('latin1');
}

export function mkExt(
  dir: string,
  name: string,
  tree: Tree,
  mib: number,
  uuid: string,
  label: string,
  type = 'ext4',
  extra: string[] = [],
): string {
  const src = writeTree(join(dir, `${name}.tree`), tree);
  const img = join(dir, `${name}.img`);
  sh('truncate', ['-s', `${mib}M`, img]);
  sh('mke2fs', ['-q', '-F', '-t', type, '-U', uuid, '-L', label, '-E', 'root_owner=0:0', ...extra, '-d', src, img]);
  return img;
}

/** mkfs.xfs protofile lines for a directory (symlinks, files, subdirectories). */
function protoLines(dir: string, tree: Tree, indent: string): string[] {
  const kids = new Map<string, Tree>();
  const out: string[] = [];
  for (const [path, v] of Object.entries(tree)) {
    const [head, ...rest] = path.split('/');
    if (rest.length) {
      const sub = kids.get(head!) ?? {};
      sub[rest.join('/')] = v;
      kids.set(head!, sub);
    } else if (v === null) kids.set(head!, kids.get(head!) ?? {});
    else if (typeof v === 'string') {
      const f = join(dir, `proto-${out.length}-${Math.random().toString(36).slice(2)}`);
      writeFileSync(f, Buffer.from(v, 'latin1'));
      out.push(`${indent}${head} ---644 0 0 ${f}`);
    } else out.push(`${indent}${head} l--777 0 0 ${v.link}`);
  }
  for (const [name, sub] of kids) out.push(`${indent}${name} d--755 0 0`, ...protoLines(dir, sub, `${indent} `), `${indent}$`);
  return out;
}

export function mkXfs(dir: string, name: string, tree: Tree, mib: number, uuid: string, label: string, extra: string[] = []): string {
  const proto = join(dir, `${name}.proto`);
  mkdirSync(join(dir, `${name}.files`), { recursive: true });
  writeFileSync(proto, ['/dev/null', '0 0', 'd--755 0 0', ...protoLines(join(dir, `${name}.files`), tree, ' '), '$', ''].join('\n'));
  const img = join(dir, `${name}.img`);
  sh('truncate', ['-s', `${mib}M`, img]);
  // mkfs.xfs refuses file systems under 300 MB unless run as fstests does.
  sh('mkfs.xfs', ['-q', '-f', '-m', `uuid=${uuid}`, '-L', label, ...extra, '-p', proto, img], {
    env: { TEST_DIR: '1', TEST_DEV: '1', QA_CHECK_FS: '1' },
  });
  return img;
}

/** An ESP: FAT with the given files ("EFI/BOOT/BOOTX64.EFI" → text). */
export function mkEsp(dir: string, name: string, files: Record<string, string>, mib: number, volid: string): string {
  const img = join(dir, `${name}.img`);
  sh('truncate', ['-s', `${mib}M`, img]);
  sh('mkfs.vfat', ['-i', volid, '-n', 'EFI', img]);
  const made = new Set<string>();
  for (const [path, text] of Object.entries(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!made.has(d)) {
        sh('mmd', ['-i', img, `::/${d}`]);
        made.add(d);
      }
    }
    const f = join(dir, `${name}-${made.size}-${parts.at(-1)}`);
    writeFileSync(f, Buffer.from(text, 'latin1'));
    sh('mcopy', ['-i', img, f, `::/${path}`]);
  }
  return img;
}

export function mkSwap(dir: string, name: string, mib: number): string {
  const img = join(dir, `${name}.img`);
  sh('truncate', ['-s', `${mib}M`, img]);
  sh('mkswap', ['-q', '-U', '3c3c3c3c-4d4d-4e4e-8f8f-606060606060', '-L', 'swap', img]);
  return img;
}

/** Copies a file into `disk` at byte `offset` (sparse: only its data). */
export function place(disk: string, img: string, offset: number): void {
  sh('dd', [`if=${img}`, `of=${disk}`, 'bs=1M', `seek=${offset}`, 'oflag=seek_bytes', 'conv=notrunc,sparse', 'status=none']);
}

/** A disk with an sfdisk script (sizes in MiB are easiest: "start=2048, size=16384, type=83"). */
export function mkDisk(dir: string, name: string, mib: number, script: string): string {
  const disk = join(dir, `${name}.disk`);
  sh('truncate', ['-s', `${mib}M`, disk]);
  sh('sfdisk', ['--no-reread', '--no-tell-kernel', '-q', disk], { input: script });
  return disk;
}

export function partitionOffsets(disk: string): Array<{ start: number; size: number }> {
  const j = JSON.parse(sh('sfdisk', ['--json', disk])) as { partitiontable: { partitions: Array<{ start: number; size: number }> } };
  return j.partitiontable.partitions.map((p) => ({ start: p.start * 512, size: p.size * 512 }));
}

/** A file as the guest step's ReadAt (a raw image; qcow2 goes through the wasm block layer). */
export function fileReader(path: string): {
  read: (offset: number, length: number) => Promise<Uint8Array>;
  size: number;
  close: () => void;
} {
  const fd = openSync(path, 'r');
  return {
    size: fstatSync(fd).size,
    async read(offset, length) {
      const b = new Uint8Array(length);
      return b.subarray(0, readSync(fd, b, 0, length, offset));
    },
    close: () => closeSync(fd),
  };
}
