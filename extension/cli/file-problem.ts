/** An fs error on a file the user named, in words ("not found", "it is a folder") rather than ENOENT. */
export function fileProblem(e: NodeJS.ErrnoException, use: 'read' | 'write'): string {
  const words: Record<string, string> = {
    ENOENT: use === 'read' ? 'not found' : 'its folder does not exist',
    EISDIR: 'it is a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
  };
  return (e.code && words[e.code]) ?? e.message;
}
