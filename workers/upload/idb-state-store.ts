// Resume state of object-storage uploads in IndexedDB (the engine's UploadStateStore), shared by
// the upload worker (the engine writes it) and the page (lists unfinished uploads after a reload,
// deletes them). Beside each state, where the browser offers one, the FileSystemFileHandle of
// the file (structured-cloned by IndexedDB), so that a resume reopens it with one permission
// prompt instead of a new pick. Never a token, password, TempURL key or EC2 secret: put() refuses
// a state that carries a field named like one.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredUploadState, UploadStateStore } from '../../src/core/upload/types.ts';

export const UPLOADS_DB = 'image-inspector-uploads';

/** A file handle (FileSystemFileHandle in Chromium) as far as this module needs it. */
export interface StoredFileHandle {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
  queryPermission?(descriptor?: { mode?: 'read' | 'readwrite' }): Promise<PermissionState>;
  requestPermission?(descriptor?: { mode?: 'read' | 'readwrite' }): Promise<PermissionState>;
}

interface UploadsSchema extends DBSchema {
  states: { key: string; value: StoredUploadState };
  handles: { key: string; value: { id: string; handle: StoredFileHandle } };
}

const SECRET_FIELD = /token|secret|password|signature|tempurl|credential/i;

/** Throws when any field name anywhere in the state looks like a secret's. */
export function assertNoSecrets(value: unknown, path = 'state'): void {
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_FIELD.test(k)) throw new Error(`refusing to store ${path}.${k}: upload state never holds credentials`);
    assertNoSecrets(v, `${path}.${k}`);
  }
}

export function openUploadsDb(name = UPLOADS_DB): Promise<IDBPDatabase<UploadsSchema>> {
  return openDB<UploadsSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('states', { keyPath: 'id' });
      db.createObjectStore('handles', { keyPath: 'id' });
    },
  });
}

export class IdbUploadStateStore implements UploadStateStore {
  #db: Promise<IDBPDatabase<UploadsSchema>> | null = null;

  constructor(private readonly dbName = UPLOADS_DB) {}

  #open(): Promise<IDBPDatabase<UploadsSchema>> {
    return (this.#db ??= openUploadsDb(this.dbName));
  }

  async get(id: string): Promise<StoredUploadState | undefined> {
    return (await this.#open()).get('states', id);
  }

  async put(state: StoredUploadState): Promise<void> {
    assertNoSecrets(state);
    await (await this.#open()).put('states', state);
  }

  /** Deletes the state and the file handle kept with it. */
  async delete(id: string): Promise<void> {
    const tx = (await this.#open()).transaction(['states', 'handles'], 'readwrite');
    await Promise.all([tx.objectStore('states').delete(id), tx.objectStore('handles').delete(id), tx.done]);
  }

  /** Newest first. */
  async list(): Promise<StoredUploadState[]> {
    const all = await (await this.#open()).getAll('states');
    return all.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async putHandle(id: string, handle: StoredFileHandle): Promise<void> {
    await (await this.#open()).put('handles', { id, handle });
  }

  async getHandle(id: string): Promise<StoredFileHandle | undefined> {
    return (await (await this.#open()).get('handles', id))?.handle;
  }

  close(): void {
    void this.#db?.then((db) => db.close());
    this.#db = null;
  }
}
