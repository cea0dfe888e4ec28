// What this wasm build can do beyond the basics, asked of the engine itself (a build option such
// as libzstd leaves no other trace the runner could read). One tiny run per feature.
import type { EngineFeatures } from '../../src/core/convert/options.ts';
import type { RunResult } from './types.ts';

export type FeatureRun = (args: string[]) => Promise<RunResult>;

/** `scratch`: a path the run may create (and the caller removes) — a 64 KiB qcow2 header. */
export async function probeEngineFeatures(run: FeatureRun, scratch: string): Promise<EngineFeatures> {
  // qcow2 refuses an unknown compression_type at create time ("does not accept value 'zstd'").
  const zstd = await run(['create', '-q', '-f', 'qcow2', '-o', 'compression_type=zstd', scratch, '64k']);
  return { zstd: zstd.exitCode === 0 };
}
