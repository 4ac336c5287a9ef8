import { WorkbenchError } from '../util/errors';

/** A record could not be delivered; says which record, where it was going, the Kafka error and how many attempts. */
export class DeliveryError extends WorkbenchError {
  readonly recordId: string;
  readonly topic: string;
  readonly partition?: number;
  readonly errorCode?: number;
  readonly errorName?: string;
  readonly attempts: number;
  /** The record was sent and no answer says what became of it: the broker may have written it. */
  readonly maybeWritten: boolean;

  constructor(
    message: string,
    details: {
      recordId: string;
      topic: string;
      partition?: number;
      errorCode?: number;
      errorName?: string;
      attempts: number;
      retriable?: boolean;
      cause?: unknown;
      maybeWritten?: boolean;
    },
  ) {
    super(message, { retriable: details.retriable ?? false, cause: details.cause });
    this.recordId = details.recordId;
    this.topic = details.topic;
    this.partition = details.partition;
    this.errorCode = details.errorCode;
    this.errorName = details.errorName;
    this.attempts = details.attempts;
    this.maybeWritten = details.maybeWritten ?? false;
  }
}

/** Why a batch (and so each of its records) failed, before it is turned into one DeliveryError per record. */
export interface BatchFailure {
  message: string;
  errorCode?: number;
  errorName: string;
  retriable: boolean;
  cause?: unknown;
  /** Sent and not answered: the broker may have written it (a request that timed out, a close that gave up). */
  maybeWritten?: boolean;
}

/**
 * A transactional producer's call (initTransactions, beginTransaction, commit, abort, sendOffsetsToTransaction)
 * could not be done; `code` says which kind: TRANSACTION_STATE (called at the wrong time), TRANSACTION_ABORTABLE (a
 * record failed: abort), PRODUCER_FENCED or PRODUCER_FATAL (close the producer), TRANSACTION_TIMEOUT (retry the
 * call), CONNECTION_FAILED.
 */
export class TransactionError extends WorkbenchError {
  constructor(
    message: string,
    readonly code: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
