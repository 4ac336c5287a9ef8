import assert from 'node:assert/strict';
import type { BatchTrace, RecordTrace, TraceEvent, TransactionView } from '../../extension/core/engine/types';
import { recordTimeline, transactionOf, withTransaction } from '../../extension/host/kafka/trace-view';
import { describeTraceId, shortTraceId } from '../../extension/protocol/trace-ids';

/** One record's first attempt, all in one millisecond, as the engine traces it (the record's list holds its batch's events after "appended"). */
function oneMillisecond(): { record: RecordTrace; batch: BatchTrace } {
  const t = 1_700_000_000_000;
  const created: TraceEvent = {
    type: 'batch-created',
    batchId: 'p1-b1',
    time: t,
    topic: 'orders',
    partition: 0,
    capacityBytes: 16384,
  };
  const closed: TraceEvent = {
    type: 'batch-closed',
    batchId: 'p1-b1',
    time: t,
    reason: 'linger',
    recordCount: 1,
    sizeBytes: 90,
  };
  const sent: TraceEvent = {
    type: 'attempt-sent',
    batchId: 'p1-b1',
    time: t,
    attempt: 1,
    brokerId: 1,
    address: '127.0.0.1:9092',
    requestBytes: 120,
    batchBytes: 90,
    partitionsInRequest: 1,
    queueTimeMs: 0,
    producerId: 1,
    producerEpoch: 0,
    baseSequence: 0,
  };
  const result: TraceEvent = {
    type: 'attempt-result',
    batchId: 'p1-b1',
    time: t,
    attempt: 1,
    brokerId: 1,
    address: '127.0.0.1:9092',
    sentAt: t,
    roundTripMs: 0.4,
    errorCode: 0,
    errorName: 'NONE',
    retriable: false,
    baseOffset: 0,
  };
  const record: RecordTrace = {
    recordId: 'p1-r1',
    topic: 'orders',
    partition: 0,
    batchId: 'p1-b1',
    outcome: 'acked',
    events: [
      { type: 'composed', recordId: 'p1-r1', time: t, topic: 'orders', keySize: 1, valueSize: 1, headerCount: 0 },
      {
        type: 'partitioned',
        recordId: 'p1-r1',
        time: t,
        topic: 'orders',
        partition: 0,
        reason: { type: 'key-hash', hash: 5, numPartitions: 3 },
      },
      { type: 'appended', recordId: 'p1-r1', time: t, batchId: 'p1-b1', offsetDelta: 0, newBatch: true },
      closed,
      sent,
      result,
      {
        type: 'acked',
        recordId: 'p1-r1',
        batchId: 'p1-b1',
        time: t,
        offset: 0,
        timestamp: t,
        timestampType: 'CreateTime',
        attempts: 1,
        queueTimeMs: 0,
        roundTripMs: 0.4,
      },
    ],
  };
  return {
    record,
    batch: {
      batchId: 'p1-b1',
      topic: 'orders',
      partition: 0,
      recordIds: ['p1-r1'],
      events: [created, closed, sent, result],
    },
  };
}

describe('trace view: the timeline of one record', () => {
  it('lists events of the same millisecond in the order they happened: the batch is created before the record joins it and before it is sent', () => {
    const { record, batch } = oneMillisecond();
    const kinds = recordTimeline(record, batch, undefined).entries.map((e) => e.kind);
    assert.deepEqual(kinds, [
      'composed',
      'partitioned',
      'batch-created',
      'appended',
      'batch-closed',
      'attempt-sent',
      'attempt-result',
      'acked',
    ]);
  });

  it('puts the creation of a batch the record joined (created earlier) by its time', () => {
    const { record, batch } = oneMillisecond();
    const t = record.events[0].time;
    const joined = record.events.map((e) => (e.type === 'appended' ? { ...e, offsetDelta: 3, newBatch: false } : e));
    const earlier = batch.events.map((e) => (e.type === 'batch-created' ? { ...e, time: t - 3 } : e));
    const kinds = recordTimeline({ ...record, events: joined }, { ...batch, events: earlier }, undefined).entries.map(
      (e) => e.kind,
    );
    assert.deepEqual(kinds.slice(0, 3), ['batch-created', 'composed', 'partitioned']);
  });

  it('spells out batch and record ids, which read as partition numbers ("p1")', () => {
    const { record, batch } = oneMillisecond();
    const view = recordTimeline(record, batch, undefined);
    assert.equal(
      view.entries.find((e) => e.kind === 'appended')?.detail,
      'started batch 1 of producer 1 at offset delta 0',
    );
    assert.equal(view.metadata.batch, 'batch 1 of producer 1');
    assert.equal(describeTraceId('p2-r15'), 'record 15 of producer 2');
    assert.equal(shortTraceId('p1-b7'), '#7 (producer 1)');
    assert.equal(describeTraceId('something-else'), 'something-else');
  });
});

describe('trace view: a record sent in a transaction', () => {
  it('names the transaction in the timeline and shows its view (coordinator, partitions, markers, outcome) in the metadata', () => {
    const { record, batch } = oneMillisecond();
    const t = 1_700_000_000_000;
    const joined: TraceEvent = {
      type: 'transaction',
      batchId: 'p1-b1',
      time: t,
      transactionalId: 'orders-tx',
      transaction: 2,
      step: 'batch',
      detail: 'batch p1-b1 is part of transaction 2',
    };
    const aborted: TraceEvent = {
      type: 'transaction',
      batchId: 'p1-b1',
      time: t + 5,
      transactionalId: 'orders-tx',
      transaction: 2,
      step: 'aborted',
      detail: 'transaction 2 aborted',
    };
    batch.events.push(joined, aborted);
    const view = recordTimeline(record, batch, undefined);
    const titles = view.entries.filter((e) => e.kind === 'transaction').map((e) => e.title);
    assert.deepEqual(titles, ["In transaction 2 of 'orders-tx'", "Transaction 2 of 'orders-tx' aborted"]);
    // The engine's record trace puts the acknowledgement last; the transaction ended after it.
    record.events.splice(record.events.length - 1, 0, aborted);
    assert.deepEqual(
      recordTimeline(record, batch, undefined)
        .entries.slice(-2)
        .map((e) => e.kind),
      ['acked', 'transaction'],
    );
    const txn: TransactionView = {
      transactionalId: 'orders-tx',
      number: 2,
      state: 'aborted',
      producerId: 1000,
      producerEpoch: 0,
      coordinator: { nodeId: 2, address: '127.0.0.1:19093' },
      startedAt: t,
      endedAt: t + 5,
      partitions: [{ topic: 'orders', partition: 0, addedAt: t }],
      groups: [],
      records: 1,
      failedRecords: 0,
      recordIds: ['p1-r1'],
      markers: [{ topic: 'orders', partition: 0, type: 'abort' }],
      outcome: 'aborted',
      error: null,
      events: [],
    };
    const other: TransactionView = { ...txn, number: 1, outcome: 'committed' };
    const md = withTransaction(view, transactionOf(batch, [other, txn])).metadata;
    assert.equal(md.transaction, 'orders-tx #2: aborted');
    assert.equal(md.transactionCoordinator, 'broker 2 (127.0.0.1:19093)');
    assert.equal(md.transactionPartitions, 'orders-0');
    assert.equal(md.transactionMarkers, 'abort markers in orders-0');
    assert.equal(
      withTransaction(view, transactionOf(oneMillisecond().batch, [txn])).metadata.transaction,
      undefined,
      'no transaction: nothing added',
    );
  });
});
