// `image-inspector convert` argument parsing: the contract of issue 9, kept exactly.
import {
  CONVERT_FORMATS,
  defaultConvertOptions,
  isConvertFormat,
  type ConvertOptions,
  type ConvertTarget,
} from '../core/convert/options.ts';
import { applyQemuOptions, parseQemuOptions } from '../core/convert/command.ts';
import type { ConvertProblem } from '../core/convert/problems.ts';

export const usage = `usage: image-inspector convert IN OUT --to FORMAT [-o OPTIONS] [--compress] [--no-verify] [--json] [--force]

Converts IN to OUT with the WebAssembly qemu-img. The source format comes from inspecting IN
(never probed); an image the inspection calls unsafe is refused unless --force. Progress goes
to stderr; the result is compared with the source afterwards (qemu-img compare, reading only
the ranges that hold data) and inspected.

  --to FORMAT   qcow2, raw, vmdk, vhd, vhdx or vdi (vhd is qemu-img's vpc)
  -o OPTIONS    qemu-img's -o for the target, e.g. compat=0.10, subformat=fixed,
                cluster_size=2M, adapter_type=lsilogic (may be given more than once)
  --compress    compressed output (qemu-img -c; qcow2 and sparse VMDK subformats)
  --no-verify   skip the comparison (then "verified" is false and the exit status 0)
  --json        print one JSON object: source, output, command, verified, inspection
  --force       convert even when the inspection calls the source unsafe
  -h, --help    this help

exit status: 0 the output exists and is verified identical to the source (or --no-verify);
             1 the source is unsafe (see its findings) and --force was not given;
             2 anything else went wrong (bad arguments, refused options, qemu-img failed,
               the output differs, interrupted); no partial output is left behind.
`;

export interface ConvertArgs {
  input: string;
  output: string;
  target: ConvertTarget;
  options: ConvertOptions;
  verify: boolean;
  json: boolean;
  force: boolean;
}

export type ParsedConvertArgs =
  | { ok: true; args: ConvertArgs }
  /** `-o help` (or `-o ?`): qemu-img lists the target's options, as natively, and nothing is converted. */
  | { ok: true; optionHelp: { input: string; output: string; target: ConvertTarget } }
  | { ok: false; help?: boolean; message: string; problems?: ConvertProblem[] };

export function parseConvertArgs(argv: string[]): ParsedConvertArgs {
  const files: string[] = [];
  const oStrings: string[] = [];
  let to: string | undefined;
  let compress = false;
  let verify = true;
  let json = false;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (a === '-h' || a === '--help') return { ok: false, help: true, message: usage };
    else if (a === '--to') {
      to = value();
      if (to === undefined) return { ok: false, message: `${a} needs a value` };
    } else if (a.startsWith('--to=')) to = a.slice(5);
    else if (a === '-o') {
      const v = value();
      if (v === undefined) return { ok: false, message: '-o needs a value' };
      oStrings.push(v);
    } else if (a === '--compress') compress = true;
    else if (a === '--no-verify') verify = false;
    else if (a === '--json') json = true;
    else if (a === '--force') force = true;
    else if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') return { ok: false, message: `unknown option ${a}` };
    else files.push(a);
  }
  if (files.length !== 2)
    return { ok: false, message: files.length < 2 ? 'IN and OUT are needed' : `one IN and one OUT (got ${files.join(' ')})` };
  if (to === undefined) return { ok: false, message: '--to FORMAT is needed' };
  if (!isConvertFormat(to)) return { ok: false, message: `--to ${to}: not a format this tool converts to (${CONVERT_FORMATS.join(', ')})` };
  if (oStrings.some((o) => o.split(',').some((k) => k === 'help' || k === '?')))
    return { ok: true, optionHelp: { input: files[0]!, output: files[1]!, target: to } };
  const base = defaultConvertOptions();
  base.compress = compress;
  const { options, problems } = applyQemuOptions(to, base, oStrings.flatMap(parseQemuOptions));
  if (problems.length) return { ok: false, message: problems.map((p) => p.message).join('\n'), problems };
  return { ok: true, args: { input: files[0]!, output: files[1]!, target: to, options, verify, json, force } };
}
