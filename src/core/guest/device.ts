// The guest's disk as bounded random access. Every reader in src/core/guest/ goes through a
// Device, so the budget (bytes read, time) is charged in one place and no structure read from the
// image can ask for a read outside the device or larger than MAX_READ.

/** Reads up to `length` guest bytes at `offset` (a raw image today; a qemu block-layer reader in
 *  the worker later). Shorter only at the end of the disk. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export interface GuestBudget {
  /** Bytes read from the disk in the whole guest step. */
  maxBytes: number;
  /** Wall time for the whole guest step. */
  maxMs: number;
  /** Directory entries visited in the whole step (huge or looping directories). */
  maxDirEntries: number;
  /** Nesting of trees followed (extent/B+tree depth, symlink hops, indirect blocks). */
  maxDepth: number;
}

export const DEFAULT_BUDGET: GuestBudget = { maxBytes: 64 * 1024 * 1024, maxMs: 10_000, maxDirEntries: 200_000, maxDepth: 16 };

/** The largest single read any structure may ask for. */
export const MAX_READ = 4 * 1024 * 1024;

/** The budget of the whole step ran out: ends the guest step (not only one file system). */
export class BudgetExceeded extends Error {
  constructor(readonly what: string) {
    super(`guest inspection budget exceeded: ${what}`);
    this.name = 'BudgetExceeded';
  }
}

/** A structure on disk is inconsistent or hostile: ends the reading of that file system. */
export class CorruptStructure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptStructure';
  }
}

export function corrupt(message: string): never {
  throw new CorruptStructure(message);
}

/** Shared accounting of one guest step. */
export class Meter {
  bytes = 0;
  /** Reads issued to the disk: each one is a round trip to the block layer in the worker. */
  calls = 0;
  entries = 0;
  private readonly started = Date.now();
  constructor(readonly budget: GuestBudget) {}

  charge(bytes: number): void {
    this.bytes += bytes;
    this.calls++;
    if (this.bytes > this.budget.maxBytes) throw new BudgetExceeded(`more than ${this.budget.maxBytes} bytes read`);
    this.checkTime();
  }

  entry(n = 1): void {
    this.entries += n;
    if (this.entries > this.budget.maxDirEntries) throw new BudgetExceeded(`more than ${this.budget.maxDirEntries} directory entries`);
  }

  depth(d: number): void {
    if (d > this.budget.maxDepth) corrupt(`structure nested deeper than ${this.budget.maxDepth} levels`);
  }

  checkTime(): void {
    if (Date.now() - this.started > this.budget.maxMs) throw new BudgetExceeded(`more than ${this.budget.maxMs} ms`);
  }

  elapsedMs(): number {
    return Date.now() - this.started;
  }
}

export interface Device {
  /** "/dev/sda1", "/dev/mapper/vg-root": the name fstab and the report use. */
  readonly name: string;
  readonly size: number;
  readonly meter: Meter;
  /** Exactly `length` bytes at `offset`, or CorruptStructure when that lies outside the device. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Where device byte `offset` lies on the disk, and how many bytes follow it contiguously. */
  locate(offset: number): [number, number];
}

export function diskDevice(read: ReadAt, size: number, meter: Meter, name = '/dev/sda'): Device {
  return {
    name,
    size,
    meter,
    async read(offset, length) {
      checkRange(offset, length, size, name);
      meter.charge(length);
      const b = await read(offset, length);
      if (b.length < length) corrupt(`${name}: short read at ${offset} (${b.length} of ${length} bytes)`);
      return b;
    },
    locate: (offset) => [offset, size - offset],
  };
}

/** A window of a parent device (a partition). */
export function sliceDevice(parent: Device, offset: number, size: number, name: string): Device {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > parent.size) {
    corrupt(`${name}: ${offset}+${size} lies outside ${parent.name} (${parent.size} bytes)`);
  }
  return {
    name,
    size,
    meter: parent.meter,
    read(off, length) {
      checkRange(off, length, size, name);
      return parent.read(offset + off, length);
    },
    locate(off) {
      const [at, run] = parent.locate(offset + off);
      return [at, Math.min(run, size - off)];
    },
  };
}

export function checkRange(offset: number, length: number, size: number, name: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    corrupt(`${name}: bad read ${offset}+${length}`);
  }
  if (length > MAX_READ) corrupt(`${name}: a structure asks for ${length} bytes in one read`);
  if (offset + length > size) corrupt(`${name}: read ${offset}+${length} lies past the end (${size} bytes)`);
}
