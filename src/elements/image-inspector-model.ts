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
}

export type { CheckSummary, AllocationSummary } from '../core/inspect/qemu-check.ts';
import type { CheckSummary, AllocationSummary } from '../core/inspect/qemu-check.ts';

/** The part of `qemu-img info --output=json` this card shows (kebab-case keys as qemu-img prints). */
export interface QemuImgInfo {
  filename?: string;
  format?: string;
  'virtual-size'?: number;
  'actual-size'?: number;
  'cluster-size'?: number;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  'dirty-flag'?: boolean;
  encrypted?: boolean;
  'format-specific'?: { type?: string; data?: Record<string, unknown> };
  [key: string]: unknown;
}

export type Phase = 'queued' | 'safety' | 'info' | 'details' | 'done' | 'error';

export interface CardState {
  id: number;
  name: string;
  size: number;
  phase: Phase;
  /** Format the safety core detected from the content (qemu-img names). */
  detectedFormat?: string;
  /** The Glance disk_format this content is, as-is (the verdict is about uploading it as that). */
  diskFormat?: string;
  safe?: boolean;
  findings: CardFinding[];
  info?: QemuImgInfo;
  /** What the safety core read from the headers beyond qemu-img info (adapter type, VHD type...). */
  facts?: import('../core/inspect/types.ts').SafetyDetails;
  check?: CheckSummary;
  allocation?: AllocationSummary;
  suggestions: CardSuggestion[];
  /** For a compressed file: the format of what is inside, from its first decompressed bytes. */
  innerFormat?: string;
  /** Files of a multi-file image, as the descriptor names them. */
  extents: string[];
  missingExtents: string[];
  /** Short notes that need no translation (e.g. an error text from the browser). */
  notes: string[];
  /** The disks inside an OVA, read in place (member name, byte range in the archive). */
  ovaDisks?: Array<{ name: string; offset: number; size: number }>;
  error?: string;
  /** The InspectionResult, once complete (also the image-inspected event's detail). */
  result?: unknown;
}

/** What the element needs from the inspection pipeline (src/elements/image-inspector-pipeline.ts). */
export interface InspectionPipeline {
  /** Inspects one image; reports progress through `update` (verdict first) and resolves with the
   *  InspectionResult. Rejects with a readable message when the image cannot be inspected. */
  inspect(
    group: import('./image-inspector-groups.ts').ImageGroup,
    opts: { declaredFormat?: string; signal?: AbortSignal },
    update: (patch: Partial<CardState>) => void,
  ): Promise<unknown>;
  dispose(): void;
}
