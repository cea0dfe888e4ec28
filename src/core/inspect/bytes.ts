// Binary field readers. 64-bit fields come back as numbers when they fit in 2^53 (every real
// offset and size does) and as NaN otherwise, so hostile values fail range checks instead of
// silently wrapping.

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function u16le(b: Uint8Array, o: number): number {
  return o + 2 <= b.length ? view(b).getUint16(o, true) : NaN;
}
export function u16be(b: Uint8Array, o: number): number {
  return o + 2 <= b.length ? view(b).getUint16(o, false) : NaN;
}
export function u32le(b: Uint8Array, o: number): number {
  return o + 4 <= b.length ? view(b).getUint32(o, true) : NaN;
}
export function u32be(b: Uint8Array, o: number): number {
  return o + 4 <= b.length ? view(b).getUint32(o, false) : NaN;
}
export function u64le(b: Uint8Array, o: number): number {
  return o + 8 <= b.length ? big2num(view(b).getBigUint64(o, true)) : NaN;
}
export function u64be(b: Uint8Array, o: number): number {
  return o + 8 <= b.length ? big2num(view(b).getBigUint64(o, false)) : NaN;
}
export function big64le(b: Uint8Array, o: number): bigint {
  return view(b).getBigUint64(o, true);
}
export function big64be(b: Uint8Array, o: number): bigint {
  return view(b).getBigUint64(o, false);
}

function big2num(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : NaN;
}

/** Bytes equal to an ASCII string at offset. */
export function hasAscii(b: Uint8Array, o: number, s: string): boolean {
  if (o + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
  return true;
}

export function hasBytes(b: Uint8Array, o: number, sig: readonly number[]): boolean {
  if (o + sig.length > b.length) return false;
  return sig.every((v, i) => b[o + i] === v);
}

/** Latin-1 decode of a fixed field, trimmed of NULs and spaces (names, ids). */
export function asciiField(b: Uint8Array, o: number, len: number): string {
  let s = '';
  for (let i = o; i < Math.min(b.length, o + len); i++) {
    const c = b[i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s.trim();
}

/** Mixed-endian Microsoft GUID (GPT, VHDX) as the usual upper-case string. */
export function guid(b: Uint8Array, o: number): string {
  const h = (i: number) => b[o + i]!.toString(16).padStart(2, '0');
  const part = (idx: number[]) => idx.map(h).join('');
  return [part([3, 2, 1, 0]), part([5, 4]), part([7, 6]), part([8, 9]), part([10, 11, 12, 13, 14, 15])].join('-').toUpperCase();
}

export function isZero(b: Uint8Array, start = 0, end = b.length): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE, as GPT uses). Only over bounded tables, so a table-driven loop is plenty. */
export function crc32(b: Uint8Array, init = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~init >>> 0;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
