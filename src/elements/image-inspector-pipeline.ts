// One image, start to verdict: the pure-TS safety core first (bounded reads, so the verdict shows
// at once), then qemu-img in its worker with an explicit -f (never probing): `info`, then `check`
// and `map`. Loaded lazily by <image-inspector> on the first file; it owns one worker client.
import { blobSource } from '../core/inspect/byte-source.ts';
import { inspectSafety } from '../core/inspect/safety.ts';
import { summariseCheck, summariseMap } from '../core/inspect/qemu-check.ts';
import { glanceDiskFormatFor, qemuDriverFor } from '../core/inspect/glance-formats.ts';
import type { QemuAccess, SafetyReport } from '../core/inspect/types.ts';
import { buildInspection, type InspectionResult } from '../core/inspection.ts';
import type { BlobInput, QemuImgClient, RunResult } from '../../workers/qemu-img/types.ts';
import type { ImageGroup } from './image-inspector-groups.ts';
import { formatInsideGzip } from './image-inspector-gzip.ts';
import type { CardState, InspectionPipeline, QemuImgInfo } from './image-inspector-model.ts';

/** Hostile input must never hang the page: every qemu-img run has a deadline. */
const INFO_TIMEOUT_MS = 30_000;
const DETAIL_TIMEOUT_MS = 120_000;

export { mountName } from './image-inspector-groups.ts';
import { mountName } from './image-inspector-groups.ts';

interface QemuTarget {
  format: string;
  /** 'info-only': check and map would follow a backing file, so only info runs. */
  access: Exclude<QemuAccess, 'none'>;
  main: BlobInput;
  inputs: BlobInput[];
}

function qemuFailure(what: string, r: RunResult): Error {
  const why = r.failure === 'crashed' ? 'crashed' : r.failure === 'timeout' ? 'timed out' : r.failure === 'aborted' ? 'was stopped' : `failed (exit ${r.exitCode})`;
  const detail = r.stderr.trim().split('\n').slice(-2).join(' ');
  return new Error(`qemu-img ${what} ${why}${detail ? `: ${detail}` : ''}`);
}

/** Decides what qemu-img opens, or returns why it does not. */
function qemuTarget(group: ImageGroup, safety: SafetyReport): QemuTarget | { skipped?: string } {
  if (group.missing.length) return { skipped: `extent files are missing (${group.missing.join(', ')})` };
  const ova = safety.details.ova;
  if (ova) {
    const disk = ova.disks[0];
    if (!disk?.safety) return {};
    const format = qemuDriverFor(disk.safety.detected);
    const access = disk.safety.qemuAccess;
    if (!format || access === 'none') return {};
    // A slice of the tar is a Blob: qemu-img reads the disk in place, nothing is copied.
    const main = { name: mountName(disk.name), blob: group.main.slice(disk.offset, disk.offset + disk.size) };
    return { format, access, main, inputs: [main] };
  }
  // qemu-img runs sandboxed (it sees only the chosen files), but still never on structures the
  // safety core calls hostile, and always with an explicit -f.
  const format = qemuDriverFor(safety.detected);
  const access = safety.qemuAccess;
  if (!format || access === 'none') return {};
  const main = { name: mountName(group.main.name), blob: group.main as Blob };
  const inputs = [main];
  for (const [name, file] of group.extents) inputs.push({ name: mountName(name), blob: file });
  return { format, access, main, inputs };
}


export function createPipeline(): InspectionPipeline {
  let client: Promise<QemuImgClient> | undefined;
  const getClient = () =>
    (client ??= import('../../workers/qemu-img/client.ts').then((m) => m.createQemuImgClient()));

  return {
    async inspect(group, opts, update) {
      const patch = (p: Partial<CardState>) => update(p);
      const safety = await inspectSafety(blobSource(group.main, group.name), { declaredFormat: opts.declaredFormat });
      const target = qemuTarget(group, safety);
      const runs = 'main' in target;
      patch({
        phase: runs ? 'info' : 'done',
        detectedFormat: safety.detected ?? undefined,
        diskFormat: glanceDiskFormatFor(safety.detected, safety.details) ?? undefined,
        safe: safety.safe,
        findings: safety.findings,
        ovaDisks: (safety.details.ova?.disks ?? []).map(({ name, offset, size }) => ({ name, offset, size })),
        facts: safety.details,
      });

      if (safety.detected === 'gzip') {
        // Worth saying what is inside ("a gzip'd qcow2"): from the first decompressed MiB only.
        const inner = await formatInsideGzip(group.main).catch((e: unknown) => {
          patch({ notes: [`gzip: ${e instanceof Error ? e.message : String(e)}`] });
          return null;
        });
        if (inner) patch({ innerFormat: inner });
      }

      let info: QemuImgInfo | null = null;
      let checkRun: RunResult | null = null;
      let mapRun: RunResult | null = null;
      if (runs) {
        const qemu = await getClient();
        const path = `/in/${target.main.name}`;
        const run = (args: string[], timeoutMs: number) =>
          qemu.run({ args, inputs: target.inputs, timeoutMs }, { signal: opts.signal, timeoutMs });
        const infoRun = await run(['info', '--output=json', '-f', target.format, path], INFO_TIMEOUT_MS);
        if (infoRun.exitCode !== 0) throw qemuFailure('info', infoRun);
        info = JSON.parse(infoRun.stdout) as QemuImgInfo;
        patch({ phase: 'details', info });
        if (target.access === 'full') {
          checkRun = await run(['check', '--output=json', '-f', target.format, path], DETAIL_TIMEOUT_MS);
          patch({ check: summariseCheck(checkRun) });
          mapRun = await run(['map', '--output=json', '-f', target.format, path], DETAIL_TIMEOUT_MS);
          if (mapRun.exitCode === 0) patch({ allocation: summariseMap(mapRun.stdout) });
        }
      }

      const result: InspectionResult = buildInspection({
        file: group.name,
        safety,
        info,
        check: checkRun,
        map: mapRun,
        ...('skipped' in target && target.skipped ? { qemuSkipped: target.skipped } : {}),
      });
      patch({
        safe: result.safety.safe,
        findings: result.safety.findings,
        diskFormat: String(result.suggested['disk_format'] ?? glanceDiskFormatFor(safety.detected, safety.details) ?? ''),
        suggestions: Object.entries(result.suggested).map(([property, value]) => ({
          property,
          value,
          source: result.suggestedFrom[property],
        })),
      });
      return result;
    },
    qemu: getClient,
    dispose() {
      void client?.then((c) => c.dispose());
      client = undefined;
    },
  };
}
