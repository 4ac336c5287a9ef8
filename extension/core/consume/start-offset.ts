/** Where reading starts: the one parser for `--offset`, the topic viewer's "from" and the runner. */
import { InvalidInputError } from '../util/errors';

export type StartOffset =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'timestamp'; timestamp: number };

export const START_OFFSET_HELP =
  'earliest, latest, an offset (0 or more) or @TIMESTAMP (milliseconds since 1970, or an ISO date such as @2024-05-01T12:00:00Z)';

/** Parses `earliest|latest|N|@TIMESTAMP`; a timestamp later than `nowMs` is refused (nothing can be there yet). */
export function parseStartOffset(text: string, nowMs: number): StartOffset {
  const t = text.trim();
  if (t === 'earliest' || t === 'beginning') return { kind: 'earliest' };
  if (t === 'latest' || t === 'end') return { kind: 'latest' };
  if (/^\d+$/.test(t)) {
    const offset = Number(t);
    if (!Number.isSafeInteger(offset)) throw new InvalidInputError(`offset ${t} is too large`);
    return { kind: 'offset', offset };
  }
  if (t.startsWith('@')) {
    const raw = t.slice(1);
    const timestamp = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    if (!Number.isFinite(timestamp) || raw === '')
      throw new InvalidInputError(
        `'${t}' is not a timestamp: give milliseconds since 1970 (@1714564800000) or an ISO date (@2024-05-01T12:00:00Z)`,
      );
    if (timestamp > nowMs) {
      throw new InvalidInputError(
        `timestamp ${new Date(timestamp).toISOString()} is in the future (now is ${new Date(nowMs).toISOString()}): no record can have it yet; use latest to wait for new records`,
      );
    }
    return { kind: 'timestamp', timestamp };
  }
  throw new InvalidInputError(`offset '${text}' is not valid: use ${START_OFFSET_HELP}`);
}

export function describeStartOffset(start: StartOffset): string {
  switch (start.kind) {
    case 'earliest':
    case 'latest':
      return start.kind;
    case 'offset':
      return `offset ${start.offset}`;
    case 'timestamp':
      return `@${new Date(start.timestamp).toISOString()}`;
  }
}
