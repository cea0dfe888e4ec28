// The guest step: partitions → LVM → file systems → the root and its fstab → OS facts and the
// guide's checklist. Everything reads through one metered Device; a corrupt layout or file system
// becomes a finding and the rest carries on; the budget or an unexpected error ends the step with
// what was found so far. Nothing escapes as an exception.
import { finding, type Finding } from '../inspect/findings.ts';
import { runChecklist } from './checklist.ts';
import { item } from './checklist-items.ts';
import {
  BudgetExceeded,
  CorruptStructure,
  DEFAULT_BUDGET,
  diskDevice,
  Meter,
  sliceDevice,
  type Device,
  type GuestBudget,
  type ReadAt,
} from './device.ts';
import { matchSpec, parseFstab, type Candidate } from './fstab.ts';
import { activate, readPhysicalVolume, type PhysicalVolume } from './lvm.ts';
import { readOsFacts } from './os-facts.ts';
import { mib, RECLAIM_THRESHOLD, reclaimableBytes, type AllocatedAt } from './free-space.ts';
import { readPartitions, type GuestPartition } from './partitions.ts';
import { recognise, type Recognised } from './probe.ts';
import type { CheckedItem, FilesystemFacts, GuestFs, GuestOs, GuestResult, GuestSuggested } from './types.ts';
import { GuestVfs } from './vfs.ts';

interface Found extends Candidate {
  dev: Device;
  rec: Recognised;
  mountpoint: string | null;
  esp: boolean;
}

const FIX_FSCK = 'Check the file system in the guest (fsck / xfs_repair -n) before uploading; the rest of the image was inspected.';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Devices to look at: the partitions (not the extended container), or the whole disk. */
async function layout(disk: Device, findings: Finding[]): Promise<Array<{ dev: Device; part: GuestPartition | null }>> {
  try {
    const t = await readPartitions(disk);
    if (t.scheme !== 'none') return t.partitions.map((p) => ({ dev: sliceDevice(disk, p.offset, p.size, p.name), part: p }));
  } catch (e) {
    if (!(e instanceof CorruptStructure)) throw e;
    findings.push(
      finding('guest.partition-table-corrupt', 'warning', `The guest's partition table could not be read: ${e.message}.`, FIX_FSCK),
    );
  }
  return [{ dev: disk, part: null }];
}

async function discover(disk: Device, findings: Finding[], found: Found[]): Promise<void> {
  const pvs: PhysicalVolume[] = [];
  const probe = async (dev: Device, esp: boolean, lvm: string | null) => {
    try {
      if (!lvm) {
        const pv = await readPhysicalVolume(dev);
        if (pv) {
          pvs.push(pv);
          return;
        }
      }
      const rec = await recognise(dev);
      if (!rec) return;
      found.push({ dev, device: dev.name, uuid: rec.uuid, label: rec.label, lvm, rec, mountpoint: null, esp: esp && rec.type === 'vfat' });
      if (rec.type === 'crypto_LUKS') {
        findings.push(finding('guest.encrypted', 'info', `${dev.name} is a LUKS encrypted volume; its contents were not read.`, ''));
      }
    } catch (e) {
      if (!(e instanceof CorruptStructure)) throw e;
      findings.push(
        finding(
          lvm === null && /LVM/.test(e.message) ? 'guest.lvm-corrupt' : 'guest.fs-corrupt',
          'warning',
          `${dev.name} could not be read: ${e.message}.`,
          FIX_FSCK,
          { device: dev.name },
        ),
      );
    }
  };
  for (const { dev, part } of await layout(disk, findings)) await probe(dev, part?.kind === 'esp', null);
  if (!pvs.length) return;
  const { volumes, problems } = activate(pvs);
  for (const p of problems) findings.push(finding('guest.lvm-corrupt', 'warning', `LVM volumes could not be assembled: ${p}.`, FIX_FSCK));
  for (const v of volumes) await probe(v.dev, false, `${v.vg}/${v.lv}`);
}

/** The file system holding /etc with an fstab or os-release: the guest's root. */
async function findRoot(found: Found[], problems: Map<GuestFs, string>): Promise<Found | null> {
  for (const f of found) {
    if (!f.rec.fs || f.rec.type === 'vfat') continue;
    const vfs = new GuestVfs(new Map([['/', f.rec.fs]]), problems);
    if ((await vfs.isFile('/etc/fstab')) || (await vfs.exists('/etc/os-release')) || (await vfs.isFile('/etc/redhat-release'))) return f;
  }
  return null;
}

function suggest(os: GuestOs, guestAgent: boolean, sources: Record<string, string>): GuestSuggested {
  const s: GuestSuggested = {};
  if (os.distro) {
    s.os_distro = os.distro;
    sources['os_distro'] = sources['distro']!;
  }
  if (os.version) {
    s.os_version = os.version;
    sources['os_version'] = sources['version']!;
  }
  if (os.arch) {
    s.architecture = os.arch;
    sources['architecture'] = sources['arch']!;
  }
  if (os.type) {
    s.os_type = os.type;
    sources['os_type'] = sources['distro'] ?? sources['arch'] ?? '';
  }
  if (os.firmware) {
    s.hw_firmware_type = os.firmware;
    sources['hw_firmware_type'] = '/etc/fstab';
  }
  if (guestAgent) s.hw_qemu_guest_agent = 'yes';
  return s;
}

const EMPTY_OS: GuestOs = { type: null, distro: null, version: null, arch: null, hostname: null, firmware: null };

/** The guide's last step: free blocks that still hold image data (needs the block status). */
async function sparsifyItem(
  found: Found[],
  allocated: AllocatedAt,
  problems: Map<GuestFs, string>,
): Promise<{ item: CheckedItem; bytes: number }> {
  let bytes = 0;
  const per: string[] = [];
  for (const f of found) {
    const fs = f.rec.fs;
    if (!fs?.freeRanges || problems.has(fs)) continue;
    try {
      const n = await reclaimableBytes(f.dev, fs, allocated);
      bytes += n;
      if (n >= RECLAIM_THRESHOLD) per.push(`${f.device} ${mib(n)}`);
    } catch (e) {
      if (!(e instanceof CorruptStructure)) throw e;
      problems.set(fs, e.message);
    }
  }
  const ok = bytes < RECLAIM_THRESHOLD;
  return {
    bytes,
    item: item('guest.free-space-not-zeroed', ok, ok ? 'guest.free-space.zeroed' : 'guest.free-space.not-zeroed', {
      size: mib(bytes),
      devices: per.join(', '),
    }),
  };
}

/** Reads the guest in the disk behind `read`; null when it holds no readable file system.
 *  `allocated` (the image's block status) enables the free-space check. */
export async function inspectGuest(
  read: ReadAt,
  size: number,
  budget: Partial<GuestBudget> = {},
  allocated?: AllocatedAt,
): Promise<GuestResult | null> {
  const meter = new Meter({ ...DEFAULT_BUDGET, ...budget });
  const findings: Finding[] = [];
  const found: Found[] = [];
  let os = EMPTY_OS;
  let checklist: CheckedItem[] = [];
  let kernels: string[] = [];
  let sources: Record<string, string> = {};
  let guestAgent = false;
  const problems = new Map<GuestFs, string>();
  let reclaimable: number | null = null;
  try {
    await discover(diskDevice(read, size, meter), findings, found);
    const root = await findRoot(found, problems);
    if (root) {
      root.mountpoint = '/';
      const mounts = new Map<string, GuestFs>([['/', root.rec.fs!]]);
      const vfs = new GuestVfs(mounts, problems);
      const fstab = await vfs.readText('/etc/fstab', 64 * 1024);
      for (const e of fstab === null ? [] : parseFstab(fstab)) {
        const hit = matchSpec(e.spec, found) as Found | null;
        if (!hit || e.mountpoint === '/') continue;
        hit.mountpoint = e.mountpoint;
        if (hit.rec.fs) mounts.set(e.mountpoint, hit.rec.fs);
      }
      const uefi = found.some((f) => f.esp && f.mountpoint !== null && /^\/boot(\/efi)?$|^\/efi$/.test(f.mountpoint));
      const facts = await readOsFacts(vfs, uefi);
      ({ os, kernels, sources, guestAgent } = facts);
      if (fstab !== null) sources['fstab'] = '/etc/fstab';
      checklist = await runChecklist(vfs, facts);
      if (allocated && facts.os.type) {
        const s = await sparsifyItem(found, allocated, problems);
        checklist.push(s.item);
        reclaimable = s.bytes;
      }
    }
  } catch (e) {
    if (e instanceof BudgetExceeded) {
      findings.push(
        finding(
          'guest.budget-exceeded',
          'warning',
          `Guest inspection stopped: ${e.what}. What was read so far is shown.`,
          'Inspect the image with a larger guest budget, or with virt-inspector.',
          { bytes: meter.bytes },
        ),
      );
    } else {
      findings.push(
        finding(
          'guest.read-failed',
          'warning',
          `Guest inspection failed: ${message(e)}.`,
          'Report this image to image-inspector; the rest of the inspection is not affected.',
        ),
      );
    }
  }
  for (const [fs, why] of problems) {
    const f = found.find((x) => x.rec.fs === fs);
    findings.push(
      finding('guest.fs-corrupt', 'warning', `${f?.device ?? 'A file system'} could not be read to the end: ${why}.`, FIX_FSCK, {
        device: f?.device ?? '',
      }),
    );
  }
  if (!found.length && !findings.length) return null;
  const filesystems: FilesystemFacts[] = found.map((f) => ({
    device: f.device,
    type: f.rec.type,
    uuid: f.uuid,
    label: f.label || null,
    mountpoint: f.mountpoint,
    size: f.rec.size,
    used: f.rec.used,
  }));
  return {
    os,
    filesystems,
    checklist,
    suggested: suggest(os, guestAgent, sources),
    sources,
    kernels,
    findings,
    reclaimableBytes: reclaimable,
    bytesRead: meter.bytes,
    readCalls: meter.calls,
    elapsedMs: meter.elapsedMs(),
  };
}
