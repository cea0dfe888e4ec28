// Shared by the parity tests: run native qemu-img and the wasm one (Node runner) the same way, and
// compare what they print.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

export function assertOk(r: Ran, what: string): void {
  assert.equal(r.exitCode, 0, describeRun(what, r));
}
