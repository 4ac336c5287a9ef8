/**
 * What the composer's plain text fields hold before they become a draft: a number field with "abc" in it is an error
 * next to the field, never a silent default (Repeat "abc" used to send 1 record). Also the words for each send mode.
 * DOM-free, so plain mocha tests it.
 */
import { MAX_REPEAT, type SendMode } from '../extension/protocol/messages';

/** The number fields: their element id, their name in messages, and the whole numbers they take. */
export const NUMBER_FIELDS = [
  { id: 'repeat', name: 'Repeat', min: 1, max: MAX_REPEAT },
  { id: 'linger', name: 'linger.ms', min: 0, max: 3_600_000 },
  { id: 'batch-size', name: 'batch.size', min: 0, max: 64 * 1024 * 1024 },
  { id: 'retries', name: 'retries', min: 0, max: 2147483647 },
  { id: 'delivery-timeout', name: 'delivery.timeout.ms', min: 1, max: 2147483647 },
] as const;

export interface FieldProblem {
  /** The element id; its error line is `error-<id>`. */
  id: string;
  message: string;
}

/** Problems of the number fields as typed (`text(id)` reads one); a field left empty takes its default. */
export function numberFieldProblems(text: (id: string) => string, timestampNow: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (id: string, name: string, min: number, max: number, emptyOk: boolean) => {
    const raw = text(id).trim();
    if (raw === '' && emptyOk) return;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push({
        id,
        message: `${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}${raw === '' ? '' : ` (it is "${raw}")`}.`,
      });
    }
  };
  for (const f of NUMBER_FIELDS) check(f.id, f.name, f.min, f.max, f.id !== 'repeat');
  if (!timestampNow) check('timestamp', 'Timestamp (ms since epoch)', 0, 8_640_000_000_000_000, false);
  return problems;
}

/** How each send mode sends, in a line under the dropdown. */
export const SEND_MODE_WORDS: Record<SendMode, { label: string; hint: string }> = {
  sync: {
    label: 'sync',
    hint: "sync: each record is handed to the producer only after the one before is acknowledged (Java's send().get()): slow, in order, one at a time.",
  },
  async: {
    label: 'async',
    hint: 'async: records are handed over without waiting (up to 1,000 in flight, batched by linger.ms and batch.size); each row fills in as its ack arrives.',
  },
  'fire-and-forget': {
    label: 'fire-and-forget',
    hint: 'fire-and-forget: like async, but a real application would not look at the outcome; here failures still show in the table.',
  },
};
