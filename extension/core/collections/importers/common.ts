/** What every importer shares: its result, and the rules an imported collection must meet to load. */
import type { Collection, MessageSpec } from '../model';

export interface ImportResult {
  collection: Collection;
  /** Things that could not be carried over exactly, each naming the file and line. */
  warnings: string[];
}

/**
 * Message names must be unique: the first of a name keeps it, a repeat gets the first free " (2)", " (3)"...
 * that no other message has, even one further down (PRODUCER a, a, "a (2)" -> a, "a (3)", "a (2)").
 */
export function uniqueNames(messages: MessageSpec[]): void {
  const taken = new Set(messages.map((m) => m.name));
  const kept = new Set<string>();
  for (const m of messages) {
    if (kept.has(m.name)) {
      let n = 2;
      while (taken.has(`${m.name} (${n})`)) n++;
      m.name = `${m.name} (${n})`;
      taken.add(m.name);
    }
    kept.add(m.name);
  }
}

/** Whether a value would be read as one of the collection's special forms ({"file"}, {"base64"}, {"json"}). */
export function isSpecialForm(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.includes('file') || keys.includes('base64') || keys.includes('json');
}

/** A JSON string (skipped: its digits are text) or a JSON number. */
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The first number in valid JSON `text` that parsing and serializing again would change, or undefined when every
 * one survives: an integer beyond 2^53 (12345678901234567890 would become ...7000), one out of a double's range
 * (1E400 would become null, 1e-400 0), one with more digits than a double holds. 1.50e2 becoming 150 is the same
 * value, so that is fine.
 */
export function changedNumber(text: string): string | undefined {
  for (const [token] of text.matchAll(JSON_STRING_OR_NUMBER)) {
    if (token.startsWith('"')) continue;
    const value = Number(token);
    if (!Number.isFinite(value) || decimalForm(token) !== decimalForm(JSON.stringify(value))) return token;
  }
  return undefined;
}

/** A JSON number as significant digits and exponent, so that 1.50e2 and 150 compare equal: `15e1`. */
function decimalForm(number: string): string {
  const [, sign, whole, fraction = '', exponent = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(number)!;
  const digits = (whole + fraction).replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (!significant) return '0';
  return `${sign}${significant}e${Number(exponent) - fraction.length + digits.length - significant.length}`;
}
