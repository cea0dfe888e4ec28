// Folds `qemu-img check --output=json` and `qemu-img map --output=json` results into findings and
// a small allocation summary. Exit codes of check: 0 clean, 1 check failed (internal error),
// 2 corruptions, 3 leaks only, 63 format without checks.
import { finding, type Finding } from './findings.ts';

export interface QemuRun {
  exitCode: number;
  stdout: string;
  stderr?: string;
  failure?: 'aborted' | 'timeout' | 'crashed';
}

/** The last line qemu-img wrote to stderr: where it says why it failed. */
export function stderrTail(run: Pick<QemuRun, 'stderr'>): string {
  return (run.stderr ?? '').trim().split('\n').pop() ?? '';
}

export interface QemuCheckReport {
  filename?: string;
  format?: string;
  'check-errors'?: number;
  corruptions?: number;
  leaks?: number;
  'corruptions-fixed'?: number;
  'leaks-fixed'?: number;
  'image-end-offset'?: number;
  'total-clusters'?: number;
  'allocated-clusters'?: number;
  'fragmented-clusters'?: number;
  'compressed-clusters'?: number;
}

export interface CheckSummary {
  /** "clean", "leaks", "corrupt", "failed", "unsupported" (format has no consistency check). */
  status: 'clean' | 'leaks' | 'corrupt' | 'failed' | 'unsupported';
  /** No corruption, no leak, no check error. */
  ok: boolean;
  unsupported: boolean;
  corruptions?: number;
  leaks?: number;
  checkErrors?: number;
  /** qemu-img's own last stderr line when the check failed. */
  message?: string;
  report?: QemuCheckReport;
}

function parseJson<T>(s: string): T | undefined {
  try {
    return JSON.parse(s) as T;
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

export function summariseCheck(run: QemuRun): CheckSummary {
  const report = parseJson<QemuCheckReport>(run.stdout.trim());
  const message = stderrTail(run) || undefined;
  if (run.failure) {
    return {
      status: 'failed',
      ok: false,
      unsupported: false,
      message: message ?? `qemu-img ${run.failure}`,
      ...(report ? { report } : {}),
    };
  }
  if (run.exitCode === 63 || /does not support checks/i.test(run.stderr ?? ''))
    return { status: 'unsupported', ok: true, unsupported: true };
  const corrupt = (report?.corruptions ?? 0) > 0 || run.exitCode === 2;
  const leaks = (report?.leaks ?? 0) > 0 || run.exitCode === 3;
  const failed = (report?.['check-errors'] ?? 0) > 0 || run.exitCode === 1 || (!report && run.exitCode !== 0);
  const status = failed ? 'failed' : corrupt ? 'corrupt' : leaks ? 'leaks' : 'clean';
  const s: CheckSummary = { status, ok: status === 'clean', unsupported: false };
  if (report) {
    s.report = report;
    s.corruptions = report.corruptions ?? 0;
    s.leaks = report.leaks ?? 0;
    s.checkErrors = report['check-errors'] ?? 0;
  }
  if (failed && message) s.message = message;
  return s;
}

export function checkFindings(run: QemuRun): Finding[] {
  const s = summariseCheck(run);
  const r = s.report;
  const out: Finding[] = [];
  if (run.failure) {
    out.push(
      finding(
        'check.crashed',
        'error',
        `qemu-img check did not finish (${run.failure}); the image's metadata may be hostile or damaged.`,
        'Do not upload this file as it is; convert it if you trust its source.',
        { failure: run.failure },
      ),
    );
    return out;
  }
  if ((r?.corruptions ?? 0) > 0 || s.status === 'corrupt') {
    out.push(
      finding(
        'check.corruptions',
        'error',
        `qemu-img check found ${r?.corruptions ?? 'some'} corruption(s) in the image's metadata; a VM could read wrong data.`,
        'Repair a copy with qemu-img check -r all, or convert it (which rewrites the metadata), then inspect again.',
        { corruptions: r?.corruptions ?? -1 },
      ),
    );
  }
  if ((r?.['check-errors'] ?? 0) > 0 || s.status === 'failed') {
    const why = stderrTail(run);
    out.push(
      finding(
        'check.failed',
        'error',
        `qemu-img check could not complete${why ? `: ${why}` : ''}.`,
        'Do not upload this file as it is; convert it if you trust its source.',
        why ? { reason: why } : undefined,
      ),
    );
  }
  if ((r?.leaks ?? 0) > 0) {
    out.push(
      finding(
        'check.leaks',
        'warning',
        `qemu-img check found ${r!.leaks} leaked cluster(s): space is wasted, data is intact.`,
        'Optional: repair with qemu-img check -r leaks, or convert it to compact the image.',
        { leaks: r!.leaks! },
      ),
    );
  }
  return out;
}

export interface MapExtent {
  start: number;
  length: number;
  depth?: number;
  present?: boolean;
  zero: boolean;
  data: boolean;
  offset?: number;
}

export interface AllocationSummary {
  virtualSize: number;
  /** Bytes holding data, bytes reading as zeros (allocated or not), bytes not present at all. */
  data: number;
  zero: number;
  unallocated: number;
  extents: number;
  /** false when the format stores holes as plain data files qemu-img reads byte by byte (raw,
   *  flat VMDK extents): without SEEK_HOLE (wasm, a browser) every byte counts as data, so
   *  `data` is the file length, not the allocated size native `map` reports. */
  holesVisible?: false;
}

/** Summarises `qemu-img map --output=json` without keeping the extent list. */
export function summariseMap(stdout: string, virtualSize = 0): AllocationSummary | undefined {
  const list = parseJson<MapExtent[]>(stdout.trim());
  if (!Array.isArray(list)) return undefined;
  const s: AllocationSummary = { virtualSize, data: 0, zero: 0, unallocated: 0, extents: list.length };
  for (const e of list) {
    s.virtualSize = Math.max(s.virtualSize, e.start + e.length);
    if (e.data) s.data += e.length;
    else if (e.zero) s.zero += e.length;
    if (e.present === false) s.unallocated += e.length;
  }
  return s;
}
