// The guest step of the one inspection pipeline (inspection-pipeline.ts), run after the verdict is
// known: which bytes to read (a raw image directly from its ByteSource; any other format through
// the caller's qemu-img guest reader), the budget over both the guest bytes the readers ask for
// and the bytes qemu-img fetched, and the merge into the result — findings, the contract's
// `guest` object, suggested properties with the guest file each came from.
import type { ByteSource } from '../inspect/byte-source.ts';
import { subSource } from '../inspect/byte-source.ts';
import type { QemuRun } from '../inspect/qemu-check.ts';
import type { InspectionResult } from '../inspection.ts';
import { guestDetails, guestJson, type GuestJson, type GuestStats } from './contract.ts';
import { BudgetExceeded, DEFAULT_BUDGET, type GuestBudget, type ReadAt } from './device.ts';
import { inspectGuest } from './inspect-guest.ts';
import { blockStatus } from './map-extents.ts';
import type { GuestResult } from './types.ts';

/** What a caller's qemu-img guest reader offers (workers/qemu-img/guest-reader.ts). */
export interface GuestBlocks {
  read: ReadAt;
  stats(): { runs: number; bytesFetched: number; imageBytesRead: number };
}

/** Opens the guest disk of the image qemu-img opened (size: its virtual size). */
export type OpenGuestBlocks = (size: number, isZero?: (offset: number, length: number) => boolean) => GuestBlocks;

export interface GuestStepOptions {
  budget?: Partial<GuestBudget>;
}

export interface GuestStepInput {
  source: ByteSource;
  format: string;
  member?: { name: string; offset: number; size: number };
  virtualSize: number | null;
  map: QemuRun | null;
  open?: OpenGuestBlocks;
  options?: GuestStepOptions;
}

/** Reads the guest; `guest: null` when there is no readable guest (or nothing to read it with). */
export interface GuestStep {
  guest: GuestJson | null;
  result: GuestResult | null;
  stats: GuestStats | null;
}

export async function readGuestStep(input: GuestStepInput): Promise<GuestStep> {
  const budget = { ...DEFAULT_BUDGET, ...input.options?.budget };
  const status = input.map && input.map.exitCode === 0 ? blockStatus(input.map.stdout) : null;
  let read: ReadAt;
  let size: number;
  let blocks: GuestBlocks | null = null;
  if (input.format === 'raw') {
    const src = input.member ? subSource(input.source, input.member.offset, input.member.size, input.member.name) : input.source;
    read = (o, n) => src.read(o, n);
    size = src.size;
  } else {
    if (!input.open || input.virtualSize === null || input.virtualSize <= 0) return { guest: null, result: null, stats: null };
    const b = input.open(input.virtualSize, status?.isZero);
    blocks = b;
    size = input.virtualSize;
    read = async (o, n) => {
      const data = await b.read(o, n);
      // The readers charge what they ask for; this charges what qemu-img had to fetch for it.
      if (b.stats().bytesFetched > budget.maxBytes) throw new BudgetExceeded(`more than ${budget.maxBytes} bytes fetched through qemu-img`);
      return data;
    };
  }
  const result = await inspectGuest(read, size, budget, status?.allocated);
  const s = blocks?.stats();
  const stats: GuestStats | null = result
    ? {
        bytesRead: result.bytesRead,
        readCalls: result.readCalls,
        qemuRuns: s?.runs ?? 0,
        bytesFetched: s?.bytesFetched ?? result.bytesRead,
        imageBytesRead: s?.imageBytesRead ?? result.bytesRead,
        elapsedMs: result.elapsedMs,
      }
    : null;
  return { guest: guestJson(result).guest, result, stats };
}

/** Folds the step into the result: its findings (never errors: the verdict stands), the guest
 *  object, and suggested properties named after the guest file each came from. */
export function mergeGuest(r: InspectionResult, step: GuestStep): void {
  r.guest = step.guest;
  if (step.stats) r.guestStats = step.stats;
  const g = step.result;
  if (!g) return;
  r.guestDetails = guestDetails(g);
  r.safety.findings.push(...g.findings);
  for (const [k, v] of Object.entries(g.suggested)) {
    if (v === undefined) continue;
    r.suggested[k] = v;
    const from = g.sources[k];
    r.suggestedFrom[k] = from ? `guest ${from}` : 'guest';
  }
}
