/**
 * Reading records back: bytes in Confluent's wire format decoded by the schema id they carry (the schema fetched
 * from the registry once per id), anything else left as it is.
 */
import type { SchemaRegistryClient } from './client';
import { parseSchema, type ParsedSchema } from './formats';
import type { SchemaType } from './types';
import { unframe } from './wire-format';

/** Parsed schemas kept, at most; the oldest id goes first. */
const MAX_CACHED_SCHEMAS = 1000;

export interface DecodedRecordPart {
  schemaId: number;
  schemaType: SchemaType;
  /** The record (Avro) or message (Protobuf) it was written as. */
  recordName?: string;
  /** As JSON: Avro's JSON encoding for Avro, protobufjs' JSON form (longs and bytes as strings) for Protobuf. */
  value: unknown;
}

/** A subject and version that hold a schema id. */
export interface SchemaUse {
  subject: string;
  version: number;
}

export class SchemaDeserializer {
  private readonly parsed = new Map<number, Promise<ParsedSchema>>();
  private readonly usesById = new Map<number, Promise<SchemaUse[]>>();

  constructor(readonly client: SchemaRegistryClient) {}

  /** The subjects and versions that hold schema `id` (asked once per id): to name what decoded a record. */
  uses(id: number): Promise<SchemaUse[]> {
    let uses = this.usesById.get(id);
    if (!uses) {
      uses = this.client.usesOf(id);
      uses.catch(() => this.usesById.delete(id));
      this.usesById.set(id, uses);
      if (this.usesById.size > MAX_CACHED_SCHEMAS) this.usesById.delete(this.usesById.keys().next().value as number);
    }
    return uses;
  }

  /** The decoded value, or undefined when the bytes are not in Confluent's wire format (no magic byte 0). */
  async decode(bytes: Buffer | null | undefined): Promise<DecodedRecordPart | undefined> {
    if (!bytes) return undefined;
    const framed = unframe(bytes);
    if (!framed) return undefined;
    let schema = this.parsed.get(framed.schemaId);
    if (!schema) {
      schema = this.client.schemaById(framed.schemaId).then(async (s) => parseSchema(await this.client.resolve(s)));
      schema.catch(() => this.parsed.delete(framed.schemaId));
      this.parsed.set(framed.schemaId, schema);
      if (this.parsed.size > MAX_CACHED_SCHEMAS) this.parsed.delete(this.parsed.keys().next().value as number);
    }
    const parsed = await schema;
    const { value, recordName } = parsed.decode(framed.payload);
    return { schemaId: framed.schemaId, schemaType: parsed.schemaType, value, ...(recordName ? { recordName } : {}) };
  }
}

/** What decoded a part, as JSON output shows it next to the decoded value: `{id, type, recordName?, subject?, version?}`. */
export function decodedSchemaJson(d: DecodedRecordPart, use?: SchemaUse): Record<string, unknown> {
  return {
    id: d.schemaId,
    type: d.schemaType,
    ...(d.recordName ? { recordName: d.recordName } : {}),
    ...(use ? { subject: use.subject, version: use.version } : {}),
  };
}

/** A record as JSON with its decoded key and value in place of their bytes, and keySchema / valueSchema saying by what. */
export function withDecoded<T extends object>(
  json: T,
  decoded: { key?: DecodedRecordPart; value?: DecodedRecordPart },
  uses: { key?: SchemaUse; value?: SchemaUse } = {},
): T & Record<string, unknown> {
  return {
    ...json,
    ...(decoded.key ? { key: decoded.key.value, keySchema: decodedSchemaJson(decoded.key, uses.key) } : {}),
    ...(decoded.value ? { value: decoded.value.value, valueSchema: decodedSchemaJson(decoded.value, uses.value) } : {}),
  };
}
