// Number formatting shared by the cloud views (sizes, rates, time left).
import { BINARY_UNITS, scaleBinary } from '../../core/binary-units.ts';

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const { value: v, exponent: i } = scaleBinary(n, 4);
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${BINARY_UNITS[i]}`;
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
  return h ? `${h} h ${m} min` : m ? `${m} min ${r} s` : `${r} s`;
}
