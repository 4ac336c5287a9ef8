/** Files the user named, described in words: what went wrong with one, and what a path is when it is not a file. */
import type { Stats } from 'node:fs';

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
