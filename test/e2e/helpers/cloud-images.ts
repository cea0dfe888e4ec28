// Test images made with native qemu-img / qemu-io into a temp dir (never committed), plus their
// reference digests computed in Node, independently of the browser code under test.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestImage {
  path: string;
  size: number;
}

export function tempDir(prefix = 'cloud-e2e-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A qcow2 holding `dataMiB` of written clusters (two different byte patterns, so a shifted or
 * truncated upload changes the digests), virtual size `virtualGiB`.
 */
export function makeQcow2(dir: string, name: string, dataMiB: number, virtualGiB = 1): TestImage {
  const path = join(dir, name);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, `${virtualGiB}G`]);
  const half = Math.floor(dataMiB / 2);
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', `write -q -P 0x5a 0 ${half}M`, '-c', `write -q -P 0xa5 ${half}M ${dataMiB - half}M`, path]);
  return { path, size: statSync(path).size };
}

/** A raw image of `mib` MiB: random head (so hashes are not trivial) then zeros, sparse on disk. */
export function makeRaw(dir: string, name: string, mib: number): TestImage {
  const path = join(dir, name);
  execFileSync('dd', ['if=/dev/urandom', `of=${path}`, 'bs=1M', `count=${Math.min(mib, 8)}`, 'status=none']);
  execFileSync('truncate', ['-s', `${mib}M`, path]);
  return { path, size: statSync(path).size };
}

export async function digests(path: string): Promise<{ sha512: string; md5: string }> {
  const sha = createHash('sha512');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 })) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha512: sha.digest('hex'), md5: md5.digest('hex') };
}

/** Serves the files of `dir` over HTTP on 127.0.0.1 (the web-download source Glance fetches). */
export async function serveFiles(dir: string, port: number): Promise<{ url(name: string): string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const { basename } = await import('node:path');
  const server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const path = join(dir, name);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
