// CPU time by kind of process, read from /proc, to say where a run's cores went (the uploads'
// ratios on 2 cores are CPU-bound): Chromium's processes by --type (renderer, network service,
// the browser process itself), Swift's servers by name, everything else as "other".
import { readFileSync, readdirSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

function kindOf(cmd: string): string {
  if (/chrom/.test(cmd)) {
    if (cmd.includes('--type=renderer')) return 'chromium renderer';
    if (cmd.includes('--utility-sub-type=network')) return 'chromium network';
    if (cmd.includes('--type=')) return 'chromium other';
    return 'chromium browser';
  }
  const swift = /swift-(proxy|object|container|account)-server/.exec(cmd);
  if (swift) return `swift ${swift[1]}`;
  if (/keystone/.test(cmd)) return 'keystone';
  if (/glance/.test(cmd)) return 'glance';
  return 'other';
}

/** Seconds of CPU (user + system) each kind has used so far, summed over its live processes. */
export function cpuByKind(): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    let cmd: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue; // ended while we looked: its time is in neither snapshot
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]); // utime, stime
    const k = kindOf(cmd);
    out.set(k, (out.get(k) ?? 0) + ticks / TICK);
  }
  return out;
}

/** What each kind used between two snapshots, biggest first, as "kind 1.23 s" pieces. */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): string {
  const rows = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v >= 0.05);
  rows.sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, [, v]) => s + v, 0);
  return `${total.toFixed(1)} s CPU: ${rows.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`;
}
