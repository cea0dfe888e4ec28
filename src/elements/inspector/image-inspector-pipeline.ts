// The page's side of the one inspection pipeline (src/core/inspection-pipeline.ts): Blobs for
// sources, the qemu-img worker for runs, and card updates for each step. Loaded lazily by
// <image-inspector> on the first file; it owns one worker client, which conversions share.
import { blobSource } from '../../core/inspect/byte-source.ts';
import { summariseCheck, summariseMap } from '../../core/inspect/qemu-check.ts';
import { glanceDiskFormatFor } from '../../core/inspect/glance-formats.ts';
import { inspectImage } from '../../core/inspection-pipeline.ts';
import type { QemuImgClient } from '../../../workers/qemu-img/types.ts';
import { qemuInputs } from './image-inspector-groups.ts';
import { formatInsideGzip } from './image-inspector-gzip.ts';
import { cardSuggestions, type CardState, type InspectionPipeline } from './image-inspector-model.ts';
import type { InspectionResult } from '../../core/inspection.ts';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';

/** One qemu-img run of the guest reader reads one window of the guest disk. */
const GUEST_RUN_TIMEOUT_MS = 60_000;

/** The card's verdict, findings and suggestions from a result (after check/map, after the guest). */
function resultPatch(result: InspectionResult, contentDiskFormat: string | undefined): Partial<CardState> {
  return {
    safe: result.safety.safe,
    findings: result.safety.findings,
    // the core's summary knows whether holes were visible to qemu-img (not for raw data)
    ...(result.allocation ? { allocation: result.allocation } : {}),
    diskFormat: String(result.suggested['disk_format'] ?? contentDiskFormat ?? ''),
    suggestions: cardSuggestions(result),
  };
}

export function createPipeline(): InspectionPipeline {
  let client: Promise<QemuImgClient> | undefined;
  let disposed = false;
  const clientModule = () => import('../../../workers/qemu-img/client.ts');
  // Once disposed, an inspection still on its way to qemu-img must not start a worker nobody
  // would terminate.
  const getClient = () =>
    disposed ? Promise.reject(new Error('the inspection was stopped')) : (client ??= clientModule().then((m) => m.createQemuImgClient()));

  return {
    async inspect(group, opts, update) {
      let contentDiskFormat: string | undefined;
      const result = await inspectImage({
        file: group.name,
        source: blobSource(group.main, group.name),
        ...(opts.declaredFormat ? { declaredFormat: opts.declaredFormat } : {}),
        missingExtents: group.missing,
        ...(opts.signal ? { signal: opts.signal } : {}),
        async open(target) {
          const [qemu, { createGuestReader }] = await Promise.all([getClient(), clientModule()]);
          const inputs = qemuInputs(group, target.member);
          const image = ['-f', target.format, `/in/${inputs[0]!.name}`];
          const signal = opts.signal ? { signal: opts.signal } : {};
          return {
            image,
            run: (args, o) =>
              qemu.run({ args, inputs, timeoutMs: o.timeoutMs }, { timeoutMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}) }),
            guest: (size, isZero) =>
              createGuestReader({
                image,
                size,
                run: (args, output) =>
                  qemu.run(
                    { args, inputs, memoryOutputs: [output], timeoutMs: GUEST_RUN_TIMEOUT_MS },
                    { timeoutMs: GUEST_RUN_TIMEOUT_MS, ...signal },
                  ),
                ...(isZero ? { isZero } : {}),
              }),
          };
        },
        async onSafety(safety, target) {
          contentDiskFormat = glanceDiskFormatFor(safety.detected, safety.details) ?? undefined;
          update({
            phase: target ? 'info' : 'done',
            detectedFormat: safety.detected ?? undefined,
            diskFormat: contentDiskFormat,
            safe: safety.safe,
            findings: safety.findings,
            ovaDisks: (safety.details.ova?.disks ?? []).map(({ name, offset, size }) => ({ name, offset, size })),
            facts: safety.details,
          });
          if (safety.detected === 'gzip') {
            // Worth saying what is inside ("a gzip'd qcow2"): from the first decompressed MiB only.
            const inner = await formatInsideGzip(group.main).catch((e: unknown) => {
              const why = e instanceof Error ? e.message : String(e);
              update({ notes: [() => msg(str`What the gzip file holds could not be read: ${why}`)] });
              return null;
            });
            if (inner) update({ innerFormat: inner });
          }
        },
        onInfo: (info) => update({ phase: 'details', info }),
        onCheck: (run) => update({ check: summariseCheck(run) }),
        onMap: (run) => {
          if (run.exitCode === 0) update({ allocation: summariseMap(run.stdout) });
        },
        // The verdict with check and map shows now; the guest step reads on behind it.
        onVerdict: (verdict) => update({ ...resultPatch(verdict, contentDiskFormat), phase: 'guest', guestReading: true }),
      });
      update({
        ...resultPatch(result, contentDiskFormat),
        guest: result.guest ?? null,
        guestDetails: result.guestDetails ?? [],
        guestReading: false,
      });
      return result;
    },
    qemu: getClient,
    dispose() {
      disposed = true;
      void client?.then((c) => c.dispose());
      client = undefined;
    },
  };
}
