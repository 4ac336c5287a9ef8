/**
 * The records `send` hands over: the same record object every time when nothing in it changes per record, so a
 * million sends allocate nothing; otherwise `{{$seq}}` in key or value becomes the record's index, from parts split
 * once.
 */
import type { ProducerRecord } from '../../core/engine/types';

export const SEQ = '{{$seq}}';

export interface RecordTemplate {
  topic: string;
  key: string | null;
  value: string | Buffer;
  headers: { key: string; value: string }[];
  partition?: number;
}

export class RecordSource {
  private readonly fixed: ProducerRecord | undefined;
  private readonly keyParts: string[] | undefined;
  private readonly valueParts: string[] | undefined;

  constructor(private readonly template: RecordTemplate) {
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
    return this.build(this.keyParts ? this.keyParts.join(seq) : this.template.key, this.valueParts ? this.valueParts.join(seq) : this.template.value);
  }

  /** The key of the record at `index`, as the report shows it. */
  key(index: number): string | null {
    return this.keyParts ? this.keyParts.join(String(index)) : this.template.key;
  }

  private build(key: string | null, value: string | Buffer): ProducerRecord {
    const t = this.template;
    // The record that never changes carries bytes: the engine then copies them instead of encoding text each time.
    const fixed = !this.keyParts && !this.valueParts;
    const record: ProducerRecord = { topic: t.topic, key: fixed && key !== null ? Buffer.from(key, 'utf8') : key, value: fixed && typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
    if (t.headers.length) record.headers = t.headers.map((h) => ({ key: h.key, value: h.value }));
    if (t.partition !== undefined) record.partition = t.partition;
    return record;
  }
}
