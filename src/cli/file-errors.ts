// The host file errors a user meets on the command line, as a few plain words instead of Node's
// "ENOENT: no such file or directory, open '…'" (which names the call, not the problem).
import { open, stat } from 'node:fs/promises';

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'there is no such file',
  ENOTDIR: 'a part of its path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  EISDIR: 'it is a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exceeded',
};

/** The plain words for a file system error, or null when `e` carries no errno code. */
export function errnoText(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? (ERRNO_TEXT[code] ?? code) : null;
}

/** The file's size once it is known to be a regular file this process can read; else one sentence. */
export async function readableFileSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new Error(`${path} is a directory, not a disk image file.`);
    if (!st.isFile()) throw new Error(`${path} is not a regular file.`);
    await (await open(path, 'r')).close();
    return st.size;
  } catch (e) {
    const text = errnoText(e);
    if (text === null) throw e;
    throw new Error(`Cannot read ${path}: ${text}.`, { cause: e });
  }
}
