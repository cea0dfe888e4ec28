// The options of one conversion, per target (from the shared model in src/core/convert/), the
// reasons the chosen combination cannot run (before anything starts), and the exact qemu-img
// command line, copyable so a user can repeat it natively.
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import {
  QCOW2_COMPAT,
  QCOW2_COMPRESSION_TYPES,
  QCOW2_PREALLOCATION,
  RAW_PREALLOCATION,
  VHD_SUBFORMATS,
  VHDX_SUBFORMATS,
  VMDK_ADAPTER_TYPES,
  type ConvertOptions,
  type ConvertTarget,
} from '../../core/convert/options.ts';
import type { ConvertProblem } from '../../core/convert/problems.ts';
import { formatBytes } from './format-bytes.ts';

/** What the options view asks of the conversions (ConversionController). */
export interface OptionsActions {
  options(id: number): ConvertOptions;
  /** Applies a change to a copy of the card's options. */
  setOption(id: number, change: (o: ConvertOptions) => void): void;
}

/** VMDK layouts the page writes: single-file ones (the output folder holds one declared file). */
const PAGE_VMDK_SUBFORMATS = ['streamOptimized', 'monolithicSparse'] as const;
const KiB = 1024;
const MiB = 1024 * KiB;
const CLUSTER_SIZES = [4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB, 2 * MiB];
const VHDX_BLOCK_SIZES = [1 * MiB, 2 * MiB, 8 * MiB, 32 * MiB, 256 * MiB];
const HW_VERSIONS = ['4', '6', '7', '8', '10', '11', '13', '14', '19'];

export function problemText(p: ConvertProblem): string {
  const v = (k: string) => String(p.params[k] ?? '');
  switch (p.code) {
    case 'bad-value':
      return msg(str`qemu-img does not accept ${v('key')}=${v('value')} (expected ${v('expected')}).`);
    case 'compress-unsupported':
      return msg(str`qemu-img cannot compress ${v('format')} output (only qcow2 and VMDK).`);
    case 'compress-flat-vmdk':
      return msg(str`A flat VMDK (${v('subformat')}) stores no compressed grains: choose a sparse subformat or no compression.`);
    case 'compress-preallocation':
      return msg(str`Compression and preallocation (${v('preallocation')}) cannot be used together.`);
    case 'zstd-unavailable':
      return msg('This build of qemu-img has no zstd support: choose zlib compression.');
    case 'compat-lazy-refcounts':
      return msg('Lazy refcounts need qcow2 compat 1.1; compat 0.10 images cannot have them.');
    case 'compat-compression-type':
      return msg('zstd compression needs qcow2 compat 1.1; compat 0.10 images only know zlib.');
    case 'cluster-size':
      return msg(str`The qcow2 cluster size must be a power of two from 512 bytes to 2 MiB (not ${v('size')}).`);
    case 'block-size':
      return msg(str`The VHDX block size must be a power of two (1 MiB to 256 MiB), not ${v('size')}.`);
    case 'hwversion-compat6':
      return msg('compat6 and hwversion cannot both be set: hwversion already says the hardware version.');
  }
}

type Change = (o: ConvertOptions, value: string, checked: boolean) => void;

function select(
  id: number,
  a: OptionsActions,
  name: string,
  label: string,
  value: string,
  choices: ReadonlyArray<readonly [string, string]>,
  change: Change,
): TemplateResult {
  return html`<label class="convert-option">
    ${label}
    <select
      data-option=${name}
      @change=${(e: Event) => a.setOption(id, (o) => change(o, (e.target as HTMLSelectElement).value, false))}
    >
      ${choices.map(([v, text]) => html`<option value=${v} ?selected=${v === value}>${text}</option>`)}
    </select>
  </label>`;
}

function checkbox(id: number, a: OptionsActions, name: string, label: string, checked: boolean, change: Change): TemplateResult {
  return html`<label class="convert-option">
    <input
      type="checkbox"
      data-option=${name}
      .checked=${checked}
      @change=${(e: Event) => a.setOption(id, (o) => change(o, '', (e.target as HTMLInputElement).checked))}
    />
    ${label}
  </label>`;
}

const same = (xs: readonly string[]) => xs.map((x) => [x, x] as const);
const withDefault = (values: readonly string[], def: string) => [['', def] as const, ...same(values)];
const sizes = (values: readonly number[]) => values.map((n) => [String(n), formatBytes(n)] as const);

function targetOptions(id: number, t: ConvertTarget, o: ConvertOptions, a: OptionsActions): TemplateResult {
  const auto = msg('default');
  switch (t) {
    case 'qcow2':
      return html`${select(id, a, 'compat', msg('Compatibility'), o.qcow2.compat, same(QCOW2_COMPAT), (x, v) => {
        x.qcow2.compat = v as ConvertOptions['qcow2']['compat'];
      })}
      ${select(
        id,
        a,
        'cluster_size',
        msg('Cluster size'),
        String(o.qcow2.clusterSize ?? ''),
        [['', auto], ...sizes(CLUSTER_SIZES)],
        (x, v) => {
          x.qcow2.clusterSize = v ? Number(v) : undefined;
        },
      )}
      ${select(
        id,
        a,
        'preallocation',
        msg('Preallocation'),
        o.qcow2.preallocation ?? '',
        withDefault(QCOW2_PREALLOCATION, auto),
        (x, v) => {
          x.qcow2.preallocation = (v || undefined) as ConvertOptions['qcow2']['preallocation'];
        },
      )}
      ${checkbox(id, a, 'lazy_refcounts', msg('Lazy refcounts'), !!o.qcow2.lazyRefcounts, (x, _v, c) => {
        x.qcow2.lazyRefcounts = c || undefined;
      })}
      ${
        o.compress
          ? select(
              id,
              a,
              'compression_type',
              msg('Compression type'),
              o.qcow2.compressionType ?? '',
              withDefault(QCOW2_COMPRESSION_TYPES, auto),
              (x, v) => {
                x.qcow2.compressionType = (v || undefined) as ConvertOptions['qcow2']['compressionType'];
              },
            )
          : nothing
      }`;
    case 'raw':
      return select(
        id,
        a,
        'preallocation',
        msg('Preallocation'),
        o.raw.preallocation ?? '',
        withDefault(RAW_PREALLOCATION, auto),
        (x, v) => {
          x.raw.preallocation = (v || undefined) as ConvertOptions['raw']['preallocation'];
        },
      );
    case 'vmdk':
      return html`${select(id, a, 'subformat', msg('Layout'), o.vmdk.subformat, same(PAGE_VMDK_SUBFORMATS), (x, v) => {
        x.vmdk.subformat = v as ConvertOptions['vmdk']['subformat'];
      })}
      ${select(id, a, 'adapter_type', msg('Adapter type'), o.vmdk.adapterType ?? '', withDefault(VMDK_ADAPTER_TYPES, auto), (x, v) => {
        x.vmdk.adapterType = (v || undefined) as ConvertOptions['vmdk']['adapterType'];
      })}
      ${select(id, a, 'hwversion', msg('Hardware version'), o.vmdk.hwversion ?? '', withDefault(HW_VERSIONS, auto), (x, v) => {
        x.vmdk.hwversion = v || undefined;
      })}`;
    case 'vhd':
      return html`${select(id, a, 'subformat', msg('Layout'), o.vhd.subformat, same(VHD_SUBFORMATS), (x, v) => {
        x.vhd.subformat = v as ConvertOptions['vhd']['subformat'];
      })}
      ${checkbox(id, a, 'force_size', msg('Exact virtual size (force_size: Azure, Hyper-V)'), !!o.vhd.forceSize, (x, _v, c) => {
        x.vhd.forceSize = c || undefined;
      })}`;
    case 'vhdx':
      return html`${select(id, a, 'subformat', msg('Layout'), o.vhdx.subformat, same(VHDX_SUBFORMATS), (x, v) => {
        x.vhdx.subformat = v as ConvertOptions['vhdx']['subformat'];
      })}
      ${select(id, a, 'block_size', msg('Block size'), String(o.vhdx.blockSize ?? ''), [['', auto], ...sizes(VHDX_BLOCK_SIZES)], (x, v) => {
        x.vhdx.blockSize = v ? Number(v) : undefined;
      })}`;
    case 'vdi':
      return checkbox(id, a, 'static', msg('Fully allocated (static)'), !!o.vdi.static, (x, _v, c) => {
        x.vdi.static = c || undefined;
      });
  }
}

async function copy(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.dataset['copied'] = 'true';
  } catch {
    // No clipboard permission (an embedding frame, an old browser): select the text instead.
    const code = button.parentElement?.querySelector('code');
    if (code) getSelection()?.selectAllChildren(code);
  }
}

export function renderOptions(
  id: number,
  target: ConvertTarget,
  a: OptionsActions,
  problems: ConvertProblem[],
  commandLine: string | undefined,
): TemplateResult {
  const o = a.options(id);
  return html`<details class="convert-options" part="convert-options">
      <summary>${msg('Options')}</summary>
      ${checkbox(id, a, 'zero_detection', msg('Keep zeros as holes (-S)'), o.zeroDetection, (x, _v, c) => {
        x.zeroDetection = c;
      })}
      ${
        // qemu-img's VMDK driver compresses streamOptimized always and monolithicSparse never: -c
        // would change nothing there, so the box is qcow2's alone
        target === 'qcow2'
          ? checkbox(id, a, 'compress', msg('Compress (-c)'), o.compress, (x, _v, c) => {
              x.compress = c;
            })
          : target === 'vmdk'
            ? html`<p class="muted" data-role="vmdk-compression">
                ${
                  o.vmdk.subformat === 'monolithicSparse'
                    ? msg('A monolithicSparse VMDK is written uncompressed (qemu-img compresses only streamOptimized).')
                    : msg('A streamOptimized VMDK is always compressed.')
                }
              </p>`
            : nothing
      }
      ${targetOptions(id, target, o, a)}
    </details>
    ${
      problems.length
        ? html`<ul class="convert-problems" role="alert">
            ${problems.map((p) => html`<li data-code=${p.code}>${problemText(p)}</li>`)}
          </ul>`
        : nothing
    }
    ${
      commandLine
        ? html`<p class="convert-command">
            <code part="convert-command">${commandLine}</code>
            <button
              class="secondary convert-copy"
              type="button"
              @click=${(e: Event) => void copy(commandLine, e.currentTarget as HTMLButtonElement)}
            >
              ${msg('Copy')}
            </button>
          </p>`
        : nothing
    }`;
}
