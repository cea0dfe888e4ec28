// The one verification step of every upload: Glance's own record of the stored image (size, md5
// checksum, os_hash_value) compared with the digests computed locally from the file. Glance
// hashes with its `hashing_algorithm` (sha512 unless the operator chose another hashlib name):
// every upload computes sha512 and md5 anyway; for another algorithm hash-wasm has, the file is
// read once more for it, so that the record is compared in full rather than only by its md5.
import { createBLAKE2b, createBLAKE2s, createSHA1, createSHA224, createSHA256, createSHA3, createSHA384, type IHasher } from 'hash-wasm';
import { blobSlices, type ImageDigests } from '../hash/image-hasher.ts';
import { OpenStackError } from '../openstack/errors.ts';
import type { GlanceImage } from '../openstack/types.ts';

/** hashlib names (as Glance reports os_hash_algo) of the algorithms computed here besides sha512 and md5. */
const EXTRA_HASHES: Record<string, () => Promise<IHasher>> = {
  sha1: createSHA1,
  sha224: createSHA224,
  sha256: createSHA256,
  sha384: createSHA384,
  sha3_224: () => createSHA3(224),
  sha3_256: () => createSHA3(256),
  sha3_384: () => createSHA3(384),
  sha3_512: () => createSHA3(512),
  blake2b: () => createBLAKE2b(512),
  blake2s: () => createBLAKE2s(256),
};

/** Glance's os_hash_algo as a hashlib name ("SHA3-256" and "sha3_256" are the same). */
function algoOf(image: GlanceImage): string | null {
  return image.os_hash_value && image.os_hash_algo ? image.os_hash_algo.toLowerCase().replace(/-/g, '_') : null;
}

/** Own keys only: an os_hash_algo such as "constructor" must not find Object.prototype's. */
function extraHash(algo: string): (() => Promise<IHasher>) | undefined {
  return Object.hasOwn(EXTRA_HASHES, algo) ? EXTRA_HASHES[algo] : undefined;
}

function computable(algo: string): boolean {
  return algo === 'sha512' || algo === 'md5' || extraHash(algo) !== undefined;
}

/** A digest of another algorithm than sha512/md5, computed for the comparison. */
export interface ExtraDigest {
  algo: string;
  hex: string;
}

/** What verifyImageDigests compares besides the size, in words ("md5 and sha256"). */
export function comparedHashes(image: GlanceImage): string {
  const algo = algoOf(image);
  const names = [...(image.checksum ? ['md5'] : []), ...(algo && algo !== 'md5' && computable(algo) ? [algo] : [])];
  const said = names.length ? names.join(' and ') : 'nothing';
  return algo && !computable(algo) ? `${said} (Glance's ${algo} is not computed here)` : said;
}

/** Throws 'hash-mismatch' when Glance's record differs from the local hashes (or cannot be compared). */
export function verifyImageDigests(image: GlanceImage, digests: ImageDigests, extra?: ExtraDigest): void {
  const problems: string[] = [];
  if (image.size !== digests.size) problems.push(`size ${image.size} instead of ${digests.size}`);
  if (image.checksum && image.checksum !== digests.md5) problems.push(`md5 checksum ${image.checksum} instead of ${digests.md5}`);
  const algo = algoOf(image);
  const value = image.os_hash_value ?? '';
  const local = algo === 'sha512' ? digests.sha512 : algo === 'md5' ? digests.md5 : extra?.algo === algo ? extra.hex : undefined;
  if (algo && local !== undefined && value !== local) problems.push(`${algo} ${value.slice(0, 16)}… instead of ${local.slice(0, 16)}…`);
  if (!image.checksum && local === undefined)
    problems.push(algo ? `only a ${algo} recorded by Glance, which is not computed here` : 'no checksum recorded by Glance');
  if (problems.length)
    throw new OpenStackError(
      `The image Glance stored does not match the file (${problems.join('; ')}): the data was altered in transit or by the cloud. Delete the image and upload again.`,
      { code: 'upload.verify-mismatch', params: { problems: problems.join('; ') }, kind: 'hash-mismatch', service: 'glance' },
    );
}

/** Hex digest of the whole blob with one of EXTRA_HASHES. */
async function extraDigest(algo: string, create: () => Promise<IHasher>, file: Blob, signal?: AbortSignal): Promise<ExtraDigest> {
  const h = await create();
  h.init();
  for await (const chunk of blobSlices(file, undefined, signal)) h.update(chunk);
  return { algo, hex: h.digest('hex') };
}

/** verifyImageDigests, after hashing `file` with Glance's algorithm when it is neither sha512 nor md5. */
export async function verifyStoredImage(image: GlanceImage, digests: ImageDigests, file: Blob, signal?: AbortSignal): Promise<void> {
  const algo = algoOf(image);
  const create = algo ? extraHash(algo) : undefined;
  const extra = algo && create ? await extraDigest(algo, create, file, signal) : undefined;
  verifyImageDigests(image, digests, extra);
}
