// Numbers, sizes, rates, durations and times shared by the cloud views, in the page's language
// (Intl: "13:16:47" in Japanese, not "1:16:47 PM").
import { msg, str } from '@lit/localize';
import { getLocale } from '../../locales/localization.ts';
import { BINARY_UNITS, scaleBinary } from '../../core/binary-units.ts';

const locale = (): string => getLocale();

export function formatNumber(n: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: fractionDigits, minimumFractionDigits: fractionDigits }).format(n);
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const { value: v, exponent: i } = scaleBinary(n, 4);
  return `${i === 0 ? formatNumber(v) : formatNumber(v, v >= 100 ? 0 : 1)} ${BINARY_UNITS[i]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? msg(str`${h} h ${m} min`) : m ? msg(str`${m} min ${r} s`) : msg(str`${r} s`);
}

/** A time of day in the page's language. */
export function formatTime(d: Date): string {
  return Number.isNaN(d.getTime()) ? '—' : new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(d);
}

/** A date and time in the page's language. */
export function formatDateTime(d: Date): string {
  return Number.isNaN(d.getTime()) ? '—' : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}
