/**
 * Values written as JSON, encoded by a registry's schema into Confluent's wire format, for a record's key or value.
 * Which schema: an id, or a subject (given, or named by the subject name strategy) at a version (latest by default),
 * or a local schema looked up, or registered only when auto-registration is on (off by default: a test tool should
 * not register schemas on a shared registry unless asked). Resolved once; encoding each record is then synchronous.
 */
import { InvalidInputError } from '../util/errors';
import type { SchemaRegistryClient } from './client';
import { parseSchema, type ParsedSchema } from './formats';
import { SchemaValueError, type SchemaReference, type SchemaType } from './types';
import { frame } from './wire-format';
import type { RecordPart, SchemaUsed } from './schema-used';

export { describeSchemaUsed, type RecordPart, type SchemaUsed } from './schema-used';

export const SUBJECT_NAME_STRATEGIES = ['TopicName', 'RecordName', 'TopicRecordName'] as const;
export type SubjectNameStrategy = (typeof SUBJECT_NAME_STRATEGIES)[number];

/** How a key or value picks its schema; every field optional (TopicName, latest version by default). */
export interface SchemaSelection {
  subject?: string;
  version?: number | 'latest';
  id?: number;
  strategy?: SubjectNameStrategy;
  /** The record's full name (RecordName strategies), and for Protobuf the message to encode. */
  recordName?: string;
  /** A schema of one's own, looked up under the subject (or registered, with autoRegister). */
  schema?: { schemaType: SchemaType; schema: string; references?: SchemaReference[] };
  autoRegister?: boolean;
}

export interface SchemaSerializer {
  readonly used: SchemaUsed;
  readonly schema: ParsedSchema;
  /** Framed bytes; a value that does not fit throws SchemaValueError under `key`/`value`. */
  encode(value: unknown): Buffer;
  /** JSON text, parsed then encoded; text that is not JSON says so. */
  encodeText(text: string): Buffer;
}

/** The subject a strategy names; RecordName needs the record's name. */
export function subjectFor(topic: string, part: RecordPart, selection: SchemaSelection): string {
  if (selection.subject) return selection.subject;
  const strategy = selection.strategy ?? 'TopicName';
  if (strategy === 'TopicName') return `${topic}-${part}`;
  if (!selection.recordName)
    throw new InvalidInputError(
      `the ${strategy} strategy names the subject after the record: give the ${part}'s record name (its full name, such as com.acme.Order)`,
    );
  return strategy === 'RecordName' ? selection.recordName : `${topic}-${selection.recordName}`;
}

export async function createSerializer(
  client: SchemaRegistryClient,
  topic: string,
  part: RecordPart,
  selection: SchemaSelection,
): Promise<SchemaSerializer> {
  let id: number;
  let subject: string | undefined;
  let version: number | undefined;
  let schema: { schemaType: SchemaType; schema: string; references: SchemaReference[] };
  if (selection.id !== undefined) {
    id = selection.id;
    schema = await client.schemaById(id);
    // Which subject and version this id is, for the trace: the chosen subject if it uses the id, else the first.
    const uses = await client.usesOf(id).catch(() => []);
    const use = uses.find((u) => u.subject === selection.subject) ?? uses[0];
    subject = use?.subject ?? selection.subject;
    version = use?.version;
  } else {
    subject = subjectFor(topic, part, selection);
    if (selection.schema) {
      const local = { ...selection.schema, references: selection.schema.references ?? [] };
      if (selection.autoRegister) await client.register(subject, local);
      const found = await client.lookup(subject, local);
      ({ id, version } = found);
      schema = found;
    } else {
      const found = await client.version(subject, selection.version ?? 'latest');
      ({ id, version } = found);
      schema = found;
    }
  }
  const parsed = parseSchema(await client.resolve(schema));
  // A Protobuf message name is checked now, not at the first record.
  if (parsed.schemaType === 'PROTOBUF' && selection.recordName) parsed.example(selection.recordName);
  const names = parsed.recordNames();
  const chosen = selection.recordName;
  const recordName =
    parsed.schemaType === 'PROTOBUF' && chosen
      ? (names.find((n) => n === chosen) ?? names.find((n) => n.endsWith(`.${chosen}`)))
      : names[0];
  const used: SchemaUsed = {
    part,
    ...(subject ? { subject } : {}),
    ...(version !== undefined ? { version } : {}),
    id,
    schemaType: parsed.schemaType,
    ...(recordName ? { recordName } : {}),
  };
  const encode = (value: unknown): Buffer => {
    try {
      return frame(id, parsed.encode(value, selection.recordName));
    } catch (e) {
      if (e instanceof SchemaValueError) throw e.under(part);
      throw e;
    }
  };
  return {
    used,
    schema: parsed,
    encode,
    encodeText(text: string): Buffer {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new SchemaValueError(
          part,
          `is not JSON (${(e as Error).message}); with a schema the ${part} is written as JSON and encoded by it`,
        );
      }
      return encode(value);
    },
  };
}

/**
 * A key typed as text (a CLI flag, a composer field, a collection's key string) for a key schema: JSON when it is
 * JSON, else the text itself as a string, so `--key order-1` needs no quotes for a string key schema.
 */
export function keyTextValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
