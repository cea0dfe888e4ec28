// One card's conversion from the moment it starts: its own qemu-img worker, the phase figures,
// the run into OPFS or into the file the user chose, and how its end shows on the card. The
// ConversionController keeps what outlives a run (choices, outputs) and decides what comes next.
import type { BlobInput, RunProgress } from '../../../workers/qemu-img/types.ts';
import type { PageConversion } from './conversion-request.ts';
import type { ConvertState } from './image-inspector-model.ts';
import { PhaseMeters } from './conversion-progress.ts';

const loadConvert = () => import('./image-inspector-convert.ts');
const loadToFile = () => import('./convert-to-file.ts');
const newWorkerClient = () => import('../../../workers/qemu-img/client.ts').then((m) => m.createQemuImgClient());

export interface CardRun {
  plan: PageConversion;
  inputs: BlobInput[];
  virtualSize: number;
  /** Bytes of data in the source, from its inspection's `qemu-img map`, when known. */
  dataBytes?: number;
  /** The file the user chose ("Convert to a file…"); without it the output goes into OPFS. */
  handle?: FileSystemFileHandle;
  signal: AbortSignal;
  /** Where an OPFS output goes: a fresh folder per conversion. */
  opfsSeq: () => number;
  /** Merges into the card's convert state. */
  patch(p: Partial<ConvertState>): void;
}

/** The finished output; undefined when the run failed or was cancelled (the card says which). */
export interface CardOutput {
  file: File;
  /** Empty when the output is in a file the user chose. */
  opfsPath: string;
}

export async function runCardConversion(r: CardRun): Promise<CardOutput | undefined> {
  const [conv, client, toFile] = await Promise.all([loadConvert(), newWorkerClient(), r.handle ? loadToFile() : undefined]);
  const meters = new PhaseMeters();
  const { signal } = r;
  // A failure while verifying leaves a different file behind than one while converting.
  let verifying = false;
  try {
    const job = {
      client,
      plan: r.plan,
      inputs: r.inputs,
      virtualSize: r.virtualSize,
      ...(r.dataBytes !== undefined ? { dataBytes: r.dataBytes } : {}),
      signal,
      onStatus: (p: Partial<ConvertState>) => {
        if (signal.aborted) return;
        meters.status(p.status);
        if (p.status) verifying = p.status === 'verifying';
        // A new phase starts its own figures: the conversion's rate and time left are not the
        // verification's (merged into the state, an absent key would keep the old value).
        const phase = p.status === 'running' || p.status === 'verifying' ? { rate: undefined, secondsLeft: undefined } : {};
        r.patch({ ...phase, ...p });
      },
      onProgress: (p: RunProgress) => {
        if (signal.aborted) return;
        const figures = meters.sample(p);
        if (figures) r.patch({ ...figures });
      },
    };
    const opfsPath = r.handle ? '' : await conv.opfsPathFor(r.opfsSeq(), r.plan.outputName);
    const file =
      r.handle && toFile ? await toFile.runConversionToFile({ ...job, handle: r.handle }) : await conv.runConversion({ ...job, opfsPath });
    r.patch({ status: 'done', outputSize: file.size, ...meters.finish() });
    return { file, opfsPath };
  } catch (e) {
    const kind = e instanceof conv.ConversionError ? e.kind : 'failed';
    const failure = kind === 'source-changed' || kind === 'mismatch' || kind === 'crashed' || kind === 'read-back' ? kind : undefined;
    r.patch({
      ...(verifying ? { failedVerifying: true } : {}),
      cancelling: false,
      status: kind === 'cancelled' ? 'cancelled' : 'failed',
      noRoom: kind === 'no-room',
      message: e instanceof Error ? e.message : String(e),
      ...(failure ? { failure } : {}),
      ...(e instanceof conv.ConversionError && e.offset !== undefined ? { mismatchOffset: e.offset } : {}),
    });
    return undefined;
  } finally {
    client.dispose();
  }
}

/** Deletes an OPFS output nothing shows any more. */
export async function removeOutputs(paths: string[]): Promise<void> {
  if (!paths.length) return;
  const conv = await loadConvert();
  await Promise.all(paths.map((p) => conv.removeOpfsOutput(p)));
}

/** Saves a conversion output the user asked to keep (the save dialog, or a download). */
export async function saveOutput(file: File, name: string) {
  return (await loadConvert()).saveFile(file, name);
}
