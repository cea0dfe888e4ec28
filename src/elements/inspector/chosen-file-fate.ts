// What a failed "Convert to a file…" did to the file the user chose, said in the failure's own
// sentence: the OPFS wording ("the partial output was deleted") is not true of it. Before the
// stream is closed nothing reaches the file (a new, empty one the dialog made is removed, an
// existing one keeps its content); once closed, during the verification, the file is removed.
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { ConvertState } from './image-inspector-model.ts';

/** The sentence for a source that changed, or a qemu-img that stopped, in a conversion into a
 *  chosen file; undefined for any other outcome. */
export function chosenFileFailure(st: ConvertState): string | undefined {
  if (!st.toFile || st.status !== 'failed') return undefined;
  const why = st.message ?? '';
  if (st.failure === 'source-changed') {
    return st.failedVerifying
      ? msg(
          'The source file changed or was removed on disk during the verification; the file you chose was removed, as nothing unverified is kept. Choose the file again.',
        )
      : msg(
          'The source file changed or was removed on disk during the conversion; nothing was written into the file you chose (a new, empty file the save dialog created was removed). Choose the file again.',
        );
  }
  if (st.failure === 'crashed') {
    return st.failedVerifying
      ? msg(
          str`qemu-img stopped abnormally while verifying (${why}); the file you chose was removed, as nothing unverified is kept. The page keeps working.`,
        )
      : msg(
          str`qemu-img stopped abnormally (${why}); nothing was written into the file you chose (a new, empty file the save dialog created was removed). The page keeps working.`,
        );
  }
  return undefined;
}
