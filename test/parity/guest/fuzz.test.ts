// A bounded fuzz corpus (fixed seed): superblocks, inodes, directory blocks, partition tables and
// LVM metadata of real images are mutated on the fly through the reader; inspectGuest() must
// resolve every time, within its time budget, never throw, and report plain data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inspectGuest } from '../../../src/core/guest/inspect-guest.ts';
import { rhel7Disk, UUID } from './distros.ts';
import { mkEsp, mkExt, mkXfs, workdir } from './images.ts';

const dir = workdir();
const CASES = 600;
const TIME_BUDGET_MS = 1500;

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

interface Base {
  name: string;
  bytes: Uint8Array;
  targets: number[][];
}

function sectorsWith(bytes: Uint8Array, needles: string[]): number[] {
  const out = new Set<number>();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const n of needles)
    for (let at = buf.indexOf(n); at >= 0 && out.size < 4096; at = buf.indexOf(n, at + 1)) out.add(Math.floor(at / 512) * 512);
  return [...out];
}

function nonZeroSectors(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let s = 0; s < bytes.length; s += 512) {
    for (let i = s; i < s + 512; i++)
      if (bytes[i]) {
        out.push(s);
        break;
      }
  }
  return out;
}

function base(name: string, path: string, structures: number[]): Base {
  const bytes = new Uint8Array(readFileSync(path));
  return {
    name,
    bytes,
    targets: [structures, sectorsWith(bytes, ['os-release', 'fstab', 'hostname', 'IN', 'XD', 'LABELONE', ' LVM2']), nonZeroSectors(bytes)],
  };
}

test('mutated guest disks never hang or throw', { timeout: 300_000 }, async () => {
  const tree = {
    'etc/os-release': 'ID=fedora\nVERSION_ID=39\n',
    'etc/fstab': `UUID=${UUID.root} / ext4 defaults 0 0\n`,
    'etc/hostname': 'h\n',
    'usr/bin/bash': 'x',
    bin: { link: 'usr/bin' },
    ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`etc/d/f${i}`, String(i)])),
  };
  const bases = [
    base('ext4', mkExt(dir, 'fz-ext4', tree, 4, UUID.root, 'r', 'ext4', ['-b', '1024']), [1024, 1536, 2048]),
    base('ext2', mkExt(dir, 'fz-ext2', tree, 4, UUID.root, 'r', 'ext2', ['-b', '1024']), [1024, 1536, 2048]),
    base('xfs', mkXfs(dir, 'fz-xfs', tree, 16, UUID.root, 'r'), [0, 512, 1024]),
    base('xfs-v4', mkXfs(dir, 'fz-xfs4', tree, 16, UUID.root, 'r', ['-m', 'crc=0']), [0, 512]),
    base('vfat', mkEsp(dir, 'fz-esp', { 'EFI/BOOT/BOOTX64.EFI': 'MZ', 'EFI/fedora/grub.cfg': 'x' }, 4, '12345678'), [0]),
    base('lvm-disk', rhel7Disk(dir, true, 'gpt'), [0, 512, 1024, 9 * 1024 * 1024 + 512, 9 * 1024 * 1024 + 4096, 9 * 1024 * 1024 + 4608]),
  ];
  const next = rng(0x1ee7);
  const outcomes = new Map<string, number>();
  let slowest = 0;
  for (let c = 0; c < CASES; c++) {
    const b = bases[c % bases.length]!;
    const pick = b.targets[Math.floor(next() * 3)]!;
    const targets = pick.length ? pick : b.targets[2]!;
    const patch = new Map<number, number>();
    const count = 1 + Math.floor(next() * 24);
    const sector = targets[Math.floor(next() * targets.length)] ?? 0;
    for (let i = 0; i < count; i++) {
      const at = sector + Math.floor(next() * 512);
      const kind = next();
      const old = b.bytes[at] ?? 0;
      patch.set(at, kind < 0.3 ? 0xff : kind < 0.5 ? 0 : kind < 0.8 ? old ^ (1 << Math.floor(next() * 8)) : Math.floor(next() * 256));
    }
    const read = async (offset: number, length: number) => {
      const out = b.bytes.slice(offset, offset + length);
      for (const [at, v] of patch) if (at >= offset && at < offset + out.length) out[at - offset] = v;
      return out;
    };
    const t0 = Date.now();
    const r = await inspectGuest(read, b.bytes.length, { maxMs: TIME_BUDGET_MS, maxBytes: 32 * 1024 * 1024 });
    const ms = Date.now() - t0;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < TIME_BUDGET_MS + 1000, `case ${c} (${b.name}) took ${ms} ms`);
    if (r) {
      assert.ok(Array.isArray(r.filesystems) && Array.isArray(r.checklist) && Array.isArray(r.findings));
      JSON.stringify(r);
    }
    const key = r === null ? 'null' : r.findings.length ? r.findings.map((f) => f.code).join('+') : 'clean';
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  // The corpus must actually reach the error paths, not only leave the images readable.
  const corrupt = [...outcomes].filter(([k]) => k.includes('corrupt')).reduce((a, [, n]) => a + n, 0);
  assert.ok(corrupt >= 20, `only ${corrupt} cases hit a corrupt structure: ${JSON.stringify([...outcomes])}`);
  assert.ok(!outcomes.has('guest.read-failed'), `an unexpected error escaped a reader: ${JSON.stringify([...outcomes])}`);
  console.log(`fuzz: ${CASES} cases, slowest ${slowest} ms, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
});
