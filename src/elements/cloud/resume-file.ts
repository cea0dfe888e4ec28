// Getting the file of an unfinished upload back after a reload or a restart: reopen the
// FileSystemFileHandle kept in IndexedDB (one permission prompt, Chromium), or check a file the
// user picked again against the stored identity (size, name, fingerprint of sampled ranges)
// before any stored part is reused.
import { msg, str } from '@lit/localize';
import type { FileIdentity } from '../../core/upload/types.ts';
import type { StoredFileHandle } from '../../../workers/upload/idb-state-store.ts';

export type Fingerprint = (blob: Blob) => Promise<string>;

export type Reopened = { file: File } | { file: null; reason: string };

/** The file behind a kept handle; asks for read permission once (call from a click). */
export async function reopenFromHandle(handle: StoredFileHandle): Promise<Reopened> {
  try {
    let state = (await handle.queryPermission?.({ mode: 'read' })) ?? 'granted';
    if (state !== 'granted') state = (await handle.requestPermission?.({ mode: 'read' })) ?? 'denied';
    if (state !== 'granted')
      return { file: null, reason: msg(str`Reading "${handle.name}" again was not allowed: allow it, or choose the file again.`) };
    return { file: await handle.getFile() };
  } catch (e) {
    // moved, deleted or on a drive no longer there
    return { file: null, reason: msg(str`"${handle.name}" could not be opened again (${(e as Error).message}): choose the file again.`) };
  }
}

/** null when the picked file is the one the stored parts came from, else why not. */
export async function mismatch(stored: FileIdentity, file: File, fingerprint: Fingerprint): Promise<string | null> {
  if (file.size !== stored.size)
    return msg(
      str`"${file.name}" has ${file.size} bytes, the unfinished upload was of ${stored.size} bytes: choose "${stored.name}" again.`,
    );
  if (file.name !== stored.name) return msg(str`The unfinished upload was of "${stored.name}", not "${file.name}": choose that file.`);
  if ((await fingerprint(file)) !== stored.fingerprint)
    return msg(
      str`"${file.name}" has changed since the upload started (its content differs): delete the unfinished upload and start again.`,
    );
  return null;
}

interface PickerWindow {
  showOpenFilePicker?: (options?: { multiple?: boolean }) => Promise<StoredFileHandle[]>;
}

/** True where the page can pick a file with a handle it may keep (Chromium). */
export function canPickWithHandle(): boolean {
  return typeof (globalThis as PickerWindow).showOpenFilePicker === 'function';
}

/** showOpenFilePicker: the file and its handle; null when the user closed the picker. */
export async function pickWithHandle(): Promise<{ file: File; handle: StoredFileHandle } | null> {
  const pick = (globalThis as PickerWindow).showOpenFilePicker;
  if (!pick) return null;
  try {
    const [handle] = await pick({ multiple: false });
    return handle ? { file: await handle.getFile(), handle } : null;
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    throw e;
  }
}

interface HandleItem {
  getAsFileSystemHandle?: () => Promise<{ kind: string } | null>;
}

/** The handle of a dropped file, where the browser offers one (read it during the drop event). */
export function handleFromDrop(items: DataTransferItemList | undefined): Promise<StoredFileHandle | null> {
  const item = items?.[0] as (DataTransferItem & HandleItem) | undefined;
  if (!item || item.kind !== 'file' || !item.getAsFileSystemHandle) return Promise.resolve(null);
  return item.getAsFileSystemHandle().then(
    (h) => (h && h.kind === 'file' ? (h as unknown as StoredFileHandle) : null),
    () => null,
  );
}
