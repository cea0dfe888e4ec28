// Byte counts as people read them, in the UI's language (1.5 GiB; 1,610,612,736 bytes).
import { str } from '@lit/localize';
import { currentLocale, msg } from '../../locales/scoped-msg.ts';
import { BINARY_UNITS, scaleBinary } from '../../core/binary-units.ts';

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  const { value: v, exponent: i } = scaleBinary(n);
  const nf = new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: i === 0 ? 0 : v < 10 ? 2 : 1 });
  return `${nf.format(v)} ${BINARY_UNITS[i]}`;
}

export function formatBytesExact(n: number | undefined): string {
  if (n === undefined) return '';
  return msg(str`${formatBytes(n)} (${new Intl.NumberFormat(currentLocale()).format(n)} bytes)`);
}
