/**
 * Files the user named: what went wrong with one and what a path is when it is not a file, in words; and reading one
 * whole without the main thread's help.
 */
import { promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

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
 * Starts reading a whole regular file with one request to libuv's thread pool, so the read goes on while the main
 * thread works once this resolves. fs.readFile asks for each 512 KB chunk from the main thread: a busy main thread
 * stalled it (a 24 MB collection was read only after the schema validators had compiled). Anything but a regular
 * file with a size (a folder, a pipe, /dev/stdin, a /proc file) goes through fs.readFile; a folder is refused there
 * with EISDIR. (fs.read with a callback would keep the last buffer it filled alive until the next fs.read.)
 */
export async function startReading(filePath: string): Promise<FileRead> {
  const stat = await fs.stat(filePath);
  if (!stat.isFile() || stat.size === 0) return { stat, bytes: fs.readFile(filePath) };
  const handle = await fs.open(filePath, 'r');
  try {
    const opened = await handle.stat();
    return { stat: opened, bytes: readAllOf(handle, opened.size) };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Reads `size` bytes from the start of the file (fewer if it shrank), then closes it. */
async function readAllOf(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  try {
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
}

/**
 * Lets a big buffer's memory go at the next young-generation GC instead of the next full one. A buffer that was
 * alive when V8 began marking (a file read while the schema validators compiled) stays marked live, so its memory
 * (24 MB for a big collection) lasted the whole run. Its ArrayBuffer is moved into a new one that nothing holds,
 * without copying. Buffers carved from Node's shared pool are left alone.
 */
export function releaseSoon(buffer: Buffer): void {
  const memory = buffer.buffer;
  if (memory instanceof ArrayBuffer && buffer.byteOffset === 0 && buffer.byteLength === memory.byteLength)
    structuredClone(memory, { transfer: [memory] });
}
