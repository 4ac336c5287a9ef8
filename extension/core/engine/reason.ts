/**
 * Why a record went to its partition, kept as numbers (a code, the key hash, one partition) so the send path makes
 * no object; the PartitionReason the trace and RecordMetadata show is built from them when asked.
 */
import type { PartitionReason } from './types';

export enum ReasonCode {
  Explicit = 0,
  KeyHash = 1,
  /** Keyless, stayed on the sticky partition. */
  Sticky = 2,
  /** Keyless, switched sticky partition (aux = the previous one). */
  StickySwitched = 3,
  RoundRobin = 4,
  /** Keyed, its partition had no leader: re-routed (aux = the partition the hash picked). */
  FailoverFromKeyHash = 5,
  /** Keyless, the sticky partition had no leader: re-routed (aux = that partition). */
  FailoverFromSticky = 6,
}

/** Reasons without per-record data are shared: most keyless records build none. */
const shared = new Map<number, PartitionReason>();

export function reasonFromFacts(code: ReasonCode, numPartitions: number, hash: number, aux: number): PartitionReason {
  switch (code) {
    case ReasonCode.Explicit:
      return sharedReason(code, numPartitions, () => ({ type: 'explicit', numPartitions }));
    case ReasonCode.KeyHash:
      return { type: 'key-hash', hash, numPartitions };
    case ReasonCode.Sticky:
      return sharedReason(code, numPartitions, () => ({ type: 'sticky', numPartitions, switched: false }));
    case ReasonCode.StickySwitched:
      return { type: 'sticky', numPartitions, switched: true, previousPartition: aux };
    case ReasonCode.RoundRobin:
      return sharedReason(code, numPartitions, () => ({ type: 'round-robin', numPartitions }));
    case ReasonCode.FailoverFromKeyHash:
      return { type: 'failover', numPartitions, originalPartition: aux, originalRule: 'key-hash', hash };
    case ReasonCode.FailoverFromSticky:
      return { type: 'failover', numPartitions, originalPartition: aux, originalRule: 'sticky' };
  }
}

function sharedReason(code: ReasonCode, numPartitions: number, make: () => PartitionReason): PartitionReason {
  const k = numPartitions * 8 + code;
  let r = shared.get(k);
  if (!r) {
    r = Object.freeze(make());
    if (shared.size < 10_000) shared.set(k, r);
  }
  return r;
}
