// Digests computed ahead of the upload: hashing starts when a file is offered or picked (while
// the user reads the verdict and fills in the form), so that the upload itself can go at the
// plain transport's speed and only the comparison with Glance waits for them. One job per File
// (object identity plus name/size/lastModified), in memory only; a running job is reused, never
// restarted, and a withdrawn file's job is aborted.
import type { ImageDigests, PartMd5s } from './image-hasher.ts';

export type HashFunction = (
  blob: Blob,
  options: {
    signal: AbortSignal;
    onProgress: (hashedBytes: number) => void;
    /** Each part MD5 the pass computes, as soon as it has it (in order). */
    onPart: (md5: string, index: number, partSize: number) => void;
  },
) => Promise<ImageDigests>;

export interface DigestJob {
  readonly file: Blob;
  readonly totalBytes: number;
  readonly hashedBytes: number;
  /** Set once the digests are known. */
  readonly result: ImageDigests | null;
  /**
   * The part MD5s computed so far, in order: an upload clicked before the pass ends sends these
   * parts without hashing them again (the rest of a held pass drops its parts).
   */
  readonly parts: PartMd5s | null;
  /** Hashing failed or was stopped (a new start() hashes the file again). */
  readonly failed: boolean;
  /** Resolves with the digests; rejects when hashing failed or the file was withdrawn. */
  readonly digests: Promise<ImageDigests>;
}

interface Job extends DigestJob {
  key: string;
  hashedBytes: number;
  result: ImageDigests | null;
  parts: PartMd5s | null;
  failed: boolean;
  digests: Promise<ImageDigests>;
  abort: AbortController;
}

function keyOf(file: Blob): string {
  const f = file as Partial<File>;
  return `${f.name ?? ''}\u0000${file.size}\u0000${f.lastModified ?? ''}`;
}

export class FileDigests {
  #jobs = new WeakMap<Blob, Job>();
  /** Jobs still running, so that dispose() can stop them (a WeakMap cannot be listed). */
  #running = new Set<Job>();

  constructor(
    private readonly hash: HashFunction,
    /** Called on progress and when a job ends (throttling is the hash function's business). */
    private readonly onChange: (job: DigestJob) => void = () => undefined,
  ) {}

  /** The job for this file: the running or finished one, or a new one. */
  start(file: Blob): DigestJob {
    const old = this.#jobs.get(file);
    if (old && old.key === keyOf(file) && !old.failed) return old;
    const abort = new AbortController();
    const job: Job = {
      file,
      key: keyOf(file),
      totalBytes: file.size,
      hashedBytes: 0,
      result: null,
      parts: null,
      failed: false,
      abort,
      digests: Promise.resolve(null as unknown as ImageDigests),
    };
    this.#running.add(job);
    job.digests = this.hash(file, {
      signal: abort.signal,
      onProgress: (n) => {
        job.hashedBytes = n;
        this.onChange(job);
      },
      onPart: (md5, index, partSize) => {
        const p = (job.parts ??= { partSize, md5: [] });
        // only the next one in order counts: a gap would put a later MD5 at an earlier part
        if (p.partSize === partSize && index === p.md5.length) p.md5.push(md5);
      },
    })
      .then((d) => {
        if (d.size !== file.size) throw new Error(`hashed ${d.size} bytes of a ${file.size}-byte file`);
        job.result = d;
        if (d.parts) job.parts = d.parts;
        job.hashedBytes = d.size;
        return d;
      })
      .catch((e: unknown) => {
        job.failed = true; // the next start() for this file hashes it again
        throw e;
      })
      .finally(() => {
        this.#running.delete(job);
        this.onChange(job);
      });
    job.digests.catch(() => undefined); // whoever awaits it sees the failure; nobody else must
    this.#jobs.set(file, job);
    return job;
  }

  /** The job for exactly this file, if any. */
  peek(file: Blob): DigestJob | undefined {
    const job = this.#jobs.get(file);
    return job && job.key === keyOf(file) ? job : undefined;
  }

  /** The file left the form: stop hashing it and forget its digests. */
  withdraw(file: Blob | null | undefined): void {
    if (!file) return;
    const job = this.#jobs.get(file);
    if (!job) return;
    this.#jobs.delete(file);
    job.abort.abort();
  }

  /** Stops every running job (the element left the page). */
  dispose(): void {
    for (const job of this.#running) job.abort.abort();
    this.#running.clear();
  }
}
