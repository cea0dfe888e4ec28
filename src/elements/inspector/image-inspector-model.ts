// What one result card shows, filled in step by step by the pipeline (verdict first, then the
// details qemu-img reports). Plain data: the element renders it, the pipeline produces it.

export type Severity = 'error' | 'warning' | 'info';

export interface CardFinding {
  code: string;
  severity: Severity | string;
  message: string;
  fix?: string;
  params?: Record<string, string | number>;
}

export interface CardSuggestion {
  property: string;
  value: string | number;
  /** Where the value came from ("qemu-img info: virtual-size", "OVF: VirtualSystem/Memory"...). */
  source?: string;
  /** The same origin as a code with parameters, said in the page's language. */
  sourceCode?: PropertySource;
}

/** The card's suggestion rows for a result's suggested properties, each with where it came from. */
export function cardSuggestions(result: InspectionResult): CardSuggestion[] {
  return Object.entries(result.suggested).map(([property, value]) => ({
    property,
    value,
    source: result.suggestedFrom[property],
    sourceCode: result.suggestedWhy?.[property],
  }));
}
import type { PropertySource } from '../../core/inspect/property-sources.ts';

export type { CheckSummary, AllocationSummary } from '../../core/inspect/qemu-check.ts';
import type { CheckSummary, AllocationSummary } from '../../core/inspect/qemu-check.ts';

export type { QemuImgInfo } from '../../core/inspection.ts';
import type { InspectionResult, QemuImgInfo } from '../../core/inspection.ts';
import type { RefusalCode } from '../../core/convert/plan.ts';
import type { GuestJson } from '../../core/guest/contract.ts';
import type { ChecklistDetail, ChecklistItem } from '../../core/guest/types.ts';

/** The guest read from the image: the `guest` object of `inspect --json` and image-inspected. */
export type GuestView = GuestJson;
export type GuestChecklistItem = ChecklistItem;

export type CardPhase = 'queued' | 'safety' | 'info' | 'details' | 'guest' | 'done' | 'error';

export interface CardState {
  id: number;
  name: string;
  size: number;
  phase: CardPhase;
  /** Format the safety core detected from the content (qemu-img names). */
  detectedFormat?: string;
  /** The Glance disk_format this content is, as-is (the verdict is about uploading it as that). */
  diskFormat?: string;
  safe?: boolean;
  findings: CardFinding[];
  info?: QemuImgInfo;
  /** What the safety core read from the headers beyond qemu-img info (adapter type, VHD type...). */
  facts?: import('../../core/inspect/types.ts').SafetyDetails;
  check?: CheckSummary;
  allocation?: AllocationSummary;
  suggestions: CardSuggestion[];
  /** The guest step (after the verdict): null when the image holds no readable guest. */
  guest?: GuestView | null;
  /** guest.checklist's details as codes with parameters (same order), to show them localised. */
  guestDetails?: ChecklistDetail[];
  guestReading?: boolean;
  /** For a compressed file: the format of what is inside, from its first decompressed bytes. */
  innerFormat?: string;
  /** Files of a multi-file image, as the descriptor names them. */
  extents: string[];
  missingExtents: string[];
  /** Short notes (a save's outcome, an error text from the browser), each worded when the card
   *  renders: msg() then answers in the element's own language (`lang`), which it does only
   *  while the element renders. */
  notes: Array<() => string>;
  /** The disks inside an OVA, read in place (member name, byte range in the archive). */
  ovaDisks?: Array<{ name: string; offset: number; size: number }>;
  error?: string;
  /** The InspectionResult, once complete (also the image-inspected event's detail). */
  result?: InspectionResult;
  /** For a card made by a conversion: the name of the image it was converted from. */
  convertedFrom?: string;
  /** The conversion started from this card, if any. */
  convert?: ConvertState;
}

export type ConvertStatus = 'measuring' | 'running' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface ConvertState {
  target: string;
  status: ConvertStatus;
  /** From qemu-img -p, 0..100. */
  percent?: number;
  bytesRead?: number;
  bytesWritten?: number;
  /** Bytes read per second (recent window while running, the whole run's average when done). */
  rate?: number;
  /** Undefined while it cannot be estimated honestly (the first seconds). */
  secondsLeft?: number;
  elapsedMs?: number;
  /** How long the verification (qemu-img compare) took, once done. */
  verifyMs?: number;
  /** Room the output needs (qemu-img measure) and what the browser's storage has left. */
  needed?: number;
  available?: number;
  outputName?: string;
  /** Bytes of the finished output file. */
  outputSize?: number;
  /** The qemu-img command line that ran (files by their own names), shown with the outcome. */
  commandLine?: string;
  /** Why it failed (English, from qemu-img or the browser: shown as text). */
  message?: string;
  /** Set when the failure is a lack of room in the browser's storage. */
  noRoom?: boolean;
  /** What ended the run, when it is not the plain failure: the view words each. */
  failure?: 'source-changed' | 'mismatch' | 'crashed' | 'read-back';
  /** The output goes into a file the user chose ("Convert to a file…"), not into OPFS. */
  toFile?: boolean;
  /** The run failed while verifying: a chosen file was already written, and is removed. */
  failedVerifying?: boolean;
  /** Where the output first differs from the source (a failed verification). */
  mismatchOffset?: number;
  /** Set once qemu-img compare found the output equal to the source. */
  verified?: boolean;
  /** How the verification compared (compare.ts: full, holes or ranges), for tests and benchmarks. */
  verifyMethod?: string;
  /** Set when the plan refused the conversion (the view words it). */
  refusal?: RefusalCode;
  /** Cancel was clicked: the run is being stopped and its output deleted (Chromium lets a
   *  terminated worker run on for up to 2 s, and its file stays locked until then). */
  cancelling?: boolean;
}

/** What the element needs from the inspection pipeline (src/elements/image-inspector-pipeline.ts). */
export interface InspectionPipeline {
  /** Inspects one image; reports progress through `update` (verdict first) and resolves with the
   *  InspectionResult. Rejects with a readable message when the image cannot be inspected. */
  inspect(
    group: import('./image-inspector-groups.ts').ImageGroup,
    opts: { declaredFormat?: string; signal?: AbortSignal },
    update: (patch: Partial<CardState>) => void,
  ): Promise<InspectionResult>;
  /** The qemu-img client this pipeline runs on (conversions share it: one worker). */
  qemu(): Promise<import('../../../workers/qemu-img/types.ts').QemuImgClient>;
  dispose(): void;
}
