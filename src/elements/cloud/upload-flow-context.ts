// What an upload flow runs with: the signed-in session's Glance, schema, import methods, stores
// and object stores, the panel's upload worker, and the page side of each upload (tokens, the
// pick-time pass's digests). Built for each run: the session may have changed since the last.
import type { ObjectTarget } from '../../core/upload/types.ts';
import type { UploadClient } from '../../../workers/upload/client.ts';
import type { FlowContext } from './upload-flow.ts';
import type { PickTimeHashing } from './pick-time-hashing.ts';
import { objectStoresOf, type SessionController } from './session-controller.ts';

export interface FlowParts {
  /** The panel's upload worker, started on first use (so not before someone signed in). */
  uploads: () => UploadClient;
  hashing: PickTimeHashing;
  onObjectStart: (file: File, target: ObjectTarget) => void;
}

/** Null when no one is signed in. */
export function flowContextOf(s: SessionController, parts: FlowParts): FlowContext | null {
  const g = s.glance;
  const ks = s.session;
  if (!g || !ks) return null;
  const { hashing } = parts;
  return {
    onObjectStart: parts.onObjectStart,
    glance: g,
    schema: s.schema,
    importMethods: s.importMethods,
    stores: s.stores,
    objectStores: objectStoresOf(s),
    uploads: parts.uploads(),
    pageSide: (file, progress, notice) => ({
      getToken: () => ks.getToken(),
      invalidate: (t) => ks.invalidate(t),
      canRenew: () => ks.canRenew,
      // reuses the job started when the file was offered; starts one now if there was none
      whole: () => hashing.digestsOf(file),
      partsSoFar: () => hashing.partsSoFar(file),
      progress: (p) => {
        // hashing waits until the object is stored: only the comparison with Glance needs the
        // digests, and Glance's import of the object leaves the time to finish them
        hashing.hold(p.phase === 'preparing' || p.phase === 'uploading' || p.phase === 'finishing');
        progress(p);
      },
      notice,
    }),
  };
}
