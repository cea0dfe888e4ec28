// The pick-time pass of the files in the create form: sha512, md5 and the part MD5s of an
// object-storage upload from one read, started when a file is offered so that the upload itself
// hashes nothing it does not have to. The page side of an upload reads it from here and holds it
// while bytes are on the way.
import { FileDigests, type DigestJob } from '../../core/hash/file-digests.ts';
import type { ImageDigests, PartMd5s } from '../../core/hash/image-hasher.ts';
import { pickTimePartSize } from '../../core/upload/part-size.ts';
import { createHashClient, type HashClient } from '../../../workers/hash/client.ts';

export class PickTimeHashing {
  #client: HashClient | null = null;
  #digests: FileDigests;

  /** `onChange` hears each job's progress and its end. */
  constructor(onChange: (job: DigestJob) => void) {
    this.#digests = new FileDigests(
      // the part MD5s of an object-storage upload come from the same read (an upload then sends without hashing)
      (blob, opts) => this.#hasher().hash(blob, { ...opts, partSize: pickTimePartSize(blob.size) }),
      onChange,
    );
  }

  /** sha512 and md5 in a worker each (two cores instead of one), started on first use. */
  #hasher(): HashClient {
    return (this.#client ??= createHashClient({ threads: 2 }));
  }

  /** The file's job: the one running since it was offered, or a new one. */
  start(file: File): DigestJob {
    return this.#digests.start(file);
  }

  digestsOf(file: File): Promise<ImageDigests> {
    return this.start(file).digests;
  }

  /** What the pass hashed so far: an upload sends those parts without hashing them again. */
  partsSoFar(file: File): PartMd5s | null {
    return this.#digests.peek(file)?.parts ?? null;
  }

  /** Stops hashing a file no longer in the form nor uploading. */
  withdraw(file: File) {
    this.#digests.withdraw(file);
  }

  /** Held, the workers wait between slices (the upload's transfer has the cores). */
  hold(on: boolean) {
    this.#client?.hold(on);
  }

  dispose() {
    this.#digests.dispose();
    this.#client?.dispose();
    this.#client = null;
  }
}
