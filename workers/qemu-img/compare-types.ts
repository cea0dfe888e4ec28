// Types of a verification in the browser worker (client.ts → worker.ts → compare.ts), apart from
// types.ts so that the shared types stay free of the compare modules (compare-request.ts imports them).
import type { CompareOutcome, CompareSide } from './compare-request.ts';
import type { FileExtents } from './extents.ts';
import type { BlobInput, OpfsOutput, RunResult } from './types.ts';

/** A verification in the worker (compare.ts): the source (and an output that is no OPFS file) as
 *  Blobs at /in, an OPFS output at /out. */
export interface BrowserCompareRequest {
  inputs: BlobInput[];
  /** The output when it is an OPFS file: read through its sync access handle, not as a Blob
   *  (a Blob read goes through the browser process: ~0.3-0.5 GB/s here). */
  outputs?: OpfsOutput[];
  source: CompareSide;
  output: CompareSide;
  /** What the conversion wrote into the output (its RunResult.written entry). */
  outputExtents?: FileExtents;
  /** The output's format records its holes (CompareRequest.outputRecordsHoles). */
  outputRecordsHoles?: boolean;
}

/** How a verification ended: an outcome, or why there is none (`failure` as in RunResult when
 *  the worker was stopped, crashed or timed out). */
export interface CompareResult {
  outcome?: CompareOutcome;
  error?: string;
  failure?: RunResult['failure'];
}
