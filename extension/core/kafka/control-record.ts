/**
 * Transaction markers: the control batches a transaction coordinator writes into each partition of a transaction
 * when it commits or aborts (Java's EndTransactionMarker / ControlRecordType). A control batch has the
 * transactional and control attribute bits set, the producer's id and epoch, no sequence, and one record whose key
 * is (version int16 = 0, type int16: 0 abort, 1 commit) and whose value is (version int16 = 0, coordinator epoch
 * int32). Consumers never see these records; read_committed consumers use them to drop aborted records.
 */
import { crc32c } from './crc32c';
import { ATTRIBUTES_OFFSET, CRC_OFFSET, RecordBatchBuilder, recordBodySizeWithoutDeltas } from './record-batch';

const TRANSACTIONAL_AND_CONTROL = 0x10 | 0x20;

export type ControlRecordType = 'abort' | 'commit';

/** The bytes of one transaction marker batch (base offset 0: the log stamps it on append). */
export function transactionMarkerBatch(
  type: ControlRecordType,
  producerId: number,
  producerEpoch: number,
  coordinatorEpoch: number,
  timestamp: number,
): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type === 'commit' ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  const builder = new RecordBatchBuilder(128, timestamp);
  builder.tryAppend(timestamp, key, value, undefined, recordBodySizeWithoutDeltas(key, value));
  const out = Buffer.from(builder.build({ producerId, producerEpoch, baseSequence: -1 }));
  out.writeInt16BE(out.readInt16BE(ATTRIBUTES_OFFSET) | TRANSACTIONAL_AND_CONTROL, ATTRIBUTES_OFFSET);
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return out;
}

/** What a control record's key says: a commit or abort marker, or undefined for another control type. */
export function controlRecordType(key: Buffer | null): ControlRecordType | undefined {
  if (!key || key.length < 4) return undefined;
  const type = key.readInt16BE(2);
  return type === 1 ? 'commit' : type === 0 ? 'abort' : undefined;
}
