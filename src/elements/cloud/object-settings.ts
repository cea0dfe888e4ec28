// The settings of an object-storage upload beyond where it goes: the part (segment) size and the
// parts in flight an operator tunes for a link or a cluster (as the CLI's --segment-size and
// --parallel; blank means the engine's choice from the file size and the store's limits, 8 in
// flight), and whether the object stays once Glance has imported its copy. The typed text is kept
// as typed and read into numbers only when the upload starts; a size the store's limits refuse is
// refused by the engine before anything is sent or given up.
import { html, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import { DEFAULT_PARALLEL, MAX_PARALLEL, parseSize, pickTimePartSize } from '../../core/upload/part-size.ts';
import { OpenStackError } from '../../core/openstack/errors.ts';
import { formatBytes } from './format.ts';

/** What the user typed (strings, blank for the engine's choice) and chose. */
export interface ObjectSettings {
  partSize?: string;
  parallel?: string;
  /** Delete the object once Glance holds its own copy (the default keeps it). */
  deleteAfter?: boolean;
}

/** The numbers for the engine; throws a 'bad-config' OpenStackError the page shows as it is. */
export function readPartSettings(s: ObjectSettings): { partSize?: number; parallel?: number } {
  const size = s.partSize?.trim();
  const inFlight = s.parallel?.trim();
  const out: { partSize?: number; parallel?: number } = {};
  if (size) out.partSize = parseSize(size);
  if (inFlight) {
    const n = Number(inFlight);
    if (!/^\d+$/.test(inFlight) || n < 1 || n > MAX_PARALLEL)
      throw new OpenStackError(msg(str`Parts in flight must be a whole number from 1 to ${MAX_PARALLEL} (got "${inFlight}").`), {
        kind: 'bad-config',
      });
    out.parallel = n;
  }
  return out;
}

/**
 * The Swift container typed in the form (blank: `images`), checked before anything is sent: Swift
 * reads a "/" as the start of an object name (its answer is a 404 that says nothing useful), and
 * the segment container `<container>_segments` must fit Swift's 256-byte limit too.
 */
export function swiftContainerName(typed: string): string {
  const container = typed.trim() || 'images';
  if (container.includes('/'))
    throw new OpenStackError(
      msg(str`A Swift container name cannot contain "/" (got "${container}"): choose a name without it, e.g. images.`),
      {
        kind: 'bad-config',
      },
    );
  if (new TextEncoder().encode(`${container}_segments`).length > 256)
    throw new OpenStackError(
      msg(
        str`The container name "${container}" is too long: with "_segments" added for the segments it must fit in 256 bytes; choose a shorter name.`,
      ),
      { kind: 'bad-config' },
    );
  return container;
}

/** Past this many parts an import is slow: Glance reads a large object's segments one after the
 *  other (measured here: 492 parts of 100 KiB took it 8 minutes for 48 MiB). */
const MANY_PARTS = 200;

/** A warning when the typed part size cuts the file into many parts (still allowed). */
export function manyPartsHint(typed: string | undefined, fileSize: number | undefined): string {
  if (!typed?.trim() || !fileSize) return '';
  let size: number;
  try {
    size = parseSize(typed);
  } catch {
    return ''; // the engine refuses it with its own sentence when the upload starts
  }
  const parts = size > 0 ? Math.ceil(fileSize / size) : 0;
  return parts > MANY_PARTS
    ? msg(str`That makes ${parts} parts: Glance's import reads them one after the other, so parts this small make it slow.`)
    : '';
}

export function renderObjectSettings(
  s: ObjectSettings,
  fileSize: number | undefined,
  onChange: (s: ObjectSettings) => void,
): TemplateResult {
  const auto = fileSize !== undefined ? pickTimePartSize(fileSize) : undefined;
  const many = manyPartsHint(s.partSize, fileSize);
  return html`<label for="part-size">${msg('Part size')}</label>
    <div><input id="part-size" name="part-size" placeholder=${auto ? formatBytes(auto) : msg('automatic')}
        .value=${s.partSize ?? ''} @input=${(e: Event) => onChange({ ...s, partSize: (e.target as HTMLInputElement).value })} />
      <span class="hint">${
        auto
          ? msg(str`Blank: ${formatBytes(auto)} for this file, from its size and the store's limits. K, M or G suffixes (e.g. 64M).`)
          : msg("Blank: chosen from the file's size and the store's limits. K, M or G suffixes (e.g. 64M).")
      }</span>${many ? html` <span class="hint warn" data-role="many-parts">${many}</span>` : ''}</div>
    <label for="parallel">${msg('Parts in flight')}</label>
    <div><input id="parallel" name="parallel" type="number" min="1" max=${MAX_PARALLEL} placeholder=${String(DEFAULT_PARALLEL)}
        .value=${s.parallel ?? ''} @input=${(e: Event) => onChange({ ...s, parallel: (e.target as HTMLInputElement).value })} />
      <span class="hint">${msg(str`Blank: ${DEFAULT_PARALLEL}. Fewer for a slow or shared link, more for a long fat one.`)}</span></div>
    <span>${msg('After the import')}</span>
    <label class="check" for="delete-object"><input type="checkbox" id="delete-object" name="delete-object" .checked=${!!s.deleteAfter}
        @change=${(e: Event) => onChange({ ...s, deleteAfter: (e.target as HTMLInputElement).checked })} />
      ${msg('Delete the object once Glance has imported it (Glance keeps its own copy)')}</label>`;
}
