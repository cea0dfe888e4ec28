// What a gzip-compressed file holds, told from its first decompressed bytes only (the browser's
// DecompressionStream, stopped after PEEK_BYTES): "a gzip'd qcow2" is a better answer than
// "gzip". Nothing is unpacked to disk or kept; the safety core names the inner format.
import { bytesSource } from '../../core/inspect/byte-source.ts';
import { inspectSafety } from '../../core/inspect/safety.ts';

const PEEK_BYTES = 1024 * 1024;

/** The first `limit` decompressed bytes of a gzip Blob, or what there is of them. */
export async function gunzipHead(blob: Blob, limit = PEEK_BYTES): Promise<Uint8Array> {
  const reader = blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let got = 0;
  try {
    while (got < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined); // stops reading the rest of the file
  }
  const out = new Uint8Array(Math.min(got, limit));
  let off = 0;
  for (const c of chunks) {
    const part = c.subarray(0, out.length - off);
    out.set(part, off);
    off += part.length;
    if (off >= out.length) break;
  }
  return out;
}

/** The format inside a gzip file as the safety core detects it from the decompressed head (its
 *  findings about that partial copy are meaningless and dropped), or null for an empty stream. */
export async function formatInsideGzip(blob: Blob): Promise<string | null> {
  const head = await gunzipHead(blob);
  if (head.length === 0) return null;
  return (await inspectSafety(bytesSource(head, 'gzip content'))).detected;
}
