// Test corpus builders for the inspection tests: images made by native qemu-img and the usual
// disk tools in a temp dir, and byte-level edits for hostile variants.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { bytesSource, type ByteSource } from '../../../src/core/inspect/byte-source.ts';
import { fileSource } from '../../../src/cli/node-byte-source.ts';
import { inspectSafety, type InspectSafetyOptions } from '../../../src/core/inspect/safety.ts';
import type { SafetyReport } from '../../../src/core/inspect/types.ts';
import { NATIVE_QEMU_IMG } from '../../helpers/engine.ts';

export const MiB = 1024 * 1024;

/** A temp dir removed after the test file. */
export function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ii-inspect-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function sh(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

/** `qemu-img create -f fmt [-o opts] path size`. */
export function qemuCreate(
  dir: string,
  name: string,
  fmt: string,
  size: number | string,
  options: Record<string, string> = {},
  extra: string[] = [],
): string {
  const path = join(dir, name);
  const o = Object.entries(options)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  sh('qemu-img', ['create', '-q', '-f', fmt, ...(o ? ['-o', o] : []), ...extra, path, String(size)]);
  return path;
}

/** Native qemu-img's view (the engine's own QEMU version) with an explicit format (never probing). */
export function nativeInfo(path: string, fmt: string): { 'virtual-size': number; format: string; [k: string]: unknown } {
  return JSON.parse(sh(NATIVE_QEMU_IMG, ['info', '--output=json', '-f', fmt, path]));
}

export function patch(path: string, offset: number, bytes: Uint8Array | number[]): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

export function le64(v: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}

export function be32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, false);
  return b;
}

export function cut(path: string, size: number): void {
  truncateSync(path, size);
}

export function sizeOf(path: string): number {
  return statSync(path).size;
}

export function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Wraps a source and counts what is read, to assert reads stay bounded. */
export function counting(src: ByteSource): ByteSource & { bytesRead: number; largestRead: number } {
  const c = {
    size: src.size,
    name: src.name,
    bytesRead: 0,
    largestRead: 0,
    async read(o: number, l: number) {
      const b = await src.read(o, l);
      c.bytesRead += b.length;
      c.largestRead = Math.max(c.largestRead, b.length);
      return b;
    },
  };
  return c;
}

export async function inspectPath(path: string, opts: InspectSafetyOptions = {}): Promise<SafetyReport & { bytesRead: number }> {
  const src = await fileSource(path);
  try {
    const c = counting(src);
    const r = await inspectSafety(c, opts);
    return { ...r, bytesRead: c.bytesRead };
  } finally {
    await src.close();
  }
}

export function inspectBytes(b: Uint8Array, opts: InspectSafetyOptions = {}): Promise<SafetyReport> {
  return inspectSafety(bytesSource(b, 'crafted'), opts);
}

export function codes(r: { findings: { code: string; severity: string }[] }, severity?: string): string[] {
  return r.findings.filter((f) => !severity || f.severity === severity).map((f) => f.code);
}
