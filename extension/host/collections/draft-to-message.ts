/**
 * Composer draft <-> collection message. The composer edits a message's source: its fields hold the templates as the
 * file has them (`order-{{$seq}}`), and sends render them like a collection send. Saving a new message keeps only
 * what differs from the composer's defaults, so saved messages stay short; saving back over a message is planned in
 * message-save.ts, which writes only the fields the user edited.
 */
import type { ProducerRecord } from '../../core/engine/types';
import type { MessageSpec, ProducerSettings, SchemaRefSpec } from '../../core/collections/model';
import {
  defaultDraft,
  defaultSchemaRef,
  MAX_REPEAT,
  type ComposerDraft,
  type DraftProducerSettings,
  type DraftSchemaRef,
} from '../../protocol/messages';

const SPECIAL_VALUE_KEYS = ['file', 'base64', 'json'];

export function draftToMessage(draft: ComposerDraft, name: string): MessageSpec {
  const message: MessageSpec = { name, topic: draft.topic };
  message.key =
    draft.keyFormat === 'none'
      ? null
      : draft.keyFormat === 'base64'
        ? { base64: draft.key.replace(/\s+/g, '') }
        : draft.keyFormat === 'json'
          ? JSON.stringify(JSON.parse(draft.key))
          : // Encoded by its schema: JSON for the schema, a text that is not JSON is that string (as collections read it).
            draft.keyFormat === 'schema'
            ? jsonOrText(draft.key)
            : draft.key;
  if (draft.keyFormat === 'schema') message.keySchema = schemaRefSpec(draft.keySchema);
  if (draft.valueFormat === 'schema') {
    message.value = JSON.parse(draft.value);
    message.valueSchema = schemaRefSpec(draft.valueSchema);
  } else if (draft.valueFormat === 'null') message.value = null;
  else if (draft.valueFormat === 'base64') message.value = { base64: draft.value.replace(/\s+/g, '') };
  else if (draft.valueFormat === 'json') {
    const v: unknown = JSON.parse(draft.value);
    // A JSON object that looks like one of the collection's special forms is escaped, so it is sent as written.
    const looksSpecial =
      typeof v === 'object' && v !== null && !Array.isArray(v) && SPECIAL_VALUE_KEYS.some((k) => k in v);
    message.value = looksSpecial ? { json: v } : v;
  } else message.value = draft.value;
  if (draft.headers.length)
    message.headers = draft.headers.map((h) => [h.key, h.binary ? { base64: h.value.replace(/\s+/g, '') } : h.value]);
  if (draft.partition !== null) message.partition = draft.partition;
  if (draft.timestamp !== null) message.timestamp = draft.timestamp;
  if (draft.repeat > 1) message.count = draft.repeat;
  const defaults = defaultDraft().settings;
  const producer: ProducerSettings = {};
  for (const [k, v] of Object.entries(draft.settings) as [keyof DraftProducerSettings, string | number | boolean][]) {
    if (defaults[k] !== v) producer[k] = v;
  }
  if (Object.keys(producer).length) message.producer = producer;
  return message;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The composer's schema choice as a message's keySchema / valueSchema: only what differs from the defaults. */
function schemaRefSpec(ref: DraftSchemaRef | undefined): SchemaRefSpec {
  const r = ref ?? defaultSchemaRef();
  return {
    ...(r.subject ? { subject: r.subject } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.recordName ? { recordName: r.recordName } : {}),
  };
}

function draftSchemaRef(spec: SchemaRefSpec): DraftSchemaRef {
  return {
    subject: spec.subject ?? '',
    version: typeof spec.version === 'number' ? spec.version : null,
    recordName: spec.recordName ?? '',
  };
}

const DRAFT_SETTING_KEYS = Object.keys(defaultDraft().settings) as (keyof DraftProducerSettings)[];

/** A draft showing one concrete record of a message (its first), with the message's producer settings the composer knows. */
export function recordToDraft(record: ProducerRecord, producer: ProducerSettings, count: number): ComposerDraft {
  const draft = defaultDraft();
  draft.topic = record.topic;
  const key = record.key;
  if (key === null || key === undefined) {
    draft.keyFormat = 'none';
    draft.key = '';
  } else if (typeof key === 'string') {
    draft.keyFormat = 'string';
    draft.key = key;
  } else {
    draft.keyFormat = 'base64';
    draft.key = Buffer.from(key).toString('base64');
  }
  const value = record.value;
  if (value === null || value === undefined) {
    draft.valueFormat = 'null';
    draft.value = '';
  } else if (typeof value === 'string') {
    draft.valueFormat = isJsonText(value) ? 'json' : 'text';
    draft.value = value;
  } else {
    draft.valueFormat = 'base64';
    draft.value = Buffer.from(value).toString('base64');
  }
  draft.headers = (record.headers ?? []).map((h) =>
    typeof h.value === 'string' || h.value === null || h.value === undefined
      ? { key: h.key, value: h.value ?? '', binary: false }
      : { key: h.key, value: Buffer.from(h.value).toString('base64'), binary: true },
  );
  draft.partition = record.partition ?? null;
  draft.timestamp = record.timestamp ?? null;
  draft.repeat = Math.max(1, Math.min(count, 10_000));
  const settings = draft.settings as unknown as Record<string, unknown>;
  for (const k of DRAFT_SETTING_KEYS) if (producer[k] !== undefined) settings[k] = producer[k];
  return draft;
}

function isJsonText(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A setting as the composer's form holds it: acks as text ("all" for -1), numbers and booleans as they are. */
function draftSetting(k: keyof DraftProducerSettings, v: string | number | boolean): string | number | boolean {
  if (k === 'acks') return String(v) === '-1' ? 'all' : String(v);
  return v;
}

/**
 * A message's source as a composer draft: topic, key, value and headers with their templates as written, the
 * producer settings the composer has a field for (collection's, then the message's). A data-file value cannot be
 * typed into the form: the draft shows `firstRecord`'s value (the file's first line) instead, and saving keeps the
 * file reference unless the user edits the value.
 */
export function messageToDraft(
  spec: MessageSpec,
  collectionProducer: ProducerSettings | undefined,
  firstRecord?: ProducerRecord,
): ComposerDraft {
  const draft = defaultDraft();
  draft.topic = spec.topic;
  const key = spec.key as MessageSpec['key'] & { base64?: string };
  if (spec.keySchema) {
    draft.keyFormat = 'schema';
    draft.key = typeof key === 'string' ? key : JSON.stringify(key ?? null);
    draft.keySchema = draftSchemaRef(spec.keySchema);
  } else if (key === null || key === undefined) {
    draft.keyFormat = 'none';
    draft.key = '';
  } else if (typeof key === 'string') {
    draft.keyFormat = 'string';
    draft.key = key;
  } else {
    draft.keyFormat = 'base64';
    draft.key = String(key.base64);
  }
  const value = spec.value as unknown;
  const special =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  if (spec.valueSchema && !isFileSpec(special)) {
    draft.valueFormat = 'schema';
    draft.value = JSON.stringify(value ?? null, null, 2);
    draft.valueSchema = draftSchemaRef(spec.valueSchema);
  } else if (isFileSpec(special)) {
    const fromFile = recordToDraft({ topic: spec.topic, value: firstRecord?.value ?? null }, {}, 1);
    draft.valueFormat = fromFile.valueFormat;
    draft.value = fromFile.value;
  } else if (value === null || value === undefined) {
    draft.valueFormat = 'null';
    draft.value = '';
  } else if (typeof value === 'string') {
    draft.valueFormat = 'text';
    draft.value = value;
  } else if (special && Object.keys(special).length === 1 && typeof special.base64 === 'string') {
    draft.valueFormat = 'base64';
    draft.value = special.base64;
  } else if (special && Object.keys(special).length === 1 && 'json' in special) {
    draft.valueFormat = 'json';
    draft.value = JSON.stringify(special.json, null, 2);
  } else {
    draft.valueFormat = 'json';
    draft.value = JSON.stringify(value, null, 2);
  }
  draft.headers = (spec.headers ?? []).map(([name, v]) =>
    v !== null && typeof v === 'object'
      ? { key: name, value: v.base64, binary: true }
      : { key: name, value: v ?? '', binary: false },
  );
  draft.partition = spec.partition ?? null;
  draft.timestamp = spec.timestamp ?? null;
  draft.repeat = isFileSpec(special) ? 1 : Math.max(1, Math.min(spec.count ?? 1, MAX_REPEAT));
  const merged: ProducerSettings = { ...(collectionProducer ?? {}), ...(spec.producer ?? {}) };
  const settings = draft.settings as unknown as Record<string, unknown>;
  for (const k of DRAFT_SETTING_KEYS) if (merged[k] !== undefined) settings[k] = draftSetting(k, merged[k]);
  return draft;
}

/** `{"file": ..., "lines"?: ...}`: a value read from a data file. */
export function isFileSpec(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { file?: unknown }).file === 'string' &&
    Object.keys(v).every((k) => k === 'file' || k === 'lines')
  );
}
