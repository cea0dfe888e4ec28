// The Guest section of `inspect`'s human output: the OS, the file systems with their mount points
// and usage, and the guide's checklist (what failed first). The caller makes every line printable:
// names, labels and hostnames come from the image.
import { BINARY_UNITS, scaleBinary } from '../core/binary-units.ts';
import type { GuestJson } from '../core/guest/contract.ts';

function size(n: number | null): string {
  if (n === null) return '?';
  const { value: v, exponent: i } = scaleBinary(n, 4);
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${BINARY_UNITS[i]}`;
}

export function guestSummary(g: GuestJson | null): string[] {
  if (!g) return ['  guest: no readable guest file system'];
  const o = g.os;
  const what = [o.distro ?? 'unknown OS', o.version, o.arch].filter(Boolean).join(' ');
  const how = [o.type, o.firmware].filter(Boolean).join(', ');
  const lines = [`  guest: ${what}${how ? ` (${how})` : ''}${o.hostname ? `, hostname ${o.hostname}` : ''}`];
  for (const f of g.filesystems) {
    const usage = f.size !== null ? ` ${size(f.used)} of ${size(f.size)} used` : '';
    const id = [f.label ? `LABEL=${f.label}` : '', f.uuid ? `UUID=${f.uuid}` : ''].filter(Boolean).join(' ');
    lines.push(`    ${f.device} ${f.type} on ${f.mountpoint ?? '(not mounted)'}${usage}${id ? `  ${id}` : ''}`);
  }
  const failing = g.checklist.filter((c) => !c.ok);
  if (g.checklist.length) lines.push(`  checklist: ${g.checklist.length - failing.length} of ${g.checklist.length} steps done`);
  for (const c of [...failing, ...g.checklist.filter((c) => c.ok)]) {
    lines.push(`    ${c.ok ? 'done' : 'TODO'} ${c.code}: ${c.step}`);
    if (!c.ok) lines.push(`         ${c.detail}`);
  }
  return lines;
}
