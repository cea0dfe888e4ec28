// The MD5s of up to four Blobs at once, one per SIMD lane (wasm/md5x4/md5x4.c): an upload's part
// MD5s are independent, so four parts hash in the time hash-wasm takes for about one and a half.
// Each Blob is read by its own stream into its own window of the module's memory; the common
// whole 64-byte blocks of the lanes still hashing go through the module together; a lane whose
// Blob is hashed has its state kept apart while the others go on (its window then stands in).
import { MD5X4_WASM_BASE64 } from './md5x4-wasm.ts';
import { hashBlobAlgorithms } from './image-hasher.ts';

interface Md5x4Exports {
  memory: WebAssembly.Memory;
  md5x4_blocks(state: number, p0: number, p1: number, p2: number, p3: number, blocks: number): void;
}

const LANES = 4;
/** Bytes of a lane's window: a stream piece (≤ ~1.3 MiB in Chromium, 64 KiB in Node) plus the rest. */
const WINDOW = 4 * 1024 * 1024;
/** Each round hashes at least this much per lane where the streams give it (fewer, larger calls). */
const FILL_TO = 1024 * 1024;
const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

let compiled: Promise<WebAssembly.Module> | undefined;

interface Instance {
  ex: Md5x4Exports;
  /** Start of the four windows: past the module's own memory. */
  base: number;
  state: number;
}
/** Instances not in use (each call takes one; memory is reused from call to call). */
const idle: Instance[] = [];

async function instance(): Promise<Instance> {
  compiled ??= WebAssembly.compile(decode(MD5X4_WASM_BASE64));
  const ex = (await WebAssembly.instantiate(await compiled, {})).exports as unknown as Md5x4Exports;
  const base = ex.memory.buffer.byteLength;
  const need = LANES * (WINDOW + 128) + 64;
  ex.memory.grow(Math.ceil(need / 65536));
  return { ex, base, state: base + LANES * (WINDOW + 128) };
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Whether this engine runs wasm SIMD (current browsers and Node; Safari from 16.4). */
const SIMD = (() => {
  try {
    return WebAssembly.validate(decode(MD5X4_WASM_BASE64));
  } catch {
    return false; // validate itself refused: hash one Blob after the other below
  }
})();

interface Lane {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Byte offset of the window in the module's memory. */
  at: number;
  fill: number;
  /** A piece that did not fit in the window yet. */
  carry?: Uint8Array;
  length: number;
  ended: boolean;
  /** Padding appended: what is left in the window is the last blocks. */
  padded: boolean;
  md5?: string;
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
}

/** MD5 hex of each Blob (at most four), each read once by its own stream; without wasm SIMD
 *  (`simd` false) one after the other with hash-wasm. */
export async function md5OfBlobs(blobs: Blob[], signal?: AbortSignal, simd = SIMD): Promise<string[]> {
  if (blobs.length === 0) return [];
  if (blobs.length > LANES) throw new RangeError(`md5OfBlobs takes at most ${LANES} blobs`);
  if (!simd) {
    const out: string[] = [];
    for (const b of blobs) out.push((await hashBlobAlgorithms(b, ['md5'], { signal })).md5!);
    return out;
  }
  const inst = idle.pop() ?? (await instance());
  const { ex, base, state } = inst;
  const lanes: Lane[] = blobs.map((b, i) => ({
    reader: b.stream().getReader(),
    at: base + i * (WINDOW + 128),
    fill: 0,
    length: 0,
    ended: false,
    padded: false,
  }));
  const view = new DataView(ex.memory.buffer);
  const heap = new Uint8Array(ex.memory.buffer);
  for (let v = 0; v < 4; v++) for (let j = 0; j < LANES; j++) view.setUint32(state + v * 16 + j * 4, IV[v]!, true);

  const put = (l: Lane, piece: Uint8Array): Uint8Array | undefined => {
    const n = Math.min(piece.byteLength, WINDOW - l.fill);
    heap.set(n === piece.byteLength ? piece : piece.subarray(0, n), l.at + l.fill);
    l.fill += n;
    l.length += n;
    return n < piece.byteLength ? piece.subarray(n) : undefined;
  };
  const pad = (l: Lane) => {
    // 0x80, zeros to 56 mod 64, the length in bits (little-endian 64-bit)
    const end = l.fill + 1 + ((55 - (l.fill % 64) + 64) % 64) + 8;
    heap.fill(0, l.at + l.fill, l.at + end);
    heap[l.at + l.fill] = 0x80;
    view.setBigUint64(l.at + end - 8, BigInt(l.length) * 8n, true);
    l.fill = end;
    l.padded = true;
  };
  const digestOf = (j: number): string => {
    let hex = '';
    for (let v = 0; v < 4; v++) {
      const w = view.getUint32(state + v * 16 + j * 4, true);
      for (let k = 0; k < 4; k++) hex += ((w >>> (8 * k)) & 0xff).toString(16).padStart(2, '0');
    }
    return hex;
  };

  try {
    while (lanes.some((l) => l.md5 === undefined)) {
      if (signal?.aborted) throw abortError();
      const open = lanes.filter((l) => l.md5 === undefined);
      // fill: every open lane short of FILL_TO reads on (all at once)
      await Promise.all(
        open.map(async (l) => {
          if (l.carry) l.carry = put(l, l.carry);
          while (!l.carry && !l.ended && l.fill < FILL_TO) {
            const { done, value } = await l.reader.read();
            if (done) l.ended = true;
            else l.carry = put(l, value);
          }
          if (l.ended && !l.carry && !l.padded) pad(l);
        }),
      );
      const blocks = Math.min(...open.map((l) => Math.floor(l.fill / 64)));
      const stand = open[0]!.at; // a finished lane's pointer: any open window (its result is put back)
      const kept = lanes.map((l, j) =>
        l.md5 === undefined ? undefined : [0, 1, 2, 3].map((v) => view.getUint32(state + v * 16 + j * 4, true)),
      );
      ex.md5x4_blocks(
        state,
        ...([0, 1, 2, 3].map((j) => (lanes[j] && lanes[j].md5 === undefined ? lanes[j].at : stand)) as [number, number, number, number]),
        blocks,
      );
      kept.forEach((k, j) => k?.forEach((w, v) => view.setUint32(state + v * 16 + j * 4, w, true)));
      for (const [j, l] of lanes.entries()) {
        if (l.md5 !== undefined) continue;
        const used = blocks * 64;
        heap.copyWithin(l.at, l.at + used, l.at + l.fill);
        l.fill -= used;
        if (l.padded && l.fill === 0) l.md5 = digestOf(j);
      }
    }
    return lanes.map((l) => l.md5!);
  } finally {
    for (const l of lanes) l.reader.cancel().catch(() => undefined); // stopped early: stop reading the file too
    idle.push(inst);
  }
}
