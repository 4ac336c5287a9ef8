/**
 * Files the user named: what went wrong with one and what a path is when it is not a file, in words; and reading one
 * whole without the main thread's help.
 */
import { closeSync, fstatSync, openSync, promises as fs, read as readFd, statSync, type Stats } from 'node:fs';

/** An fs error on a file the user named, in words ("not found", "it is a folder") rather than ENOENT. */
export function fileProblem(e: NodeJS.ErrnoException, use: 'read' | 'write'): string {
  const words: Record<string, string> = {
    ENOENT: use === 'read' ? 'not found' : 'its folder does not exist',
    EISDIR: 'it is a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is used up',
    EROFS: 'the file system is read-only',
  };
  return (e.code && words[e.code]) ?? e.message;
}

/** What a path is, for a message saying it is not the regular file that was expected: "a folder", "a device"... */
export function fileKind(stat: Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A file being read: its stat, taken before the read began, and its bytes to come. */
export interface FileRead {
  stat: Stats;
  bytes: Promise<Buffer>;
}

/**
 * Starts reading a whole regular file with one request to libuv's thread pool, and returns at once, so the read goes
 * on while the main thread works. fs.readFile asks for each 512 KB chunk from the main thread: a busy main thread
 * stalled it (a 24 MB collection was read only after the schema validators had compiled). Opening and stat-ing
 * are synchronous and take microseconds. Anything but a regular file with a size (a folder, a pipe, /dev/stdin, a
 * /proc file) goes through fs.readFile as before; a folder is refused there with EISDIR.
 */
export function startReading(filePath: string): FileRead {
  const stat = statSync(filePath);
  if (!stat.isFile() || stat.size === 0) return { stat, bytes: fs.readFile(filePath) };
  const fd = openSync(filePath, 'r');
  let opened: Stats;
  try {
    opened = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return { stat: opened, bytes: readAllOf(fd, opened.size) };
}

/** Reads `size` bytes from the start of `fd` (fewer if the file shrank), then closes it. */
async function readAllOf(fd: number, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  try {
    while (filled < size) {
      const read = await new Promise<number>((resolve, reject) =>
        readFd(fd, buffer, filled, size - filled, filled, (e, n) => (e ? reject(e) : resolve(n))),
      );
      if (read === 0) break;
      filled += read;
    }
  } finally {
    closeSync(fd);
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
}
