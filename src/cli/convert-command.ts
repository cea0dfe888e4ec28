// `image-inspector convert IN OUT --to FORMAT …` (issue 9's contract): inspect IN with the shared
// pipeline (its format is never probed; unsafe → exit 1 unless --force), check the options as
// qemu-img would, run the wasm qemu-img convert on the host files in a worker thread (SIGINT,
// SIGTERM and SIGHUP stop it at once), verify with the runner's compare, inspect the result as
// `inspect` does, then publish it at OUT (convert-output.ts: a staged file renamed onto OUT, so
// even a SIGKILL leaves no partial OUT). Exit 0 only with a verified output (or --no-verify), 2 on
// any error; a failed run leaves nothing behind and a pre-existing OUT as it was.
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { checkConvertOptions } from '../core/convert/check.ts';
import { convertArgs, formatCommandLine, type ConvertSource } from '../core/convert/command.ts';
import { qemuDriverOf, recordsHoles, type ConvertTarget, type EngineFeatures } from '../core/convert/options.ts';
import { DEFAULT_TARGET, planConversion } from '../core/convert/plan.ts';
import { printable } from '../core/inspect/findings.ts';
import { qemuDriverFor } from '../core/inspect/glance-formats.ts';
import type { InspectionResult } from '../core/inspection.ts';
import type { QemuTarget } from '../core/inspection-pipeline.ts';
import { CompareError, sideOpts, type CompareOutcome, type CompareSide } from '../../workers/qemu-img/compare-request.ts';
import { blockDeviceSize } from '../../workers/qemu-img/host-devices.ts';
import type { NodeRunOptions, RunResult } from '../../workers/qemu-img/node.ts';
import { parseConvertArgs, usage, type ConvertArgs } from './convert-args.ts';
import { planOutput, statIfAny, type OutputPlan } from './convert-output.ts';
import { ConvertProgress } from './convert-progress.ts';
import { guestRunner, INSPECT_DEFAULTS, inspectAsCommand, inspectFile } from './inspect-command.ts';

export interface ConvertIo {
  out?: (s: string) => void;
  err?: (s: string) => void;
}

/** A failure with its one-sentence message (exit 2). */
class ConvertFailure extends Error {}

type QemuModule = typeof import('../../workers/qemu-img/node.ts');

/** Multi-file VMDK outputs keep data in extent files: the written ranges of OUT do not describe it. */
const singleFile = (a: ConvertArgs) => a.target !== 'vmdk' || !/Flat|twoGb/.test(a.options.vmdk.subformat);

/** qemu resolves a relative backing file against the image's own directory, at creation (it opens
 *  it to check it) and ever after: a staged OUT would look for it in the staging directory. */
const relativeBacking = (a: ConvertArgs) => a.options.extra.some(([k, v]) => k === 'backing_file' && v !== '' && !v.startsWith('/'));

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Whether two paths name the same file (a symlink or hard link to it, another name of the same
 *  block device): writing one would destroy the other. */
function sameFile(a: string, b: string): boolean {
  const x = statIfAny(a);
  const y = statIfAny(b);
  if (!x || !y) return false;
  if (x.isBlockDevice() && y.isBlockDevice()) return x.rdev === y.rdev;
  return x.dev === y.dev && x.ino === y.ino;
}

/** The files besides IN that qemu-img reads for it (a VMDK's extents, by qemu-img info's names). */
function extentFiles(r: InspectionResult, input: string): string[] {
  const extents = r.info?.['format-specific']?.data?.extents;
  if (!Array.isArray(extents)) return [];
  return extents
    .map((e) => (e as { filename?: unknown }).filename)
    .filter((f): f is string => typeof f === 'string')
    .map((f) => resolve(dirname(resolve(input)), f));
}

/** OUT's size in bytes: a block device's from sysfs (stat says 0). */
function sizeOf(path: string): number {
  const st = statSync(path);
  return st.isBlockDevice() ? blockDeviceSize(st.rdev) : st.size;
}

/** qemu's protocol driver for a host path: block devices need host_device. */
const protocolOf = (path: string) => (statIfAny(path)?.isBlockDevice() ? 'host_device' : 'file');

function memberFileOpts(path: string, m: NonNullable<QemuTarget['member']>): string {
  return `driver=raw,offset=${m.offset},size=${m.size},file.driver=${protocolOf(path)},file.filename=${path.replaceAll(',', ',,')}`;
}

async function engineFeatures(qemu: QemuModule, a: ConvertArgs): Promise<EngineFeatures> {
  if (a.target !== 'qcow2' || a.options.qcow2.compressionType !== 'zstd') return { zstd: false };
  const dir = await mkdtemp(join(tmpdir(), 'ii-probe-'));
  try {
    const { probeEngineFeatures } = await import('../../workers/qemu-img/features.ts');
    return await probeEngineFeatures((args) => qemu.runQemuImg(args, { timeoutMs: 30_000 }), join(dir, 'probe.qcow2'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function findingLines(r: InspectionResult, header: string): string {
  const lines = [header];
  for (const f of r.safety.findings.filter((x) => x.severity !== 'info')) lines.push(`  ${f.severity} ${f.code}: ${f.message}`);
  return `${lines.map(printable).join('\n')}\n`;
}

const refusal = (r: InspectionResult) =>
  findingLines(r, `${r.file}: the inspection calls this image NOT SAFE, so it is not converted (--force converts it anyway):`);

interface Converted {
  source: { file: string; format: string; virtualSize: number | null };
  output: { file: string; format: ConvertTarget; size: number; virtualSize: number | null };
  command: string[];
  verified: boolean;
  inspection: InspectionResult;
}

function human(c: Converted, outcome: CompareOutcome | undefined): string {
  const lines = [
    `converted ${c.source.file} (${c.source.format}) to ${c.output.file} (${c.output.format}, ${c.output.size} bytes)`,
    `  command: ${formatCommandLine(['qemu-img', ...c.command])}`,
    outcome
      ? `  verified: ${outcome.message} (${outcome.method === 'ranges' ? `${outcome.runs} data ranges compared` : 'whole images compared'})`
      : '  verified: no (--no-verify)',
    `  output verdict: ${c.inspection.safety.safe ? 'SAFE to upload as-is' : 'NOT SAFE to upload as-is'}`,
  ];
  return `${lines.map(printable).join('\n')}\n`;
}

export async function run(argv: string[], io: ConvertIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const parsed = parseConvertArgs(argv);
  if (!parsed.ok) {
    if (parsed.help) {
      out(usage);
      return 0;
    }
    // One sentence (the contract's exit 2); the usage is one --help away rather than a screenful.
    err(`image-inspector convert: ${parsed.message}${parsed.problems ? '' : ' (see image-inspector convert --help)'}\n`);
    return 2;
  }
  if ('optionHelp' in parsed) {
    // what native prints for `convert -O FMT -o help IN OUT`, before it opens either file
    const h = parsed.optionHelp;
    const qemu = await import('../../workers/qemu-img/node.ts');
    try {
      const r = await qemu.runQemuImg(['convert', '-O', qemuDriverOf(h.target), '-o', 'help', h.input, h.output]);
      out(r.stdout);
      if (r.stderr) err(r.stderr);
      return r.exitCode === 0 ? 0 : 2;
    } finally {
      await qemu.shutdownQemuImg();
    }
  }
  const a = parsed.args;
  if (resolve(a.input) === resolve(a.output) || sameFile(a.input, a.output)) {
    err('image-inspector convert: OUT must not be IN, nor a link to it (qemu-img would overwrite the source while reading it)\n');
    return 2;
  }

  const qemu = await import('../../workers/qemu-img/node.ts');
  // The verification runs two compares at once (compare-split.ts): their threads start now, beside
  // the inspection and the conversion, rather than after them.
  if (a.verify) qemu.prewarmQemuImg(2);
  const controller = new AbortController();
  let interrupted: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    controller.abort();
  };
  // SIGHUP too: a closed terminal or ssh session ends the run as cleanly as Ctrl-C.
  for (const sig of SIGNALS) process.once(sig, onSignal);
  const runQ = (args: string[], o: NodeRunOptions = {}): Promise<RunResult> => qemu.runQemuImg(args, { ...o, signal: controller.signal });
  const stopped = () => {
    if (interrupted) throw new ConvertFailure(`interrupted by ${interrupted}`);
  };
  // What this run writes, until it is published at OUT. The 'exit' listener covers a process.exit
  // from elsewhere mid-run (an uncaught error on stdout or stderr other than EPIPE, main.ts).
  let pending: OutputPlan | undefined;
  const discardOnExit = () => pending?.discard();
  process.on('exit', discardOnExit);
  const progress = new ConvertProgress(err);
  try {
    let target: QemuTarget | undefined;
    const src = await inspectFile(a.input, undefined, runQ, (t) => (target = t)).catch((e: unknown) => {
      stopped();
      throw new ConvertFailure(`${a.input}: ${e instanceof Error ? e.message : String(e)}`);
    });
    stopped();
    if (!src.safety.safe && !a.force) {
      err(refusal(src));
      return 1;
    }
    const readAlso = extentFiles(src, a.input).find((f) => sameFile(f, a.output));
    if (readAlso) throw new ConvertFailure(`OUT must not be ${readAlso}, a file IN reads (qemu-img would overwrite it while reading it)`);
    const decision = planConversion(src, DEFAULT_TARGET, 'source');
    // --force on the command line: qemu-img reads what the host has (a parent beside the image is merged, as natively)
    if (!decision.ok && !(a.force && (decision.code === 'not-opened' || decision.code === 'needs-parent'))) {
      // --force skipped the refusal that lists the findings, which the reason points to ("Fix the findings above first")
      if (a.force && !src.safety.safe) err(findingLines(src, `${src.file}: the inspection's findings:`));
      throw new ConvertFailure(`${a.input}: ${decision.reason}`);
    }
    const format = src.info?.format ?? target?.format ?? qemuDriverFor(src.detected as Parameters<typeof qemuDriverFor>[0]);
    if (!format) throw new ConvertFailure(`${a.input}: the inspection could not tell the image's format, so it is not converted`);

    const problems = checkConvertOptions(a.target, a.options, await engineFeatures(qemu, a));
    if (problems.length) throw new ConvertFailure(problems.map((p) => p.message).join('\n'));

    const member = target?.member;
    const inPath = resolve(a.input);
    const sourceSide: CompareSide = member
      ? { path: a.input, format, fileOpts: memberFileOpts(inPath, member) }
      : { path: inPath, format, protocol: protocolOf(inPath) };
    // A disk inside an OVA is read in place, through a raw window over the archive.
    const source: ConvertSource = member ? { path: a.input, format, imageOpts: sideOpts(sourceSide) } : { path: a.input, format };
    // The command shown (and in --json) is the one to run natively; the run writes the staged path.
    const command = convertArgs(source, { path: a.output }, a.target, a.options);
    err(`image-inspector convert: ${formatCommandLine(['qemu-img', ...command])}\n`);
    const output = (pending = planOutput(a.output, singleFile(a) && !relativeBacking(a)));
    const written = resolve(output.writePath);
    const r = await runQ(convertArgs(source, { path: output.writePath }, a.target, a.options), {
      onProgress: (p) => progress.update('converting', p.percent ?? 0),
    });
    progress.end();
    stopped();
    // qemu-img names the staged path: the message names OUT, as the command shown does.
    const why = r.stderr.trim().replaceAll(written, a.output).replaceAll(output.writePath, a.output);
    if (r.exitCode !== 0) throw new ConvertFailure(`qemu-img convert failed (exit ${r.exitCode}): ${why}`);

    let outcome: CompareOutcome | undefined;
    if (a.verify) {
      outcome = await qemu.compareOnHost(
        {
          source: sourceSide,
          output: { path: written, format: qemuDriverOf(a.target), protocol: protocolOf(written) },
          ...(singleFile(a) && r.written?.[written] ? { outputExtents: r.written[written] } : {}),
          outputRecordsHoles: recordsHoles(a.target, a.options),
          onProgress: (p) => progress.update('verifying', p.percent),
        },
        { signal: controller.signal },
      );
      progress.end();
      stopped();
      if (!outcome.identical) throw new ConvertFailure(`verification failed: the output differs from the source (${outcome.message})`);
    }
    const guestRun = guestRunner(qemu, controller.signal);
    const inspection = await inspectAsCommand(output.writePath, INSPECT_DEFAULTS, runQ, guestRun, a.output);
    stopped();
    const converted: Converted = {
      source: { file: a.input, format, virtualSize: src.virtualSize },
      output: { file: a.output, format: a.target, size: sizeOf(written), virtualSize: inspection.virtualSize },
      command,
      verified: outcome?.identical ?? false,
      inspection,
    };
    output.commit();
    pending = undefined;
    out(a.json ? `${JSON.stringify(converted, null, 2)}\n` : human(converted, outcome));
    return 0;
  } catch (e) {
    progress.end();
    const left = pending?.discard();
    pending = undefined;
    // A stop asked for by a signal is what happened, whatever the stopped run then reported.
    const message = interrupted
      ? `interrupted by ${interrupted}`
      : e instanceof ConvertFailure
        ? e.message
        : e instanceof CompareError
          ? `verification could not run: ${e.message}`
          : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    err(`image-inspector convert: ${message}${left ? `; ${left}` : ''}\n`);
    return 2;
  } finally {
    for (const sig of SIGNALS) process.off(sig, onSignal);
    process.off('exit', discardOnExit);
    await qemu.shutdownQemuImg();
  }
}
