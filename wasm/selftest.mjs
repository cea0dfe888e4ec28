#!/usr/bin/env node
// Self-test of a qemu-img wasm build against the native qemu-img of the same version, run by
// wasm/build.sh on the freshly linked module, or by hand:
//   NATIVE_QEMU_IMG="$(bash wasm/toolchain.sh native)" node wasm/selftest.mjs [path/to/qemu-img.mjs]
// (default module: wasm/dist/qemu-img.mjs)
// (NATIVE_QEMU_IO defaults to qemu-io beside NATIVE_QEMU_IMG; both default to the PATH's.)
// It targets the runtime bugs that corrupted data silently in emscripten 3.1.6 (v1 carried
// js/fs64.js for them; 3.1.69 fixed them, and this proves it stays so): positional I/O at and
// beyond 2 GiB and 4 GiB, multi-iovec preadv/pwritev, 64-bit ftruncate, positions handed to a
// custom FS, and exit statuses.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const modulePath = resolve(process.argv[2] ?? new URL('dist/qemu-img.mjs', import.meta.url).pathname);
const QEMU_IMG = process.env.NATIVE_QEMU_IMG ?? 'qemu-img';
const QEMU_IO = process.env.NATIVE_QEMU_IO ?? (process.env.NATIVE_QEMU_IMG ? join(dirname(QEMU_IMG), 'qemu-io') : 'qemu-io');
const { default: createQemuImg } = await import(pathToFileURL(modulePath).href);
const wasmBinary = readFileSync(modulePath.replace(/\.mjs$/, '.wasm'));
const dir = mkdtempSync(join(tmpdir(), 'qemu-img-wasm-selftest-'));
const GiB = 1024 ** 3;
let failures = 0;

function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures++;
}

/** One wasm qemu-img command on a fresh instance; `dir` is mounted at /w by NODEFS. */
async function wasm(args, { mountCustom } = {}) {
  const out = [];
  const err = [];
  const mod = await createQemuImg({ wasmBinary, print: (l) => out.push(l), printErr: (l) => err.push(l) });
  mod.FS.mkdir('/w');
  mod.FS.mount(mod.FS.filesystems.NODEFS, { root: dir }, '/w');
  if (mountCustom) mountCustom(mod);
  mod.FS.chdir('/w');
  const status = mod.callMain(args);
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

function native(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

function writeAt(file, offset, length, seed) {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 131 + seed * 7 + (i >> 9)) & 0xff || 1;
  const fd = openSync(join(dir, file), 'r+');
  writeSync(fd, buf, 0, length, offset);
  closeSync(fd);
}

try {
  // 1. A sparse raw image with data straddling 2 GiB and 4 GiB and at its end.
  const size = 5 * GiB;
  execFileSync('truncate', ['-s', String(size), join(dir, 'big.raw')]);
  const spots = [
    [2 * GiB - 4096, 8192],
    [4 * GiB - 4096, 8192],
    [size - 4096, 4096],
    [1024 * 1024, 65536 + 512],
  ];
  spots.forEach(([off, len], i) => writeAt('big.raw', off, len, i + 1));
  execFileSync(QEMU_IMG, ['convert', '-f', 'raw', '-O', 'qcow2', 'big.raw', 'big.qcow2'], { cwd: dir });

  // Reads at high file offsets: windows of the raw file via the raw driver's offset/size.
  for (const [off, len] of spots) {
    const start = off - 512;
    const winLen = Math.min(off + len + 512, size) - start;
    const opts = `driver=raw,offset=${start},size=${winLen},file.driver=file,file.filename=big.raw`;
    const w = await wasm(['convert', '--image-opts', opts, '-O', 'raw', `win-${off}.raw`]);
    const expect = Buffer.alloc(winLen);
    const fd = openSync(join(dir, 'big.raw'), 'r');
    readSync(fd, expect, 0, winLen, start);
    closeSync(fd);
    const got = w.status === 0 ? readFileSync(join(dir, `win-${off}.raw`)) : Buffer.alloc(0);
    check(`read ${winLen} B at ${start} (window across ${(off / GiB).toFixed(3)} GiB)`,
      w.status === 0 && got.equals(expect), w.stderr);
  }

  // Writes at high offsets + 64-bit ftruncate: qcow2 -> raw must reproduce big.raw.
  let w = await wasm(['convert', '-f', 'qcow2', '-O', 'raw', 'big.qcow2', 'big-back.raw']);
  check('convert qcow2 -> 5 GiB raw (writes beyond 2 and 4 GiB)', w.status === 0, w.stderr);
  check('5 GiB raw output has the exact size (64-bit ftruncate)', statSync(join(dir, 'big-back.raw')).size === size,
    String(statSync(join(dir, 'big-back.raw')).size));
  let n = native(QEMU_IMG, ['compare', '-f', 'raw', '-F', 'raw', 'big.raw', 'big-back.raw']);
  check('native compare big.raw big-back.raw', n.status === 0, n.stdout || n.stderr);

  // Reads through qcow2 metadata to guest offsets beyond 4 GiB; wasm compare must agree.
  w = await wasm(['compare', '-f', 'qcow2', '-F', 'qcow2', 'big.qcow2', 'big.qcow2']);
  check('wasm compare big.qcow2 with itself', w.status === 0, w.stdout);
  execFileSync('cp', ['big.qcow2', 'big-mod.qcow2'], { cwd: dir });
  execFileSync(QEMU_IO, ['-f', 'qcow2', '-c', `write -P 0x5a ${4 * GiB + 65536} 4096`, 'big-mod.qcow2'], { cwd: dir });
  w = await wasm(['compare', '-f', 'raw', '-F', 'qcow2', 'big-back.raw', 'big-mod.qcow2']);
  check('wasm compare sees a 4 KiB difference at 4 GiB + 64 KiB', w.status === 1 &&
    w.stdout.includes(`offset ${4 * GiB + 65536}`), w.stdout);

  // 64-bit create/resize.
  w = await wasm(['create', '-f', 'raw', 'six.raw', '6G']);
  check('create -f raw 6G makes a 6 GiB file', w.status === 0 && statSync(join(dir, 'six.raw')).size === 6 * GiB,
    String(statSync(join(dir, 'six.raw')).size));
  w = await wasm(['resize', '-f', 'raw', 'six.raw', '+3G']);
  check('resize +3G makes a 9 GiB file', w.status === 0 && statSync(join(dir, 'six.raw')).size === 9 * GiB,
    String(statSync(join(dir, 'six.raw')).size));

  // 2. Multi-iovec requests: 4 KiB data/zero patterns make qemu-img split and merge
  //    buffers (qcow2 COW merged into one pwritev, zero detection, small clusters).
  const mixSize = 48 * 1024 * 1024;
  execFileSync('truncate', ['-s', String(mixSize), join(dir, 'mix.raw')]);
  for (let i = 0, k = 0; i < mixSize / 4096; i++) {
    if ((i * 7919) % 3 !== 0) writeAt('mix.raw', i * 4096, 4096, ++k);
  }
  const targets = [
    ['qcow2', ['-o', 'cluster_size=2M']],
    ['qcow2', ['-o', 'cluster_size=512']],
    ['qcow2', ['-c']],
    ['vmdk', []],
    ['vmdk', ['-o', 'subformat=streamOptimized']],
    ['vhdx', []],
    ['vdi', []],
    ['qed', []],
    ['vpc', ['-o', 'subformat=fixed']],
    ['parallels', []],
    ['qcow', []],
  ];
  for (const [fmt, extra] of targets) {
    const out = `mix-${fmt}-${extra.join('').replace(/[^a-z0-9]/gi, '')}.${fmt}`;
    w = await wasm(['convert', '-f', 'raw', '-O', fmt, ...extra, 'mix.raw', out]);
    n = native(QEMU_IMG, ['compare', '-f', 'raw', '-F', fmt, 'mix.raw', out]);
    check(`raw -> ${fmt} ${extra.join(' ')}: native compare`, w.status === 0 && n.status === 0, w.stderr || n.stdout);
    w = await wasm(['convert', '-f', fmt, '-O', 'raw', out, `${out}.back.raw`]);
    check(`${fmt} ${extra.join(' ')} -> raw is byte-identical`, w.status === 0 &&
      readFileSync(join(dir, `${out}.back.raw`)).subarray(0, mixSize).equals(readFileSync(join(dir, 'mix.raw'))), w.stderr);
  }

  // 3. A custom FS registered at run time gets exact positions beyond 4 GiB.
  const seen = [];
  const customOut = join(dir, 'custom-out.raw');
  closeSync(openSync(customOut, 'w'));
  w = await wasm(['convert', '-f', 'qcow2', '-O', 'raw', '-n', '--target-is-zero', 'big.qcow2', '/c/out.raw'], {
    mountCustom(mod) {
      const FS = mod.FS;
      const fd = openSync(customOut, 'r+');
      let fileSize = 0;
      const RecordingFS = {
        mount() {
          const root = FS.createNode(null, '/', 0o40755, 0);
          root.node_ops = {
            getattr: (node) => ({ dev: 1, ino: node.id, mode: node.mode, nlink: 1, uid: 0, gid: 0, rdev: 0,
              size: 0, atime: new Date(), mtime: new Date(), ctime: new Date(), blksize: 4096, blocks: 0 }),
            lookup: (parent, name) => {
              if (name !== 'out.raw') throw new FS.ErrnoError(44);
              const node = FS.createNode(parent, name, 0o100644, 0);
              node.node_ops = {
                getattr: () => ({ dev: 1, ino: node.id, mode: node.mode, nlink: 1, uid: 0, gid: 0, rdev: 0,
                  size: fileSize, atime: new Date(), mtime: new Date(), ctime: new Date(), blksize: 4096,
                  blocks: Math.ceil(fileSize / 512) }),
                setattr: (_n, attr) => { if (attr.size !== undefined) fileSize = attr.size; },
              };
              node.stream_ops = {
                read: (_s, buffer, offset, length, position) => {
                  seen.push(['read', position]);
                  return readSync(fd, buffer, offset, length, position);
                },
                write: (_s, buffer, offset, length, position) => {
                  seen.push(['write', position]);
                  const done = writeSync(fd, buffer, offset, length, position);
                  fileSize = Math.max(fileSize, position + done);
                  return done;
                },
                llseek: (stream, offset, whence) => (whence === 2 ? fileSize : whence === 1 ? stream.position : 0) + offset,
              };
              return node;
            },
          };
          return root;
        },
      };
      fileSize = 5 * GiB;
      FS.mkdir('/c');
      FS.mount(RecordingFS, {}, '/c');
    },
  });
  const writes = seen.filter(([op]) => op === 'write').map(([, p]) => p);
  check('custom FS: convert -n into it succeeds', w.status === 0, w.stderr);
  check('custom FS: got exact write positions 4 GiB - 4 KiB and 5 GiB - 4 KiB',
    writes.includes(4 * GiB - 4096) && writes.includes(size - 4096) && writes.every(Number.isSafeInteger),
    `max position ${Math.max(...writes)}`);
  execFileSync('truncate', ['-s', String(size), customOut]);
  n = native(QEMU_IMG, ['compare', '-f', 'raw', '-F', 'raw', 'big-back.raw', customOut]);
  check('custom FS output equals the NODEFS output (native compare)', n.status === 0, n.stdout || n.stderr);

  // 4. Exit statuses and messages like native.
  w = await wasm(['info', 'missing.qcow2']);
  n = native(QEMU_IMG, ['info', 'missing.qcow2']);
  check('info on a missing file: status and stderr as native', w.status === 1 && w.stderr === n.stderr,
    `${w.status} ${w.stderr}`);
  execFileSync(QEMU_IMG, ['create', '-f', 'qcow2', 'bad.qcow2', '64M'], { cwd: dir });
  execFileSync(QEMU_IO, ['-f', 'qcow2', '-c', 'write 0 64k', 'bad.qcow2'], { cwd: dir });
  const fd = openSync(join(dir, 'bad.qcow2'), 'r+');
  writeSync(fd, Buffer.from([0x80, 0, 0, 0, 0, 0xff, 0, 0]), 0, 8, 0x30000); // L1[0]: bogus L2 offset
  closeSync(fd);
  w = await wasm(['check', '-f', 'qcow2', 'bad.qcow2']);
  n = native(QEMU_IMG, ['check', '-f', 'qcow2', 'bad.qcow2']);
  check('check on a corrupt qcow2: non-zero status equal to native', w.status !== 0 && w.status === n.status,
    `wasm ${w.status}, native ${n.status}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (failures) {
  console.error(`${failures} self-test(s) failed for ${modulePath}`);
  process.exit(1);
}
console.log(`all self-tests passed for ${modulePath}`);
