// Shared by the parity tests: run native qemu-img and the wasm one (Node runner) the same way, and
// compare what they print.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { runQemuImg, type NodeRunOptions } from '../../workers/qemu-img/node.ts';
import type { RunResult } from '../../workers/qemu-img/types.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

export { NO_EXTENTS_MESSAGE, ENGINE_REFUSES_NO_EXTENTS } from '../helpers/engine.ts';

export interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function native(args: string[], cwd?: string): Ran {
  // argv0: qemu-img prints argv[0] in messages; a reference run by full path must still say qemu-img.
  const r = spawnSync(NATIVE_QEMU_IMG, args, { argv0: 'qemu-img', cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  // A signal (native asserts on some hostile files) shows as the shell would: 128 + signal number.
  const signals: Record<string, number> = { SIGABRT: 134, SIGSEGV: 139, SIGKILL: 137, SIGTERM: 143 };
  const exitCode = r.status ?? (r.signal ? (signals[r.signal] ?? 128) : 1);
  return { exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Every wasm run in the parity suite has a deadline: a hang is a failure, never a stuck suite. */
export const WASM_TIMEOUT_MS = 120_000;

export async function wasm(args: string[], opts: NodeRunOptions = {}): Promise<RunResult> {
  const r = await runQemuImg(args, { timeoutMs: WASM_TIMEOUT_MS, ...opts });
  assert.notEqual(r.failure, 'timeout', `wasm qemu-img ${args.join(' ')} timed out:\n${r.stderr}`);
  return r;
}

/** Drops the keys whose value depends on the file system's block accounting, at any depth. */
export function withoutActualSize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutActualSize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'actual-size') out[k] = withoutActualSize(x);
    return out;
  }
  return v;
}

export function tempDir(tag: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ii-parity-${tag}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function describeRun(name: string, r: Ran): string {
  return `${name}: exit ${r.exitCode}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`;
}

interface MapEntry {
  start: number;
  length: number;
  depth: number;
  present?: boolean;
  zero: boolean;
  data: boolean;
  offset?: number;
}

/** Cuts both maps at every boundary of either and returns aligned pieces. */
function alignMaps(a: MapEntry[], b: MapEntry[]): Array<{ start: number; end: number; a: MapEntry; b: MapEntry }> {
  const cuts = new Set<number>();
  for (const e of [...a, ...b]) {
    cuts.add(e.start);
    cuts.add(e.start + e.length);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const find = (m: MapEntry[], p: number) => m.find((e) => p >= e.start && p < e.start + e.length);
  const out: Array<{ start: number; end: number; a: MapEntry; b: MapEntry }> = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const ea = find(a, points[i]!);
    const eb = find(b, points[i]!);
    assert.ok(ea && eb, `map: range at ${points[i]} covered by only one side`);
    out.push({ start: points[i]!, end: points[i + 1]!, a: ea, b: eb });
  }
  return out;
}

/**
 * Compares `map --output=json` outputs. Where the allocation comes from the host file's holes
 * (raw files, flat VMDK extents, fixed VPC/VHDX, static VDI), native asks the kernel with
 * lseek(SEEK_DATA/SEEK_HOLE), which Node's fs cannot do for the wasm: there, and only there, a native
 * hole ({zero: true}) may show as plain data ({zero: false, data: true}) in the wasm. Everything else must be equal:
 * coverage, depth, presence, offsets.
 */
export function assertSameMap(nativeJson: string, wasmJson: string, hostHoles: boolean): void {
  const n = JSON.parse(nativeJson) as MapEntry[];
  const w = JSON.parse(wasmJson) as MapEntry[];
  if (!hostHoles) {
    assert.deepEqual(w, n);
    return;
  }
  for (const piece of alignMaps(n, w)) {
    const { a, b } = piece;
    const where = `map piece [${piece.start}, ${piece.end})`;
    assert.equal(b.depth, a.depth, `${where}: depth`);
    assert.equal(b.present, a.present, `${where}: present`);
    if (a.offset !== undefined || b.offset !== undefined) {
      assert.equal(b.offset! + (piece.start - b.start), a.offset! + (piece.start - a.start), `${where}: offset`);
    }
    // A kernel-reported hole: native says zero (with or without data), the wasm sees plain data.
    if (a.zero && b.data && !b.zero) continue;
    assert.equal(b.zero, a.zero, `${where}: zero`);
    assert.equal(b.data, a.data, `${where}: data`);
  }
}

/**
 * `map` of a format whose block status native 10.2.2 lacks and our patch adds (VHDX,
 * wasm/patches/qemu-0009-vhdx-block-status.patch): native must print the no-information form (all
 * data, no offsets), and the wasm's map must be true of the bytes. Every piece it calls zero reads
 * as zeros in `raw` (the image converted to raw by native), and every piece it maps to an offset
 * holds, at that offset of the image file, the bytes `raw` has there.
 */
export function assertTrueMapWhereNativeHasNone(nativeJson: string, wasmJson: string, imagePath: string, raw: string): void {
  const n = JSON.parse(nativeJson) as MapEntry[];
  const w = JSON.parse(wasmJson) as MapEntry[];
  for (const e of n.filter((x) => x.length > 0))
    assert.ok(e.data && !e.zero && e.offset === undefined, `native map has block status now: ${JSON.stringify(e)}`);
  const end = (m: MapEntry[]) => m.reduce((a, e) => Math.max(a, e.start + e.length), 0);
  assert.equal(end(w), end(n), 'map: the same virtual size covered');
  const img = openSync(imagePath, 'r');
  const ref = openSync(raw, 'r');
  try {
    let mapped = 0;
    const zeros = Buffer.alloc(1024 * 1024);
    let holdsData = false;
    for (let at = 0; at < w.length; at++) {
      const e = w[at]!;
      assert.equal(e.start, at ? w[at - 1]!.start + w[at - 1]!.length : 0, 'map: pieces follow each other');
      for (let off = 0; off < e.length; off += 1024 * 1024) {
        const len = Math.min(1024 * 1024, e.length - off);
        const want = Buffer.alloc(len);
        readSync(ref, want, 0, len, e.start + off);
        holdsData ||= !want.equals(zeros.subarray(0, len));
        if (e.offset !== undefined) {
          const got = Buffer.alloc(len);
          readSync(img, got, 0, len, e.offset + off);
          assert.ok(got.equals(want), `map piece at ${e.start + off}: the file at ${e.offset + off} is not what it reads`);
          mapped += len;
        } else if (e.zero) {
          assert.ok(want.equals(zeros.subarray(0, len)), `map piece at ${e.start + off} says zero and reads data`);
        } else {
          assert.fail(`map piece at ${e.start}: data without an offset (${JSON.stringify(e)})`);
        }
      }
    }
    assert.ok(mapped > 0 || !holdsData, 'the image has data: some of it must be mapped');
  } finally {
    closeSync(img);
    closeSync(ref);
  }
}

export function assertOk(r: Ran, what: string): void {
  assert.equal(r.exitCode, 0, describeRun(what, r));
}
