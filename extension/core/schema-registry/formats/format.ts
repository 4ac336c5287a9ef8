/** One interface for Avro, JSON Schema and Protobuf schemas, so the registry and the serializers treat them alike. */
import type { SchemaType } from '../types';

export interface ParsedSchema {
  readonly schemaType: SchemaType;
  /**
   * The text the registry stores and compares (Avro and JSON: compact JSON; Protobuf: the text trimmed), so the
   * same schema written with other spacing is found as the same schema.
   */
  readonly canonical: string;
  /** The record (Avro), message (Protobuf) or title (JSON) names, for RecordName strategies and pickers. */
  recordNames(): string[];
  /**
   * A value written as JSON, checked and encoded: the bytes that follow the schema id in Confluent's wire format
   * (Protobuf: message indexes then the message). Throws SchemaValueError naming the path and what was expected.
   * `recordName` picks a Protobuf message (default: the first in the file).
   */
  encode(value: unknown, recordName?: string): Buffer;
  /** Bytes after the schema id, back to a JSON value (Avro JSON encoding for Avro). */
  decode(payload: Buffer): { value: unknown; recordName?: string };
  /** A value that fits the schema, for "fill example". */
  example(recordName?: string): unknown;
  /**
   * Why data written with `writer` cannot be read with this schema: empty when it can. Both must be of this type.
   */
  readProblems(writer: ParsedSchema): string[];
}
