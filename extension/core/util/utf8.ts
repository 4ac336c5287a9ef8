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

/**
 * Why `text` cannot go out as UTF-8 as written, or undefined: a UTF-16 surrogate without its pair (from an escape
 * such as \ud83d in a JSON file) has no UTF-8 form. Node would send U+FFFD and Java '?', so a key would land on
 * another partition than the one written: it is refused, naming `field` ('the key', 'header "h"'), rather than guessed.
 */
export function loneSurrogateProblem(text: string, field: string): string | undefined {
  if ((text as unknown as { isWellFormed(): boolean }).isWellFormed()) return undefined;
  let at = 0;
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff) at++;
      else break;
    } else if (c >= 0xdc00 && c <= 0xdfff) break;
  }
  const code = `\\u${text.charCodeAt(at).toString(16).padStart(4, '0')}`;
  return `${field} holds a lone UTF-16 surrogate (${code} at character ${at + 1}) that UTF-8 cannot encode; it would be sent as U+FFFD (Java sends "?"), not as written: give the surrogate its pair, or remove it`;
}
