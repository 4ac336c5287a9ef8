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

export class SchemaDeserializer {
  private readonly parsed = new Map<number, Promise<ParsedSchema>>();

  constructor(private readonly client: SchemaRegistryClient) {}

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
