/**
 * Turns the engine's trace events into timeline lines in plain words for the webview. Pure: no vscode.
 */
import type {
  BatchTrace,
  PartitionReason,
  RecordMetadata,
  RecordTrace,
  TraceEvent,
  TransactionView,
} from '../../core/engine/types';
import { formatDuration } from '../../core/format/duration';
import { describeSchemaUsed, type SchemaUsed } from '../../core/schema-registry/schema-used';
import type { BatchView, RecordTraceView, TimelineEntry } from '../../protocol/messages';
import { describeTraceId } from '../../protocol/trace-ids';
import { CLOSE_REASON_WORDS, recordWaterfall, requestSpans } from '../../core/visual/waterfall';

export function describePartitionReason(r: PartitionReason): string {
  switch (r.type) {
    case 'explicit':
      return `chosen explicitly (topic has ${r.numPartitions} partitions)`;
    case 'key-hash':
      return `murmur2(key) = ${r.hash}, toPositive(hash) % ${r.numPartitions}`;
    case 'sticky':
      return r.switched
        ? `sticky partition (switched from ${r.previousPartition ?? 'none'} after the last batch filled)`
        : 'sticky partition for keyless records';
    case 'round-robin':
      return `round-robin over ${r.numPartitions} partitions`;
    case 'failover':
      return `failover: ${r.originalRule} picked partition ${r.originalPartition}, which has no live leader, so the record was re-routed`;
  }
}

function entry(e: TraceEvent): TimelineEntry {
  switch (e.type) {
    case 'composed':
      return {
        kind: e.type,
        time: e.time,
        title: 'Composed',
        detail: `topic ${e.topic}, key ${e.keySize} B, value ${e.valueSize} B, ${e.headerCount} header(s)${e.explicitPartition !== undefined ? `, partition ${e.explicitPartition} requested` : ''}`,
      };
    case 'blocked':
      return {
        kind: e.type,
        time: e.time,
        title: 'Waiting',
        detail: e.reason === 'metadata' ? 'waiting for topic metadata' : 'waiting for buffer memory',
      };
    case 'partitioned':
      return {
        kind: e.type,
        time: e.time,
        title: `Partition ${e.partition}`,
        detail: describePartitionReason(e.reason),
      };
    case 'appended':
      return {
        kind: e.type,
        time: e.time,
        title: 'Batched',
        detail: `${e.newBatch ? 'started' : 'joined'} ${describeTraceId(e.batchId)} at offset delta ${e.offsetDelta}`,
      };
    case 'batch-created':
      return {
        kind: e.type,
        time: e.time,
        title: 'Batch created',
        detail: `${describeTraceId(e.batchId)} for ${e.topic} partition ${e.partition}, capacity ${e.capacityBytes} B`,
      };
    case 'batch-closed':
      return {
        kind: e.type,
        time: e.time,
        title: 'Batch closed',
        detail: `${closeReasonWords(e.reason)}: ${e.recordCount} record(s), ${e.sizeBytes} B`,
      };
    case 'metadata-refresh':
      return {
        kind: e.type,
        time: e.time,
        title: 'Metadata refresh',
        detail: `${e.reason}${e.durationMs !== undefined ? `, ${formatDuration(e.durationMs)}` : ''}${e.error ? `, failed: ${e.error}` : ''}`,
        outcome: e.error ? 'error' : undefined,
      };
    case 'producer-id':
      return {
        kind: e.type,
        time: e.time,
        title: 'Producer id',
        detail: `id ${e.producerId} epoch ${e.producerEpoch} (${e.reason})`,
      };
    case 'attempt-sent':
      return {
        kind: e.type,
        time: e.time,
        title: `Attempt ${e.attempt} sent`,
        detail: `to broker ${e.brokerId} (${e.address}), request ${e.requestBytes} B, ${e.partitionsInRequest} partition(s), queued ${formatDuration(e.queueTimeMs)}`,
      };
    case 'attempt-result': {
      const ok = e.errorCode === 0;
      return {
        kind: e.type,
        time: e.time,
        title: ok ? `Attempt ${e.attempt} succeeded` : `Attempt ${e.attempt} failed: ${e.errorName}`,
        detail: `broker ${e.brokerId} (${e.address}), round trip ${formatDuration(e.roundTripMs)}${ok ? `, base offset ${e.baseOffset}` : `, ${e.retriable ? 'retriable' : 'not retriable'}${e.message ? `: ${e.message}` : ''}`}`,
        outcome: ok ? 'ok' : e.retriable ? 'retry' : 'error',
      };
    }
    case 'backoff':
      return {
        kind: e.type,
        time: e.time,
        title: 'Backoff',
        detail: `waiting ${e.delayMs} ms before attempt ${e.attempt + 1} (${e.reason})`,
        outcome: 'retry',
      };
    case 'acked':
      return {
        kind: e.type,
        time: e.time,
        title: `Acked at offset ${e.offset}`,
        detail: `${e.timestampType} ${new Date(e.timestamp).toISOString()}, ${e.attempts} attempt(s), queue ${formatDuration(e.queueTimeMs)}, round trip ${formatDuration(e.roundTripMs)}`,
        outcome: 'ok',
      };
    case 'failed':
      return {
        kind: e.type,
        time: e.time,
        title: `Failed${e.errorName ? `: ${e.errorName}` : ''}`,
        detail: `${e.error} after ${e.attempts} attempt(s)`,
        outcome: 'error',
      };
    case 'transaction': {
      const which = `transaction ${e.transaction} of '${e.transactionalId}'`;
      const title =
        e.step === 'batch'
          ? `In ${which}`
          : e.step === 'committed' || e.step === 'aborted'
            ? `${which[0].toUpperCase()}${which.slice(1)} ${e.step}`
            : `Transaction: ${e.step}`;
      return {
        kind: e.type,
        time: e.time,
        title,
        detail: e.detail,
        outcome: e.step === 'committed' ? 'ok' : undefined,
      };
    }
    default: {
      const other = e as { type: string; time: number };
      return { kind: other.type, time: other.time, title: other.type, detail: JSON.stringify(other) };
    }
  }
}

function closeReasonWords(reason: string): string {
  return CLOSE_REASON_WORDS[reason] ?? reason;
}

/**
 * The record's own events plus its batch's (its creation, closing, attempts, backoffs), in the order they happened.
 * The record's trace is already in that order, with the batch's events after its own "appended"; only what it leaves
 * out is placed: the creation of a batch the record started just before it joined, anything else by time (a batch
 * it joined was created earlier). Events of one millisecond are common, so order never comes from timestamps alone.
 */
export function recordTimeline(
  record: RecordTrace,
  batch: BatchTrace | undefined,
  metadata: RecordMetadata | undefined,
  now = Date.now(),
): RecordTraceView {
  // The schemas that encoded the record are shown by withSchemas, in words.
  const events = record.events.filter((e) => e.type !== 'serialized');
  const inRecord = new Set<TraceEvent>(events);
  for (const e of batch?.events ?? []) {
    if (inRecord.has(e) || 'recordId' in e) continue;
    const appended = events.findIndex((x) => x.type === 'appended' && x.newBatch);
    if (e.type === 'batch-created' && appended >= 0) events.splice(appended, 0, e);
    else {
      const later = events.findIndex((x) => x.time > e.time);
      events.splice(later < 0 ? events.length : later, 0, e);
    }
    inRecord.add(e);
  }
  // A transaction ends after its records were acknowledged: its commit or abort comes last.
  const ended = events.filter((e) => e.type === 'transaction' && (e.step === 'committed' || e.step === 'aborted'));
  const entries = [...events.filter((e) => !ended.includes(e)), ...ended].map(entry);
  const md: RecordTraceView['metadata'] = {
    status: record.outcome,
    topic: record.topic,
    partition: record.partition ?? null,
    batch: record.batchId ? describeTraceId(record.batchId) : null,
  };
  if (metadata) {
    Object.assign(md, {
      offset: metadata.offset,
      timestamp: new Date(metadata.timestamp).toISOString(),
      timestampType: metadata.timestampType,
      keySize: metadata.serializedKeySize,
      valueSize: metadata.serializedValueSize,
      attempts: metadata.attempts,
      partitionReason: describePartitionReason(metadata.partitionReason),
    });
  }
  return { recordId: record.recordId, entries, metadata: md, waterfall: recordWaterfall(record, batch, now) };
}

/** The transaction a batch's records were sent in (its 'transaction' events name it), from the producer's views. */
export function transactionOf(
  batch: BatchTrace | undefined,
  transactions: TransactionView[],
): TransactionView | undefined {
  const e = batch?.events.find((x): x is Extract<TraceEvent, { type: 'transaction' }> => x.type === 'transaction');
  return e
    ? transactions.find((t) => t.transactionalId === e.transactionalId && t.number === e.transaction)
    : undefined;
}

/**
 * The record's transaction in the trace's metadata: the transactional producer's view of it (coordinator,
 * partitions as they were added, markers, records, outcome), in words.
 */
export function withTransaction(view: RecordTraceView, t: TransactionView | undefined): RecordTraceView {
  if (!t) return view;
  const metadata = { ...view.metadata };
  metadata.transaction = `${t.transactionalId} #${t.number}: ${t.outcome ?? t.state}${t.error ? ` (${t.error})` : ''}`;
  metadata.transactionCoordinator = t.coordinator ? `broker ${t.coordinator.nodeId} (${t.coordinator.address})` : null;
  metadata.transactionPartitions =
    t.partitions.map((p) => `${p.topic}-${p.partition}${p.addedAt === null ? ' (not added)' : ''}`).join(', ') || null;
  metadata.transactionMarkers = t.markers.length
    ? `${t.markers[0].type} markers in ${t.markers.map((m) => `${m.topic}-${m.partition}`).join(', ')}`
    : null;
  metadata.transactionRecords = t.records;
  if (t.groups.length)
    metadata.transactionOffsets = t.groups.map((g) => `${g.groupId} (${g.offsets} offset(s))`).join(', ');
  return { ...view, metadata };
}

export function batchView(b: BatchTrace, now = Date.now()): BatchView {
  const closed = b.events.find((e): e is Extract<TraceEvent, { type: 'batch-closed' }> => e.type === 'batch-closed');
  return {
    batchId: b.batchId,
    topic: b.topic,
    partition: b.partition,
    recordIds: b.recordIds,
    bytes: closed?.sizeBytes ?? null,
    closeReason: closed ? closeReasonWords(closed.reason) : null,
    requests: requestSpans(b, now),
  };
}

/**
 * The schemas that encoded the record's key and value, as the timeline's first entries (serialization happens before
 * the engine composes the record) and in its metadata.
 */
export function withSchemas(view: RecordTraceView, schemas: SchemaUsed[] | undefined): RecordTraceView {
  if (!schemas?.length) return view;
  const time = view.entries[0]?.time ?? Date.now();
  const entries: TimelineEntry[] = schemas.map((u) => ({
    kind: 'serialized',
    time,
    title: `Serialized ${u.part} with ${u.subject ? `${u.subject}${u.version !== undefined ? ` v${u.version}` : ''}` : `schema id ${u.id}`}`,
    detail: `Confluent wire format: magic byte 0, schema id ${u.id} (${u.schemaType}${u.recordName ? ` ${u.recordName}` : ''}), then the payload`,
  }));
  const metadata = { ...view.metadata };
  for (const u of schemas) metadata[`${u.part}Schema`] = describeSchemaUsed(u);
  return { ...view, entries: [...entries, ...view.entries], metadata };
}
