// Text helpers for names and files read from the guest.

const decoder = new TextDecoder('utf-8', { fatal: false });

export function utf8(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Fixed-size NUL-padded field. */
export function latin1(b: Uint8Array, o: number, len: number): string {
  let s = '';
  for (let i = o; i < Math.min(b.length, o + len); i++) {
    if (b[i] === 0) break;
    s += String.fromCharCode(b[i]!);
  }
  return s;
}

/** 16 raw bytes as the usual lower-case dashed UUID (the form blkid and fstab use). */
export function hexUuid(b: Uint8Array): string {
  const h = [...b.subarray(0, 16)].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
