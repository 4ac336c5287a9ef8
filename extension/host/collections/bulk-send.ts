/**
 * A bulk send in VS Code: a collection's "Send" / "Send all" and the composer's Repeat both run here, through the
 * core runner, so they count progress the same way (RunProgress), stop the same way on Cancel (nothing more is
 * handed to the producer; what it holds still settles) and end with the same line (describeRun).
 */
import type {
  LoadedCollection,
  LoadedEnvironment,
  ProducerSettings,
  RunProgress,
  RunSummary,
  RunTargets,
  SecretResolver,
} from '../../core/collections';
import type { DeliveryCallback, Producer, ProducerRecord } from '../../core/engine/types';
import type { SchemaRegistryClient } from '../../core/schema-registry/client';
import type { SchemaUsed } from '../../core/schema-registry/schema-used';
import { Emitter } from '../../core/util/emitter';
import type { ConsumerTransport } from '../../core/transport/consumer-transport';
import { collectionsCore } from './collections-core';

/** Fires when a bulk send starts (true) and when it ends (false): the composer's Charts tab follows every one. */
export const bulkSendRunning = new Emitter<boolean>();

/**
 * Records a VS Code bulk send hands to the producer ahead of their acks. Enough to keep every partition's batches
 * full against the sandbox, few enough that a Cancel stops the send within about a second even when the cluster is
 * slow: the producer cannot take back what it holds (it settles), so this is what Cancel cannot hold back.
 */
export const BULK_IN_FLIGHT = 1000;

export interface BulkSendRequest {
  loaded: LoadedCollection;
  environment?: LoadedEnvironment;
  /** Message names; empty = all. */
  messages: string[];
  secrets: SecretResolver;
  producerFor(settings: ProducerSettings): Promise<Producer>;
  /** Reads the topics of messages' "expect" entries (none: expectations are not checked). */
  consumerTransport?: ConsumerTransport;
  /** For messages with keySchema / valueSchema. */
  schemaRegistry?: SchemaRegistryClient;
  /** After every message is checked, before the first record: checks of the cluster. */
  beforeSend?(targets: RunTargets): Promise<void>;
  signal: AbortSignal;
  stopOnFirstError: boolean;
  /** Records handed to the producer and not settled yet, at most: how much a Cancel can no longer hold back. */
  maxInFlight: number;
  /** Called at most every `everyMs` while records settle, and at each message's start and end. */
  onProgress(progress: RunProgress, currentMessage: string): void;
  everyMs?: number;
}

export interface BulkSendResult {
  summary: RunSummary;
  /** Records the run would have sent, when known up front. */
  planned: number | undefined;
  /** "2,500 of 2,500 records acknowledged; cancelled, 7,500 of 10,000 not sent". */
  line: string;
  /** The last record handed over, for the trace view. */
  lastRecordId: string | undefined;
}

export async function bulkSend(request: BulkSendRequest): Promise<BulkSendResult> {
  const core = collectionsCore();
  const planned = core.plannedRecords(request.loaded.collection, request.messages);
  const progress = new core.RunProgress(planned);
  const everyMs = request.everyMs ?? 100;
  let current = '';
  let lastReport = 0;
  let lastRecordId: string | undefined;
  let lastSeq = -1;
  // The schemas that encode the current message's records, named in each record's trace.
  let schemas: readonly SchemaUsed[] | undefined;
  const withSchemas = (producer: Producer): Producer =>
    new Proxy(producer, {
      get: (target, prop) => {
        if (prop === 'produce')
          return (record: ProducerRecord, callback?: DeliveryCallback) =>
            target.produce(schemas ? { ...record, serialization: schemas } : record, callback);
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastReport < everyMs) return;
    lastReport = now;
    request.onProgress(progress, current);
  };
  bulkSendRunning.fire(true);
  const summary = await core
    .runCollection({
      loaded: request.loaded,
      environment: request.environment,
      messages: request.messages,
      secrets: request.secrets,
      schemaRegistry: request.schemaRegistry,
      consumerTransport: request.consumerTransport,
      producerFor: async (settings) => withSchemas(await request.producerFor(settings)),
      beforeSend: request.beforeSend,
      closeProducers: false, // they belong to the connection, which keeps them for the next send
      signal: request.signal,
      stopOnFirstError: request.stopOnFirstError,
      maxInFlight: request.maxInFlight,
      listener: {
        messageStart: (m) => {
          current = m.name;
          lastSeq = -1;
          schemas = m.schemas.length ? m.schemas : undefined;
          report(true);
        },
        messageEnd: () => report(true),
        record: (o) => {
          progress.record(o);
          if (o.recordId && o.seq >= lastSeq) {
            lastSeq = o.seq;
            lastRecordId = o.recordId;
          }
          report(false);
        },
      },
    })
    .finally(() => bulkSendRunning.fire(false));
  return { summary, planned, line: core.describeRun(summary, planned), lastRecordId };
}
