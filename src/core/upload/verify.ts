// The one verification step of every upload: Glance's own record of the stored image (size, md5
// checksum, os_hash_value) compared with the digests computed locally from the file.
import type { ImageDigests } from '../hash/image-hasher.ts';
import { OpenStackError } from '../openstack/errors.ts';
import type { GlanceImage } from '../openstack/types.ts';

/** Throws 'hash-mismatch' when Glance's record differs from the local hashes. */
export function verifyImageDigests(image: GlanceImage, digests: ImageDigests): void {
  const problems: string[] = [];
  if (image.size !== digests.size) problems.push(`size ${image.size} instead of ${digests.size}`);
  if (image.checksum && image.checksum !== digests.md5) problems.push(`md5 checksum ${image.checksum} instead of ${digests.md5}`);
  if (image.os_hash_value) {
    if (image.os_hash_algo === 'sha512' && image.os_hash_value !== digests.sha512)
      problems.push(`sha512 ${image.os_hash_value.slice(0, 16)}… instead of ${digests.sha512.slice(0, 16)}…`);
  }
  if (!image.checksum && !image.os_hash_value) problems.push('no checksum recorded by Glance');
  if (problems.length)
    throw new OpenStackError(
      `The image Glance stored does not match the file (${problems.join('; ')}): the data was altered in transit or by the cloud. Delete the image and upload again.`,
      { code: 'upload.verify-mismatch', params: { problems: problems.join('; ') }, kind: 'hash-mismatch', service: 'glance' },
    );
}
