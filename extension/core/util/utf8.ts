import { isUtf8 } from 'node:buffer';

/** Drops a leading UTF-8 byte order mark (some Windows editors write one), as editors do: it is not content. */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The 1-based line holding the first byte sequence that is not UTF-8 (the last line when the bytes end mid-character). */
export function firstBadUtf8Line(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let nl = bytes.indexOf(10); ; nl = bytes.indexOf(10, start)) {
    const end = nl < 0 ? bytes.length : nl;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    if (nl < 0) return line;
    start = nl + 1;
    line++;
  }
}
