// One image, start to verdict — the only copy of it: the page (<image-inspector>) and the CLI
// (`inspect`) both call inspectImage(), so the `image-inspected` detail is the `inspect --json`
// object. The safety core reads the image first (bounded reads, so the verdict is known before
// qemu-img runs), then qemu-img — injected, since the page runs it in a worker on Blobs and the
// CLI in a thread on host paths — runs `info`, then `check` and `map`, always with an explicit
// format and never on structures the safety core calls hostile.
import type { ByteSource } from './inspect/byte-source.ts';
import { qemuDriverFor } from './inspect/glance-formats.ts';
import { stderrTail, type QemuRun } from './inspect/qemu-check.ts';
import { inspectSafety } from './inspect/safety.ts';
import type { SafetyReport } from './inspect/types.ts';
import { buildInspection, type InspectionResult, type QemuImgInfo } from './inspection.ts';
import type { GuestJson } from './guest/contract.ts';
import { mergeGuest, readGuestStep, type GuestStepOptions, type OpenGuestBlocks } from './guest/guest-step.ts';

/** Hostile input must never hang the page or the CLI: every qemu-img run has a deadline. `check`
 *  and `map` walk every table of the image, so they get longer than `info`. */
export const QEMU_TIMEOUTS_MS = { info: 60_000, check: 300_000, map: 300_000 } as const;

/** Runs one qemu-img command (arguments without "qemu-img"); resolves in every case qemu-img ends. */
export type QemuRunner = (args: string[], opts: { timeoutMs: number; signal?: AbortSignal }) => Promise<QemuRun>;

/** What qemu-img opens: the file itself, or a disk stored in place inside an OVA. */
export interface QemuTarget {
  /** qemu-img driver, always given with -f (never probed). */
  format: string;
  /** 'info-only': check and map would follow a backing file, so only info runs. */
  access: 'full' | 'info-only';
  /** For a disk inside an archive: its member name and byte range in the file. */
  member?: { name: string; offset: number; size: number };
}

/** How the caller points qemu-img at a target: the arguments that name the image (`-f FMT PATH`
 *  or `--image-opts …`) and the runner that can see it. */
export interface QemuOpening {
  image: string[];
  run: QemuRunner;
  /** Guest block access through qemu-img (workers/qemu-img/guest-reader.ts) for the guest step;
   *  without it only raw images have their guest read. */
  guest?: OpenGuestBlocks;
}

export interface InspectImageInput {
  /** Display name (what the user chose); the result's `file`. */
  file: string;
  source: ByteSource;
  /** The disk_format the user means to declare; a different content format is a finding. */
  declaredFormat?: string;
  /** Files of a multi-file image that were not given: qemu-img is not run then. */
  missingExtents?: readonly string[];
  open(target: QemuTarget): QemuOpening | Promise<QemuOpening>;
  signal?: AbortSignal;
  /** Progress for a UI, each step as soon as it is known. */
  onSafety?(safety: SafetyReport, target: QemuTarget | null): void | Promise<void>;
  onInfo?(info: QemuImgInfo): void;
  onCheck?(run: QemuRun): void;
  onMap?(run: QemuRun): void;
  /** The guest step (issue 10): false skips it (`--no-guest`); default on with DEFAULT_BUDGET. */
  guest?: false | GuestStepOptions;
  /** The verdict and qemu-img's facts, before the guest step runs (which never delays them). */
  onVerdict?(result: InspectionResult): void | Promise<void>;
  onGuest?(guest: GuestJson | null, result: InspectionResult): void;
}

/** Decides what qemu-img opens, or says why it does not open anything. */
export function qemuTarget(safety: SafetyReport, missingExtents: readonly string[] = []): QemuTarget | { skipped?: string } {
  if (missingExtents.length) return { skipped: `extent files are missing (${missingExtents.join(', ')})` };
  const ova = safety.details.ova;
  if (ova) {
    const disk = ova.disks[0];
    const format = qemuDriverFor(disk?.safety?.detected ?? null);
    const access = disk?.safety?.qemuAccess;
    if (!disk || !format || !access || access === 'none') return {};
    return { format, access, member: { name: disk.name, offset: disk.offset, size: disk.size } };
  }
  const format = qemuDriverFor(safety.detected);
  if (!format || safety.qemuAccess === 'none') return {};
  return { format, access: safety.qemuAccess };
}

function aborted(signal: AbortSignal | undefined, run: QemuRun): void {
  // A stop asked for by the caller says nothing about the image: no result, not a finding.
  if (run.failure === 'aborted' || signal?.aborted) throw new Error('the inspection was stopped');
}

export async function inspectImage(input: InspectImageInput): Promise<InspectionResult> {
  const safety = await inspectSafety(input.source, input.declaredFormat ? { declaredFormat: input.declaredFormat } : {});
  const target = qemuTarget(safety, input.missingExtents);
  const runs = 'format' in target;
  await input.onSafety?.(safety, runs ? target : null);
  let info: QemuImgInfo | null = null;
  let check: QemuRun | null = null;
  let map: QemuRun | null = null;
  let infoFailure: { format: string; reason: string } | undefined;
  let opening: QemuOpening | undefined;
  if (runs) {
    opening = await input.open(target);
    const { image, run } = opening;
    const qemu = async (command: keyof typeof QEMU_TIMEOUTS_MS) => {
      const r = await run([command, '--output=json', ...image], { timeoutMs: QEMU_TIMEOUTS_MS[command], signal: input.signal });
      aborted(input.signal, r);
      return r;
    };
    const infoRun = await qemu('info');
    if (infoRun.exitCode === 0) {
      info = JSON.parse(infoRun.stdout) as QemuImgInfo;
      input.onInfo?.(info);
      if (target.access === 'full') {
        check = await qemu('check');
        input.onCheck?.(check);
        map = await qemu('map');
        input.onMap?.(map);
      }
    } else {
      // One rule for both front ends: an image qemu-img cannot read is a result with an error
      // finding (not safe to upload), not a failed inspection.
      const reason = [infoRun.failure ? `qemu-img ${infoRun.failure}` : `exit ${infoRun.exitCode}`, stderrTail(infoRun)]
        .filter(Boolean)
        .join(': ');
      infoFailure = { format: target.format, reason };
    }
  }
  const result = buildInspection({
    file: input.file,
    safety,
    info,
    check,
    map,
    ...(infoFailure ? { infoFailure } : {}),
    ...('skipped' in target && target.skipped ? { qemuSkipped: target.skipped } : {}),
  });
  if (input.guest === false) return result;
  await input.onVerdict?.(result);
  // Only what qemu-img opened in full (no backing file to follow, not hostile) is looked into.
  const opened = 'format' in target && target.access === 'full' ? info : null;
  const step =
    opened && 'format' in target
      ? await readGuestStep({
          source: input.source,
          format: target.format,
          ...(target.member ? { member: target.member } : {}),
          virtualSize: opened['virtual-size'] ?? null,
          map,
          ...(opening?.guest ? { open: opening.guest } : {}),
          ...(input.guest ? { options: input.guest } : {}),
        })
      : { guest: null, result: null, stats: null };
  if (input.signal?.aborted) throw new Error('the inspection was stopped');
  mergeGuest(result, step);
  input.onGuest?.(result.guest ?? null, result);
  return result;
}
