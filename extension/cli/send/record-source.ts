/**
 * The records `send` hands over: the same record object every time when nothing in it changes per record, so a
 * million sends allocate nothing; otherwise `{{$seq}}` in key or value becomes the record's index, from parts split
 * once.
 */
import type { ProducerRecord } from '../../core/engine/types';
import type { SchemaUsed } from '../../core/schema-registry/schema-used';

export const SEQ = '{{$seq}}';

export interface RecordTemplate {
  topic: string;
  key: string | null;
  value: string | Buffer;
  headers: { key: string; value: string }[];
  partition?: number;
  /** Schema serializers for the key and value text (may throw for a value that does not fit). */
  encode?: { key?: (text: string) => Buffer; value?: (text: string) => Buffer };
}

export class RecordSource {
  private readonly fixed: ProducerRecord | undefined;
  private readonly keyParts: string[] | undefined;
  private readonly valueParts: string[] | undefined;
  private readonly encode: RecordTemplate['encode'];

  constructor(
    private readonly template: RecordTemplate,
    encode: RecordTemplate['encode'] = template.encode,
    /** The schemas `encode` uses, for the records' traces (one array for every record). */
    private readonly serialization: readonly SchemaUsed[] = [],
  ) {
    this.encode = encode;
    const { key, value } = template;
    this.keyParts = key !== null && key.includes(SEQ) ? key.split(SEQ) : undefined;
    const valueText = typeof value === 'string' ? value : value.includes(SEQ) ? value.toString('utf8') : undefined;
    this.valueParts = valueText?.includes(SEQ) ? valueText.split(SEQ) : undefined;
    if (!this.keyParts && !this.valueParts) this.fixed = this.build(key, value);
  }

  /** The record at `index` (0-based). */
  record(index: number): ProducerRecord {
    if (this.fixed) return this.fixed;
    const seq = String(index);
    return this.build(
      this.keyParts ? this.keyParts.join(seq) : this.template.key,
      this.valueParts ? this.valueParts.join(seq) : this.template.value,
    );
  }

  /** The key of the record at `index`, as the report shows it. */
  key(index: number): string | null {
    return this.keyParts ? this.keyParts.join(String(index)) : this.template.key;
  }

  private build(keyText: string | null, valueText: string | Buffer): ProducerRecord {
    const t = this.template;
    const e = this.encode;
    const key = e?.key && keyText !== null ? e.key(keyText) : keyText;
    const value = e?.value
      ? e.value(typeof valueText === 'string' ? valueText : valueText.toString('utf8'))
      : valueText;
    // The record that never changes carries bytes: the engine then copies them instead of encoding text each time.
    const fixed = !this.keyParts && !this.valueParts;
    const record: ProducerRecord = {
      topic: t.topic,
      key: fixed && typeof key === 'string' ? Buffer.from(key, 'utf8') : key,
      value: fixed && typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
    };
    if (t.headers.length) record.headers = t.headers.map((h) => ({ key: h.key, value: h.value }));
    if (t.partition !== undefined) record.partition = t.partition;
    if (this.serialization.length) record.serialization = this.serialization;
    return record;
  }
}
