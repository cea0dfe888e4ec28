// Part (segment) size from the file size and the object store's limits: Swift's /info (slo
// max_manifest_segments, min_segment_size, swift max_file_size) or s3api's (1000 parts, 5 MiB
// minimum part). A size the user asks for is checked against the same limits, with a sentence
// that says which limit it breaks.
import { OpenStackError } from '../openstack/errors.ts';
import type { ErrorCode, ErrorParams } from '../openstack/error-codes.ts';

const MiB = 1024 * 1024;

export interface PartLimits {
  /** Most parts one object may have (SLO max_manifest_segments, s3api max_upload_part_num). */
  maxParts: number;
  /** Smallest part except the last (SLO min_segment_size, 5 MiB for S3). */
  minPartSize: number;
  /** Largest part (Swift max_file_size, 5 GiB for S3). */
  maxPartSize: number;
  /** Where the limits come from, for messages: "Swift /info", "s3api". */
  source: string;
  /** The part size to start from when the user asks for none, for files of 16 such parts or more. */
  preferredPartSize?: number;
}

/**
 * s3api's defaults (max_upload_part_num 1000; AWS allows 10000, Ceph RGW too). S3 parts start at
 * 64 MiB from 1 GiB up: every S3 request is a signature check, which s3api hands to Keystone (s3token)
 * unless the proxy caches EC2 secrets — measured ~0.35 s of Keystone CPU per request here without
 * the cache; 512 MiB took 36 s in 32 MiB parts, 19 s in 64 MiB parts and 22 s in 128 MiB parts
 * (4 parts: fewer than the 8 in flight), load ~20.
 */
export const S3_LIMITS: PartLimits = {
  maxParts: 1000,
  minPartSize: 5 * MiB,
  maxPartSize: 5 * 1024 * MiB,
  source: 's3api',
  preferredPartSize: 64 * MiB,
};

/**
 * Swift segments also start at 64 MiB from 1 GiB up: each segment PUT costs the store a request
 * (auth, container check, a new object with its fsync): measured here, the proxy and storage
 * servers used 1.80 s of CPU for 512 MiB in 32 MiB segments, 1.65-1.74 s in 64 MiB, 1.59 s in
 * 128 MiB, and on two cores shared with the store a 1 GiB CLI upload took 4.69 s in 64 MiB
 * segments against 4.80-4.94 s in 32 MiB (python-swiftclient with 32 MiB: 4.71 s; load 4-5).
 */
const SWIFT_PREFERRED_PART_SIZE = 64 * MiB;

/** Swift's defaults when /info does not say (Swift 2.30: 1000 segments, 1 byte, 5 GiB + 2). */
export const SWIFT_DEFAULT_LIMITS: PartLimits = {
  maxParts: 1000,
  minPartSize: 1,
  maxPartSize: 5 * 1024 * MiB + 2,
  source: 'Swift defaults',
  preferredPartSize: SWIFT_PREFERRED_PART_SIZE,
};

/**
 * Parts large enough that per-request overhead vanishes and few enough to resume at a fine grain:
 * 32 MiB unless the file needs larger parts to stay within maxParts (then the next MiB multiple
 * that fits, rounded up to a power of two MiB so that resumed runs pick the same size).
 */
export const DEFAULT_PART_SIZE = 32 * MiB;

/** From test/bench/upload-object.bench.ts: 8 in flight was the fastest of 2, 4, 8 against the local Swift. */
export const DEFAULT_PARALLEL = 8;
/** The most parts in flight (the CLI and the page refuse more; the engine caps a request from elsewhere). */
export const MAX_PARALLEL = 64;

/** The limits /info announces (missing keys fall back to Swift's defaults). */
export function swiftLimits(info: unknown): PartLimits {
  const o = (info ?? {}) as { swift?: { max_file_size?: unknown }; slo?: { max_manifest_segments?: unknown; min_segment_size?: unknown } };
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    maxParts: num(o.slo?.max_manifest_segments, SWIFT_DEFAULT_LIMITS.maxParts),
    minPartSize: num(o.slo?.min_segment_size, SWIFT_DEFAULT_LIMITS.minPartSize),
    maxPartSize: num(o.swift?.max_file_size, SWIFT_DEFAULT_LIMITS.maxPartSize),
    source: 'Swift /info',
    preferredPartSize: SWIFT_PREFERRED_PART_SIZE,
  };
}

/**
 * The part size the engine will choose for this file with the usual limits (Swift's defaults and
 * s3api's give the same): the size whose part MD5s the pick-time hash pass computes. A store with
 * other limits makes the engine choose another size; its part MD5s are then computed as it sends.
 */
export function pickTimePartSize(fileSize: number): number | undefined {
  try {
    return choosePartSize(fileSize, SWIFT_DEFAULT_LIMITS);
  } catch {
    return undefined; // too big for any object store: no upload in parts will ask
  }
}

function human(n: number): string {
  if (n >= 1024 * MiB && n % (1024 * MiB) === 0) return `${n / (1024 * MiB)} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  // not a whole unit (Swift's max_file_size is 5 GiB + 2 bytes): the nearest unit beside the exact count
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(2)} GiB (${n} bytes)`;
  if (n >= MiB) return `${(n / MiB).toFixed(2)} MiB (${n} bytes)`;
  return `${n} bytes`;
}

/** The part size for a file; throws 'bad-config' (with a code the page translates) when a
 *  requested size cannot work. */
export function choosePartSize(fileSize: number, limits: PartLimits, requested?: number): number {
  const neededForCount = Math.ceil(fileSize / limits.maxParts);
  if (requested !== undefined) {
    const refuse = (message: string, code: ErrorCode, params: ErrorParams) =>
      new OpenStackError(message, { kind: 'bad-config', code, params: { size: human(requested), source: limits.source, ...params } });
    if (!Number.isInteger(requested) || requested <= 0)
      throw refuse(`The segment size must be a positive whole number of bytes (got ${requested}).`, 'part-size.not-positive', {
        size: String(requested),
      });
    if (requested < limits.minPartSize && requested < fileSize)
      throw refuse(
        `The segment size ${human(requested)} is below the minimum of ${human(limits.minPartSize)} (${limits.source}): choose at least ${human(limits.minPartSize)}.`,
        'part-size.below-minimum',
        { min: human(limits.minPartSize) },
      );
    if (requested > limits.maxPartSize)
      throw refuse(
        `The segment size ${human(requested)} is above the largest object of ${human(limits.maxPartSize)} (${limits.source}): choose a smaller one.`,
        'part-size.above-maximum',
        { max: human(limits.maxPartSize) },
      );
    if (requested < neededForCount) {
      const params = {
        fileSize: human(fileSize),
        parts: Math.ceil(fileSize / requested),
        maxParts: limits.maxParts,
        atLeast: human(Math.ceil(neededForCount / MiB) * MiB),
      };
      throw refuse(
        `A ${params.fileSize} file in ${human(requested)} segments needs ${params.parts} parts, more than the ${params.maxParts} allowed (${limits.source}): choose at least ${params.atLeast}.`,
        'part-size.too-many-parts',
        params,
      );
    }
    return requested;
  }
  // the preferred (larger) size only where it still leaves 16 parts: a smaller file keeps 32 MiB
  // parts so that 8 can be in flight and a resume restarts at a fine grain
  const preferred = limits.preferredPartSize && fileSize >= 16 * limits.preferredPartSize ? limits.preferredPartSize : DEFAULT_PART_SIZE;
  let size = Math.max(preferred, limits.minPartSize);
  while (size < neededForCount) size *= 2;
  if (size > limits.maxPartSize) {
    size = Math.max(limits.minPartSize, Math.ceil(neededForCount / MiB) * MiB);
    if (size > limits.maxPartSize)
      throw new OpenStackError(
        `The file (${human(fileSize)}) is larger than ${limits.maxParts} parts of ${human(limits.maxPartSize)} can hold (${limits.source}).`,
        { kind: 'too-large' },
      );
  }
  return size;
}

export interface PartSpan {
  number: number;
  offset: number;
  size: number;
}

/** The parts of a file: 1-based numbers, the last one shorter; one empty part for an empty file. */
export function partSpans(fileSize: number, partSize: number): PartSpan[] {
  if (fileSize === 0) return [{ number: 1, offset: 0, size: 0 }];
  const out: PartSpan[] = [];
  for (let offset = 0, n = 1; offset < fileSize; offset += partSize, n++)
    out.push({ number: n, offset, size: Math.min(partSize, fileSize - offset) });
  return out;
}

/** "64M", "1.5G", "512K", "1048576" → bytes (binary units, as python-swiftclient's -S takes bytes). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m)
    throw new OpenStackError(`"${text}" is not a size: use a number of bytes with an optional K, M or G suffix (e.g. 64M).`, {
      kind: 'bad-config',
      code: 'part-size.not-a-size',
      params: { text },
    });
  const mult = { '': 1, k: 1024, m: MiB, g: 1024 * MiB, t: 1024 * 1024 * MiB }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Math.round(Number(m[1]) * mult);
  if (n <= 0)
    throw new OpenStackError(`"${text}" is not a positive size.`, { kind: 'bad-config', code: 'part-size.not-a-size', params: { text } });
  return n;
}
