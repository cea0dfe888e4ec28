// The checks run before an upload sends anything (formats the cloud accepts, import methods,
// quota, the file's safety verdict), and the create form's fields in Glance's vocabulary.
import { msg, str } from '@lit/localize';
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { OpenStackError } from '../../core/openstack/errors.ts';
import type { ImageCreateFields, ImageSchemaInfo, ImageVisibility, StoreInfo } from '../../core/openstack/types.ts';
import { propertyKeyRefusal } from '../../core/openstack/image-fields.ts';
import { errorText } from './error-text.ts';
import type { CheckLine, CreateRequest } from './cloud-create-form.ts';
import { formatBytes } from './format.ts';
import { storeLabel } from './labels.ts';

export interface PreflightContext {
  glance: GlanceClient;
  schema: ImageSchemaInfo;
  importMethods: string[];
  stores: StoreInfo[];
}

/** The safety verdict for the chosen file (from the inspector or the core safety check). */
export interface Verdict {
  safe: boolean;
  /** Detected format in Glance's disk_format vocabulary (raw, qcow2, vmdk, vhd...). */
  diskFormat: string | null;
  /** The first blocking finding, as a sentence. */
  reason?: string;
}

export function fail(message: string, kind: OpenStackError['kind'] = 'bad-config'): never {
  throw new OpenStackError(message, { kind });
}

/** Runs every check that needs no upload; returns the lines shown, throws on the first blocker. */
export async function preflight(
  ctx: PreflightContext,
  req: CreateRequest,
  verdict: Verdict | null,
  report: { checks(lines: CheckLine[]): void },
): Promise<void> {
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
  push(
    !dfs.length || dfs.includes(f.disk_format),
    dfs.includes(f.disk_format)
      ? msg(str`This cloud accepts disk format "${f.disk_format}".`)
      : !dfs.length
        ? msg(
            str`Disk format "${f.disk_format}" not checked here: the cloud's image schema (/v2/schemas/image) listed no formats; Glance checks it when the image is created.`,
          )
        : msg(
            str`This cloud does not accept disk format "${f.disk_format}" (it accepts ${dfs.join(', ')}): convert the image to one of those first.`,
          ),
  );
  const cfs = ctx.schema.containerFormats;
  push(
    !cfs.length || cfs.includes(f.container_format),
    cfs.includes(f.container_format)
      ? msg(str`This cloud accepts container format "${f.container_format}".`)
      : !cfs.length
        ? msg(
            str`Container format "${f.container_format}" not checked here: the cloud's image schema (/v2/schemas/image) listed no formats; Glance checks it when the image is created.`,
          )
        : msg(
            str`This cloud does not accept container format "${f.container_format}" (it accepts ${cfs.join(', ')}): choose one of those.`,
          ),
  );
  // an object-storage upload creates the image once the object is stored: Glance's refusal of a
  // property name would come after the whole file went
  for (const key of Object.keys(createFields(req).properties ?? {})) {
    const refusal = propertyKeyRefusal(key);
    if (refusal) push(false, errorText(refusal));
  }
  // object storage uploads are registered in Glance by a web-download of the stored object
  const importMethod = req.method === 'swift' || req.method === 's3' ? 'web-download' : req.method;
  if (importMethod !== 'direct')
    push(
      ctx.importMethods.includes(importMethod),
      ctx.importMethods.includes(importMethod)
        ? msg(str`The cloud offers the import method ${importMethod}.`)
        : msg(
            str`This cloud does not offer the import method ${importMethod} (it offers ${ctx.importMethods.join(', ') || 'none'}): choose another upload method.`,
          ),
    );
  push(true, ctx.stores.length ? msg(str`Stores: ${ctx.stores.map(storeLabel).join(', ')}.`) : msg('The cloud has a single image store.'));
  if (req.source.kind === 'url') {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(req.source.url).protocol);
    } catch {
      ok = false;
    }
    push(
      ok,
      ok
        ? msg('The image URL is an http(s) URL Glance can download.')
        : msg('The image URL must be an http:// or https:// address; correct it and try again.'),
    );
    return;
  }
  const file = req.source.file;
  push(
    file.size > 0,
    file.size > 0 ? msg(str`The file holds ${formatBytes(file.size)}.`) : msg('The chosen file is empty; choose the image file again.'),
  );
  const usage = await ctx.glance.usage();
  const total = usage?.image_size_total;
  if (total && total.limit !== null && total.limit >= 0) {
    // unified limits count image_size_total in MiB
    const needMiB = Math.ceil(file.size / 1048576);
    const left = total.limit - total.usage;
    push(
      needMiB <= left,
      needMiB <= left
        ? msg(str`Your image storage quota has room (${left} MiB left, the file needs ${needMiB} MiB).`)
        : msg(
            str`Your image storage quota has ${left} MiB left but the file needs ${needMiB} MiB: delete images or ask the operator for more quota.`,
          ),
    );
  } else {
    push(true, msg('The cloud reports no storage quota; its size cap, if any, is enforced during the upload.'));
  }
  if (!verdict) push(false, msg('The safety check of this file has not finished; wait for it, then create the image again.'));
  else {
    push(
      verdict.safe,
      verdict.safe
        ? msg('Safety check: Glance will accept the file as it is.')
        : msg(
            str`Safety check failed: ${withoutFinalStop(verdict.reason ?? msg('Glance would reject the file'))}. Convert it first (on the Inspect tab), then upload the converted image.`,
          ),
    );
    if (verdict.diskFormat)
      push(
        verdict.diskFormat === f.disk_format,
        verdict.diskFormat === f.disk_format
          ? msg(str`The file's content is ${verdict.diskFormat}, as declared.`)
          : msg(
              str`The file's content is ${verdict.diskFormat} but the format is set to ${f.disk_format}: Glance rejects such a mismatch, so set the format to ${verdict.diskFormat}.`,
            ),
      );
  }
}

/** A sentence without its closing full stop, to be embedded in another ("… too.. Convert"). */
export function withoutFinalStop(s: string): string {
  return s.trim().replace(/[.。]+$/, '');
}

export function createFields(req: CreateRequest): ImageCreateFields {
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
