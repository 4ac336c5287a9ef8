/**
 * What encoded a record's key or value (subject, version, id), and its words: light, with no schema libraries, so
 * the trace view and reports can name it without loading the serializers.
 */
import type { SchemaType } from './types';

export type RecordPart = 'key' | 'value';

export interface SchemaUsed {
  part: RecordPart;
  /** Absent when the schema was chosen by id and no subject uses it. */
  subject?: string;
  version?: number;
  id: number;
  schemaType: SchemaType;
  recordName?: string;
}

/** `orders-value v3 (id 7, AVRO com.acme.Order)`, for traces and reports. */
export function describeSchemaUsed(u: SchemaUsed): string {
  const where = u.subject ? `${u.subject}${u.version !== undefined ? ` v${u.version}` : ''} ` : '';
  return `${where}(id ${u.id}, ${u.schemaType}${u.recordName ? ` ${u.recordName}` : ''})`;
}
