// The image a failed attempt of the create form left behind (created, no data yet), and what the
// next attempt does with it. It was made for one source (file or URL) with the form's details of
// then: the same source with the same details uploads into it; anything else gets an image of its
// own, the empty one deleted (it was this page's and holds nothing), so that a retry never renames
// an image into another upload nor leaves a second image of the name behind. Each way is said.
import { msg, str } from '@lit/localize';
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { GlanceImage } from '../../core/openstack/types.ts';
import { differingFields } from '../../core/upload/register.ts';
import type { CreateRequest } from './create-form-model.ts';
import { createFields } from './preflight.ts';
import { sentence } from './sentence.ts';

/** What an attempt sent: a file by its identity (the same bytes picked again match), or a URL. */
export interface PendingSource {
  key: string;
  /** The file name or the URL, for the sentences. */
  label: string;
}

export function sourceOf(req: CreateRequest): PendingSource {
  if (req.source.kind === 'url') return { key: `url:${req.source.url}`, label: req.source.url };
  const f = req.source.file;
  return { key: `file:${f.name}:${f.size}:${f.lastModified}`, label: f.name };
}

export interface PendingImage {
  id: string;
  source: PendingSource | null;
}

export interface Settled {
  /** The earlier image to upload into (or, active, to check again); null: create a new one. */
  image: GlanceImage | null;
  /** What was done with the earlier image, for the form's check lines. */
  notice?: string;
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

async function replaced(glance: GlanceClient, id: string, why: string): Promise<Settled> {
  try {
    await discardImage(glance, id);
    return { image: null, notice: why };
  } catch (e) {
    return {
      image: null,
      notice: msg(
        str`The image ${id} the last attempt left could not be deleted (${sentence(e)}): delete it yourself; a new image is created.`,
      ),
    };
  }
}

/** Decides, before anything is created or sent, what becomes of the image the last attempt left. */
export async function settlePending(glance: GlanceClient, pending: PendingImage | null, req: CreateRequest): Promise<Settled> {
  if (!pending?.id) return { image: null };
  let old: GlanceImage;
  try {
    old = await glance.getImage(pending.id);
  } catch (e) {
    if (isOpenStackError(e, 'not-found')) return { image: null }; // deleted since (the list's clean-up, another tab)
    throw e;
  }
  const source = sourceOf(req);
  const sameSource = pending.source?.key === source.key;
  const differ = differingFields(old, createFields(req));
  const id = old.id;
  if (sameSource && !differ.length) {
    if (old.status === 'queued')
      return { image: old, notice: msg(str`Uploading into the image ${id} that the last attempt created and left queued.`) };
    // the data went in but its check did not finish: checked again, nothing resent
    if (old.status === 'active')
      return { image: old, notice: msg(str`The image ${id} that the last attempt uploaded is active: checking it against the file.`) };
  }
  if (old.status === 'active')
    return {
      image: null,
      notice: msg(
        str`The image ${id} of the last attempt is active with other data or details: it is left as it is, and a new image is created.`,
      ),
    };
  if (old.status !== 'queued')
    return replaced(
      glance,
      id,
      msg(str`The image ${id} the last attempt left is "${old.status}" and cannot take data: it is deleted, and a new image is created.`),
    );
  if (!sameSource)
    return replaced(
      glance,
      id,
      msg(
        str`The image ${id} the last attempt left queued was made for ${pending.source?.label ?? id}: it held no data and is deleted, and a new image is created for ${source.label}.`,
      ),
    );
  return replaced(
    glance,
    id,
    msg(
      str`The image ${id} the last attempt left queued has another ${differ.join(', ')}: it held no data and is deleted, and a new image is created with the form's details.`,
    ),
  );
}
