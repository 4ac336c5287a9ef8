/**
 * Checks that UTF-8 bytes are exactly one JSON value (RFC 8259, what JSON.parse accepts) without building it.
 * Data-file lines are sent as written, so they only need checking: JSON.parse would allocate every line's object
 * tree just to throw it away, which on a big file costs more than sending it. It works on the file's bytes, not on
 * decoded text, so a line can go to the producer as a slice of what was read, never decoded and encoded again.
 * Bytes of multi-byte characters only occur inside strings, where any byte from 0x20 up is allowed; checking that
 * they are valid UTF-8 is the caller's job. Callers run JSON.parse on a line this refuses, for the exact error
 * message (and as a safety net: its verdict is final).
 */

/** Container kinds on the nesting stack. */
const ARRAY = 0;
const OBJECT = 1;

const stack: number[] = [];

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Whether s (or its part from..to, end excluded) is one JSON value, with optional whitespace around it. */
export function isJsonBytes(s: Uint8Array, from = 0, to = s.length): boolean {
  const n = to;
  let depth = 0;
  let i = from;
  for (;;) {
    // A value is expected at i.
    i = skipWhitespace(s, i, n);
    const c = code(s, i, n);
    if (c === 0x7b /* { */) {
      i = skipWhitespace(s, i + 1, n);
      if (code(s, i, n) === 0x7d /* } */) i++;
      else {
        stack[depth++] = OBJECT;
        i = memberName(s, i, n);
        if (i < 0) return false;
        continue;
      }
    } else if (c === 0x5b /* [ */) {
      i = skipWhitespace(s, i + 1, n);
      if (code(s, i, n) === 0x5d /* ] */) i++;
      else {
        stack[depth++] = ARRAY;
        continue;
      }
    } else if (c === 0x22 /* " */) i = string(s, i, n);
    else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) i = number(s, i, n);
    else if (c === 0x74 /* t */) i = literal(s, i, n, TRUE);
    else if (c === 0x66 /* f */) i = literal(s, i, n, FALSE);
    else if (c === 0x6e /* n */) i = literal(s, i, n, NULL);
    else return false;
    if (i < 0) return false;
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      i = skipWhitespace(s, i, n);
      if (depth === 0) return i === n;
      const d = code(s, i, n);
      const kind = stack[depth - 1];
      if (d === 0x2c /* , */) {
        i++;
        if (kind === OBJECT) {
          i = memberName(s, skipWhitespace(s, i, n), n);
          if (i < 0) return false;
        }
        break;
      }
      if (d !== (kind === OBJECT ? 0x7d : 0x5d)) return false;
      depth--;
      i++;
    }
  }
}

function skipWhitespace(s: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = s[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** `"name":` at i; returns the index after the colon, or -1. */
function memberName(s: Uint8Array, i: number, n: number): number {
  if (code(s, i, n) !== 0x22) return -1;
  i = string(s, i, n);
  if (i < 0) return -1;
  i = skipWhitespace(s, i, n);
  return code(s, i, n) === 0x3a /* : */ ? i + 1 : -1;
}

/** A string starting at the quote at i; returns the index after its closing quote, or -1. */
function string(s: Uint8Array, i: number, n: number): number {
  for (i++; i < n; i++) {
    const c = s[i];
    if (c > 0x5c) continue; // past the backslash: most letters, one test
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c /* \ */) {
      if (++i >= n) return -1;
      const e = s[i];
      if (e === 0x75 /* u */) {
        if (i + 4 >= n) return -1;
        for (let k = 0; k < 4; k++) if (!isHex(code(s, ++i, n))) return -1;
      } else if (
        e !== 0x22 &&
        e !== 0x5c &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
    }
  }
  return -1;
}

/** The literal word at i (true, false, null); returns the index after it, or -1. */
function literal(s: Uint8Array, i: number, n: number, word: Uint8Array): number {
  if (i + word.length > n) return -1;
  for (let k = 1; k < word.length; k++) if (s[i + k] !== word[k]) return -1;
  return i + word.length;
}

/** The byte at i, or -1 at or past the end of the part being checked. */
function code(s: Uint8Array, i: number, n: number): number {
  return i < n ? s[i] : -1;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at i; returns the index after it, or -1. */
function number(s: Uint8Array, i: number, n: number): number {
  if (code(s, i, n) === 0x2d) i++;
  const first = code(s, i, n);
  if (first === 0x30) i++;
  else if (first >= 0x31 && first <= 0x39) i = digits(s, i + 1, n);
  else return -1;
  if (code(s, i, n) === 0x2e /* . */) {
    const after = digits(s, i + 1, n);
    if (after === i + 1) return -1;
    i = after;
  }
  const e = code(s, i, n);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = code(s, i, n);
    if (sign === 0x2b || sign === 0x2d) i++;
    const after = digits(s, i, n);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

function digits(s: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = s[i];
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i;
}
