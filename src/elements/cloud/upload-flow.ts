// The create → upload → verify life cycle behind the create form, with nothing sent before the
// pre-checks pass. Success means: the image is active AND Glance's checksum / os_hash_value equal
// the digests computed locally (ahead of the upload or alongside it). Cancel aborts the transfer and deletes the image;
// any other failure keeps the image id so that a retry reuses (queued) or replaces it.
import { msg, str } from '@lit/localize';
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { imagePatch, type ImageEdits } from '../../core/openstack/image-patch.ts';
import { OpenStackError, isOpenStackError } from '../../core/openstack/errors.ts';
import type { GlanceImage, ImageCreateFields, ImageSchemaInfo, ImageVisibility, StoreInfo } from '../../core/openstack/types.ts';
import type { ImageDigests } from '../../core/hash/image-hasher.ts';
import type { DigestJob } from '../../core/hash/file-digests.ts';
import type { CheckLine, CreateRequest, Phase, UploadProgress } from './cloud-create-form.ts';
import { formatBytes } from './format.ts';
import { RateMeter, verifyImageDigests } from '../../core/openstack/image-upload.ts';

/**
 * Sends image bytes to /file or /stage, as fast as the plain transport goes: the local digests
 * come from the file's DigestJob, computed apart from the transfer.
 */
export interface DataUploader {
  send(
    target: 'file' | 'stage',
    imageId: string,
    blob: Blob,
    options: { signal: AbortSignal; onProgress: (sent: number) => void },
  ): Promise<void>;
}

/** The safety verdict for the chosen file (from the inspector or the core safety check). */
export interface Verdict {
  safe: boolean;
  /** Detected format in Glance's disk_format vocabulary (raw, qcow2, vmdk, vhd...). */
  diskFormat: string | null;
  /** The first blocking finding, as a sentence. */
  reason?: string;
}

export interface FlowContext {
  glance: GlanceClient;
  uploader: DataUploader;
  schema: ImageSchemaInfo;
  importMethods: string[];
  stores: StoreInfo[];
  /**
   * The digest job for the file (already running since the file was offered, or started now and
   * running alongside the transfer).
   */
  digestsFor: (file: File) => DigestJob;
}

export interface FlowReport {
  checks(lines: CheckLine[]): void;
  phase(p: Phase): void;
  progress(p: UploadProgress | null): void;
  /** The image this attempt created or reused (kept for a retry until success or cleanup). */
  image(id: string): void;
}

export interface FlowOutcome {
  image: GlanceImage;
  message: string;
  /** The byte transfer alone (PUT /file or /stage), when this attempt sent the file. */
  transfer?: { bytes: number; ms: number };
}

function fail(message: string, kind: OpenStackError['kind'] = 'bad-config'): never {
  throw new OpenStackError(message, { kind });
}

/** Runs every check that needs no upload; returns the lines shown, throws on the first blocker. */
export async function preflight(ctx: FlowContext, req: CreateRequest, verdict: Verdict | null, report: FlowReport): Promise<void> {
  const lines: CheckLine[] = [];
  const push = (ok: boolean, text: string) => {
    lines.push({ ok, text });
    report.checks([...lines]);
    if (!ok) fail(text);
  };
  const f = req.fields;
  if (!f.name.trim()) push(false, msg('Give the image a name, then create it again.'));
  if (!f.disk_format) push(false, msg('Choose a disk format, then create the image again.'));
  const dfs = ctx.schema.diskFormats;
  push(!dfs.length || dfs.includes(f.disk_format),
    dfs.includes(f.disk_format) ? msg(str`This cloud accepts disk format "${f.disk_format}".`)
      : msg(str`This cloud does not accept disk format "${f.disk_format}" (it accepts ${dfs.join(', ')}): convert the image to one of those first.`));
  const cfs = ctx.schema.containerFormats;
  push(!cfs.length || cfs.includes(f.container_format),
    cfs.includes(f.container_format) ? msg(str`This cloud accepts container format "${f.container_format}".`)
      : msg(str`This cloud does not accept container format "${f.container_format}" (it accepts ${cfs.join(', ')}): choose one of those.`));
  if (req.method !== 'direct')
    push(ctx.importMethods.includes(req.method),
      ctx.importMethods.includes(req.method) ? msg(str`The cloud offers the import method ${req.method}.`)
        : msg(str`This cloud does not offer the import method ${req.method} (it offers ${ctx.importMethods.join(', ') || 'none'}): choose another upload method.`));
  push(true, ctx.stores.length
    ? msg(str`Stores: ${ctx.stores.map((s) => (s.default ? `${s.id} (default)` : s.id)).join(', ')}.`)
    : msg('The cloud has a single image store.'));
  if (req.source.kind === 'url') {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(req.source.url).protocol);
    } catch {
      ok = false;
    }
    push(ok, ok ? msg('The image URL is an http(s) URL Glance can download.') : msg('The image URL must be an http:// or https:// address; correct it and try again.'));
    return;
  }
  const file = req.source.file;
  push(file.size > 0, file.size > 0 ? msg(str`The file holds ${formatBytes(file.size)}.`) : msg('The chosen file is empty; choose the image file again.'));
  const usage = await ctx.glance.usage();
  const total = usage?.image_size_total;
  if (total && total.limit !== null && total.limit >= 0) {
    // unified limits count image_size_total in MiB
    const needMiB = Math.ceil(file.size / 1048576);
    const left = total.limit - total.usage;
    push(needMiB <= left, needMiB <= left
      ? msg(str`Your image storage quota has room (${left} MiB left, the file needs ${needMiB} MiB).`)
      : msg(str`Your image storage quota has ${left} MiB left but the file needs ${needMiB} MiB: delete images or ask the operator for more quota.`));
  } else {
    push(true, msg('The cloud reports no storage quota; its size cap, if any, is enforced during the upload.'));
  }
  if (!verdict) push(false, msg('The safety check of this file has not finished; wait for it, then create the image again.'));
  else {
    push(verdict.safe, verdict.safe ? msg('Safety check: Glance will accept the file as it is.')
      : msg(str`Safety check failed: ${verdict.reason ?? 'the file would be rejected by Glance'}. Convert it (e.g. to qcow2) before uploading.`));
    if (verdict.diskFormat)
      push(verdict.diskFormat === f.disk_format, verdict.diskFormat === f.disk_format
        ? msg(str`The file's content is ${verdict.diskFormat}, as declared.`)
        : msg(str`The file's content is ${verdict.diskFormat} but the format is set to ${f.disk_format}: Glance rejects such a mismatch, so set the format to ${verdict.diskFormat}.`));
  }
}

function createFields(req: CreateRequest): ImageCreateFields {
  const f = req.fields;
  return {
    name: f.name.trim(),
    description: f.description || undefined,
    disk_format: f.disk_format,
    container_format: f.container_format,
    architecture: f.architecture || undefined,
    min_disk: f.min_disk,
    min_ram: f.min_ram,
    visibility: f.visibility as ImageVisibility,
    protected: f.protected,
    kernel_id: f.kernel_id || undefined,
    ramdisk_id: f.ramdisk_id || undefined,
    properties: Object.fromEntries(Object.entries(f.properties).filter(([k]) => k.trim())),
  };
}

/** The edits that make a reused queued image match the form. */
function editsFor(req: CreateRequest, image: GlanceImage): ImageEdits {
  const c = createFields(req);
  const props: Record<string, string> = { ...(c.properties ?? {}) };
  for (const k of ['description', 'architecture', 'kernel_id', 'ramdisk_id'] as const) if (c[k]) props[k] = c[k]!;
  // keep Glance's own bookkeeping properties (os_glance_*) out of the removal set
  for (const [k, v] of Object.entries(image)) if (k.startsWith('os_glance') && typeof v === 'string') props[k] = v;
  return {
    core: { name: c.name, disk_format: c.disk_format, container_format: c.container_format, min_disk: c.min_disk, min_ram: c.min_ram, visibility: c.visibility, protected: c.protected },
    properties: props,
  };
}

/** Deletes an image this page created, unprotecting it first when needed. */
export async function discardImage(glance: GlanceClient, id: string): Promise<void> {
  try {
    await glance.deleteImage(id);
  } catch (e) {
    if (isOpenStackError(e, 'not-found')) return;
    if (isOpenStackError(e, 'protected')) {
      await glance.unprotectAndDelete(id);
      return;
    }
    throw e;
  }
}

/** Waits for the local digests, but a cancel does not wait for the hashing (which goes on for a retry). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new OpenStackError(msg('Cancelled.'), { kind: 'aborted' }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new OpenStackError(msg('Cancelled.'), { kind: 'aborted' }));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, (e: unknown) => reject(
      signal.aborted || isOpenStackError(e)
        ? e
        : new OpenStackError(
            msg(str`The checksums of the file could not be computed (${(e as Error)?.message ?? String(e)}), so the upload cannot be verified: choose the file again and create the image again.`),
            { kind: 'hash-mismatch', cause: e },
          ),
    )).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class UploadFlow {
  /** Digests of the last completed transfer, so a retry after a failed verification need not resend. */
  #lastDigests: { imageId: string; digests: Promise<ImageDigests> } | null = null;

  constructor(private ctx: FlowContext) {}

  /** After a new sign-in or another region: same flow (and its memory of the last transfer). */
  setContext(ctx: FlowContext) {
    this.ctx = ctx;
  }

  async run(req: CreateRequest, verdict: Verdict | null, pendingId: string, signal: AbortSignal, report: FlowReport): Promise<FlowOutcome> {
    const { glance } = this.ctx;
    report.phase('checking');
    report.progress(null);
    await preflight(this.ctx, req, verdict, report);
    if (signal.aborted) fail(msg('Cancelled before anything was sent.'), 'aborted');

    report.phase('creating');
    let image = await this.#reuseOrReplace(req, pendingId);
    if (image && image.status === 'active' && this.#lastDigests?.imageId === image.id) {
      report.image(image.id);
      report.phase('verifying');
      return this.#verify(image, await abortable(this.#lastDigests.digests, signal));
    }
    if (!image) image = await glance.createImage(createFields(req));
    const id = image.id;
    report.image(id);

    try {
      let digests: Promise<ImageDigests> | null = null;
      let transfer: FlowOutcome['transfer'];
      if (req.source.kind === 'file') {
        const file = req.source.file;
        report.phase('uploading');
        const meter = new RateMeter();
        let last = 0;
        const onProgress = (sent: number) => {
          const now = performance.now();
          if (now - last < 200 && sent < file.size) return;
          last = now;
          const bytesPerSecond = meter.add(sent);
          report.progress({ sent, total: file.size, bytesPerSecond, secondsLeft: bytesPerSecond > 0 ? (file.size - sent) / bytesPerSecond : Infinity });
        };
        const t0 = performance.now();
        // digests ready (or being computed) elsewhere: send with the plain transport, and let
        // the hashing finish alongside the transfer and Glance's own processing
        const job = this.ctx.digestsFor(file);
        const target = req.method === 'glance-direct' ? 'stage' : 'file';
        await this.ctx.uploader.send(target, id, file, { signal, onProgress });
        digests = job.digests;
        transfer = { bytes: file.size, ms: performance.now() - t0 };
        report.progress({ sent: file.size, total: file.size, bytesPerSecond: 0, secondsLeft: 0 });
        this.#lastDigests = { imageId: id, digests };
        if (req.method === 'glance-direct') {
          report.phase('importing');
          await glance.importImage(id, { name: 'glance-direct' });
        }
      } else {
        report.phase('importing');
        await glance.importImage(id, { name: 'web-download', uri: req.source.url });
      }
      report.phase('verifying');
      const [done, local] = await Promise.all([
        glance.waitForImage(id, { intervalMs: 500, timeoutMs: 15 * 60_000, signal }),
        digests ? abortable(digests, signal) : null,
      ]);
      if (signal.aborted) fail(msg('Cancelled.'), 'aborted');
      return local ? { ...this.#verify(done, local), transfer } : {
        image: done,
        message: msg(str`The image "${done.name ?? done.id}" is active (${formatBytes(done.size)}, downloaded by Glance).`),
      };
    } catch (e) {
      if (signal.aborted || isOpenStackError(e, 'aborted')) {
        // Cancel means the image must not stay half-made: Glance resets it to queued, we delete it.
        await discardImage(glance, id);
        report.image('');
        throw new OpenStackError(msg(str`Upload cancelled: the transfer was stopped and the image ${id} was deleted.`), { kind: 'aborted' });
      }
      throw e;
    }
  }

  async #reuseOrReplace(req: CreateRequest, pendingId: string): Promise<GlanceImage | null> {
    if (!pendingId) return null;
    const { glance } = this.ctx;
    let old: GlanceImage;
    try {
      old = await glance.getImage(pendingId);
    } catch (e) {
      if (isOpenStackError(e, 'not-found')) return null;
      throw e;
    }
    if (old.status === 'queued') {
      const ops = imagePatch(old, editsFor(req, old));
      return ops.length ? glance.updateImage(old.id, ops) : old;
    }
    if (old.status === 'active' && this.#lastDigests?.imageId === old.id) return old;
    // saving (an upload that died with Glance), killed, importing with a failed task...: replace it
    await discardImage(glance, old.id);
    return null;
  }

  #verify(image: GlanceImage, d: ImageDigests): FlowOutcome {
    if (image.os_hash_algo && image.os_hash_algo !== 'sha512')
      throw new OpenStackError(
        msg(str`Glance hashes with ${image.os_hash_algo}, not sha512, so the upload of "${image.name ?? image.id}" cannot be verified: check the image yourself before using it.`),
        { kind: 'hash-mismatch' },
      );
    verifyImageDigests(image, d);
    return {
      image,
      message: msg(str`The image "${image.name ?? image.id}" is active and its checksums match your file (sha512 ${d.sha512.slice(0, 16)}…, md5 ${d.md5}).`),
    };
  }
}
