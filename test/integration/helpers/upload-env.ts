// The Node environment the CLI gives the upload engine (src/cli/upload-command.ts): the streamed
// node:http transport, digests read from the file's path in threads, resume state in a directory.
// Suites build it here so that they exercise exactly what `image-inspector upload` runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GlanceClient } from '../../../src/core/openstack/index.ts';
import { startUpload, type RetryPolicy, type UploadEnv, type UploadOutcome, type UploadProgress } from '../../../src/core/upload/index.ts';
import { nodeDigestProvider } from '../../../src/cli/node-digests.ts';
import { nodeHttpTransport } from '../../../src/cli/node-http-transport.ts';
import { fileStateStore } from '../../../src/cli/upload-state-file.ts';
import { deleteImages, makeRandomFile, readCloud, signIn, type CloudJson, type TestFile } from './cloud.ts';
import { deleteContainers, swiftAccess, swiftOf, type SwiftAccess } from './object-storage.ts';

export interface NodeEnvOptions {
  /** The file whose digests the engine computes (read by path, as the CLI does). */
  file: Pick<TestFile, 'path'>;
  stateDir: string;
  glance?: GlanceClient;
  retry?: Partial<RetryPolicy>;
  progress?: UploadProgress[];
  transport?: UploadEnv['transport'];
}

export function nodeUploadEnv(o: NodeEnvOptions): UploadEnv {
  return {
    transport: o.transport ?? nodeHttpTransport(),
    fetch: (i, init) => fetch(i, init),
    store: fileStateStore(o.stateDir),
    digests: nodeDigestProvider(o.file.path),
    glance: o.glance,
    retry: o.retry,
    onProgress: o.progress ? (p) => o.progress!.push(p) : undefined,
  };
}

/** A temp directory for resume state, removed by the returned cleanup. */
export async function tempStateDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ii-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface GlanceUploadOptions {
  via?: 'glance' | 'glance-direct';
  stateDir: string;
  retry?: Partial<RetryPolicy>;
  onProgress?: (p: UploadProgress) => void;
  /** Default: the CLI's node:http transport. */
  transport?: UploadEnv['transport'];
}

/**
 * Sends `file` into the existing (queued) image `imageId` through the engine, as the page and the
 * CLI do: the engine reads the image, PUTs /file (or /stage + import), waits and verifies.
 */
export function uploadIntoImage(glance: GlanceClient, imageId: string, file: TestFile, o: GlanceUploadOptions): Promise<UploadOutcome> {
  const env = nodeUploadEnv({ file, stateDir: o.stateDir, glance, retry: o.retry, transport: o.transport });
  if (o.onProgress) env.onProgress = o.onProgress;
  const handle = startUpload(
    {
      file: file.blob,
      fileName: file.path,
      lastModified: 1,
      via: o.via ?? 'glance',
      // the fields are not used: the image exists already
      register: { fields: { name: imageId }, deleteObjectAfter: false, imageId },
    },
    env,
  );
  return handle.done;
}

/** What the engine suites (upload-engine, upload-faults) share: the cloud, a file, a state dir. */
export interface UploadSuite {
  cloud: CloudJson;
  file: TestFile;
  stateDir: string;
  swift: SwiftAccess;
  /** Deletes the images and containers the suite made, the file and the state dir. */
  cleanup(images: Iterable<string>, containers: Iterable<string>): Promise<void>;
}

export async function uploadSuite(fileSize: number, fileName: string): Promise<UploadSuite> {
  const cloud = readCloud();
  swiftOf(cloud); // fails clearly when the cloud runs without Swift
  const file = await makeRandomFile(fileSize, fileName);
  const state = await tempStateDir(fileName.replace(/\W+/g, '-'));
  const swift = await swiftAccess(cloud);
  return {
    cloud,
    file,
    stateDir: state.dir,
    swift,
    async cleanup(images, containers) {
      // read again: a suite may have restarted a service (new pid, same ports)
      const now = readCloud();
      await deleteImages((await signIn(now)).glance, images);
      await deleteContainers(await swiftAccess(now), containers);
      await file.cleanup();
      await state.cleanup();
    },
  };
}
