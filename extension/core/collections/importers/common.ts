/** What every importer shares: its result, and the rules an imported collection must meet to load. */
import type { Collection, MessageSpec } from '../model';

export interface ImportResult {
  collection: Collection;
  /** Things that could not be carried over exactly, each naming the file and line. */
  warnings: string[];
}

/** Files saved by Windows editors may start with a UTF-8 byte order mark; it is not part of the content. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
