// Files shared to the installed app (the manifest's share_target; Chromium on Android and
// ChromeOS): public/share-target-sw.js keeps them in IndexedDB and redirects here with ?shared=1;
// the app takes them, hands them to <image-inspector> and deletes the kept copy (a disk image
// stays on this machine, and a second load must not inspect it again).

/** The same names as in public/share-target-sw.js. */
const SHARE_DB = 'image-inspector-share';
const SHARE_STORE = 'shared';
const SHARE_KEY = 'files';
/** Set by the service worker on its redirect. */
const SHARED_PARAM = 'shared';

function openShareDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(SHARE_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(SHARE_STORE);
    open.onerror = () => reject(open.error ?? new Error('shared files: IndexedDB did not open'));
    open.onsuccess = () => resolve(open.result);
  });
}

/** Reads and deletes the kept files in one transaction, so they are taken at most once. */
async function takeSharedFiles(): Promise<File[]> {
  const db = await openShareDb();
  try {
    return await new Promise<File[]>((resolve, reject) => {
      const tx = db.transaction(SHARE_STORE, 'readwrite');
      const store = tx.objectStore(SHARE_STORE);
      const read = store.get(SHARE_KEY);
      let files: File[] = [];
      read.onsuccess = () => {
        const value: unknown = read.result;
        files = Array.isArray(value) ? value.filter((f): f is File => f instanceof File) : [];
        store.delete(SHARE_KEY);
      };
      tx.oncomplete = () => resolve(files);
      tx.onerror = () => reject(tx.error ?? new Error('shared files: the IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

/** Calls `inspect` with the files shared to the app, when this load is a share's redirect. */
export function consumeSharedFiles(inspect: (files: File[]) => void): void {
  const url = new URL(location.href);
  if (!url.searchParams.has(SHARED_PARAM)) return;
  // A reload or bookmark of this address must not look for a share again.
  url.searchParams.delete(SHARED_PARAM);
  history.replaceState(history.state, '', url.href);
  void takeSharedFiles().then(
    (files) => {
      if (files.length) inspect(files);
    },
    (error: unknown) => console.error('image-inspector: the shared files could not be read', error),
  );
}
