// Identifies a local file without reading it whole: SHA-256 over its size and 16 sampled 64 KiB
// ranges (first, last and evenly spaced between). Before any stored part is reused, the file the
// user picked (again) must give the same fingerprint as the one the parts came from: a file of the
// same name and size that was rewritten in place does not.
import { createSHA256 } from 'hash-wasm';
import type { FileIdentity, GlanceTarget, ObjectTarget } from './types.ts';

export const SAMPLE_COUNT = 16;
export const SAMPLE_SIZE = 64 * 1024;

/** The byte ranges sampled: [offset, end) pairs, ascending, not overlapping, inside the file. */
export function sampleRanges(size: number, count = SAMPLE_COUNT, sample = SAMPLE_SIZE): [number, number][] {
  if (size <= count * sample) return size === 0 ? [] : [[0, size]];
  const out: [number, number][] = [];
  const step = (size - sample) / (count - 1);
  for (let i = 0; i < count; i++) {
    const start = Math.round(i * step);
    out.push([start, Math.min(size, start + sample)]);
  }
  return out;
}

export async function fileFingerprint(blob: Blob): Promise<string> {
  const h = await createSHA256();
  h.init();
  h.update(`size:${blob.size};`);
  for (const [start, end] of sampleRanges(blob.size)) {
    h.update(`@${start};`);
    h.update(new Uint8Array(await blob.slice(start, end).arrayBuffer()));
  }
  return h.digest('hex');
}

export async function fileIdentity(blob: Blob, name: string, lastModified: number): Promise<FileIdentity> {
  return { name, size: blob.size, lastModified, fingerprint: await fileFingerprint(blob) };
}

/** True when the stored parts may belong to this file (same content samples and size). */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.fingerprint === b.fingerprint;
}

function where(target: ObjectTarget | GlanceTarget): string[] {
  return target.kind === 'swift'
    ? ['swift', target.storageUrl.replace(/\/+$/, ''), target.container, target.object]
    : target.kind === 's3'
      ? ['s3', target.endpoint.replace(/\/+$/, ''), target.bucket, target.key]
      : ['glance', target.endpoint.replace(/\/+$/, ''), target.project];
}

/** Whether two uploads write the same object (or, via Glance, into the same project). */
export function sameDestination(a: ObjectTarget | GlanceTarget, b: ObjectTarget | GlanceTarget): boolean {
  return JSON.stringify(where(a)) === JSON.stringify(where(b));
}

/**
 * The resume-state key: the destination plus the file (name, size, fingerprint). The same command
 * run again finds its state; another file or another destination does not. lastModified is left
 * out on purpose: a file copied or picked again keeps its content but may get a new mtime (a
 * changed one makes the engine check stored parts against the bytes instead of trusting them).
 */
export async function uploadStateId(target: ObjectTarget | GlanceTarget, file: FileIdentity): Promise<string> {
  const h = await createSHA256();
  h.init();
  h.update(JSON.stringify([...where(target), file.name, file.size, file.fingerprint]));
  return `${target.kind}-${h.digest('hex').slice(0, 32)}`;
}
