// "Convert to a file…" up to its conversion: whether this browser can stream one into a chosen
// file, and the save dialog that chooses it. Apart from convert-to-file.ts, which is loaded lazily:
// the card asks before any conversion ran, and the dialog must open within the click's user
// activation, before anything is loaded.
type SavePicker = (o: { suggestedName: string }) => Promise<FileSystemFileHandle>;

/** The browser can stream a conversion into a chosen file: SharedArrayBuffer (cross-origin
 *  isolation) and the save dialog (File System Access). Embedded without isolation (Horizon),
 *  outputs go to OPFS and "Save as…" copies them out (docs/decisions/0005). */
export function canConvertToFile(): boolean {
  return (
    typeof SharedArrayBuffer === 'function' &&
    globalThis.crossOriginIsolated === true &&
    typeof (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function'
  );
}

/** The file the user chose in the save dialog; undefined when the browser has none or the user
 *  closed it (that does nothing). Any other refusal of the dialog throws. */
export async function chooseOutputFile(suggestedName: string): Promise<FileSystemFileHandle | undefined> {
  const pick = (globalThis as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  if (!pick) return undefined;
  try {
    return await pick({ suggestedName });
  } catch (e) {
    if ((e as { name?: string }).name === 'AbortError') return undefined;
    throw e;
  }
}
