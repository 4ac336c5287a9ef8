/** The composer's draft as producer records and producer config: encodes keys, values and headers. */
import type { ProducerConfigInput } from '../../core/engine/config';
import type { ProducerRecord } from '../../core/engine/types';
import { InvalidInputError } from '../../core/util/errors';
import { loneSurrogateProblem } from '../../core/util/utf8';
import type { ComposerDraft, DraftProducerSettings, KeyFormat } from '../../protocol/messages';
import { checkDraft } from '../../protocol/validate';

export function encodeKey(format: KeyFormat, key: string): string | Buffer | null {
  switch (format) {
    case 'none': return null;
    case 'string': return key;
    // JSON keys are sent as their compact text, so equal objects hash to the same partition.
    case 'json': return JSON.stringify(JSON.parse(key));
    case 'base64': return Buffer.from(key.replace(/\s+/g, ''), 'base64');
    // Encoded by its schema when sent (draft-schemas.ts); until then the text stands in.
    case 'schema': return key;
  }
}

export function draftToRecord(draft: ComposerDraft): ProducerRecord {
  const problems = checkDraft(draft);
  if (problems.length) throw new InvalidInputError(problems.map((p) => p.message).join(' '));
  const value = draft.valueFormat === 'null' ? null
    : draft.valueFormat === 'base64' ? Buffer.from(draft.value.replace(/\s+/g, ''), 'base64')
    : draft.value;
  // Text the composer sends as written must be UTF-8-able: a lone surrogate would go out as U+FFFD.
  const texts: [string, string][] = [
    ...(draft.keyFormat === 'string' ? [[draft.key, 'The key'] as [string, string]] : []),
    ...(draft.valueFormat === 'text' || draft.valueFormat === 'json' ? [[draft.value, 'The value'] as [string, string]] : []),
    ...draft.headers.flatMap((h, i): [string, string][] => [[h.key, `The name of header ${i + 1}`], ...(h.binary ? [] : [[h.value, `Header "${h.key}"`] as [string, string]])]),
  ];
  for (const [text, what] of texts) {
    const problem = loneSurrogateProblem(text, what);
    if (problem) throw new InvalidInputError(problem);
  }
  const record: ProducerRecord = {
    topic: draft.topic,
    key: encodeKey(draft.keyFormat, draft.key),
    value,
    headers: draft.headers.map((h) => ({ key: h.key, value: h.binary ? Buffer.from(h.value, 'base64') : h.value })),
  };
  if (draft.partition !== null) record.partition = draft.partition;
  if (draft.timestamp !== null) record.timestamp = draft.timestamp;
  return record;
}

export function settingsToConfig(s: DraftProducerSettings, clientId: string): ProducerConfigInput {
  return { ...s, 'client.id': clientId };
}

/** Producers are reused while the settings stay the same. */
export function settingsKey(s: DraftProducerSettings): string {
  return JSON.stringify(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : 1)));
}
