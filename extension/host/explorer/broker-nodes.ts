/**
 * The Clusters view's broker rows: which brokers to list, and whether each is up. Kept apart from the tree (no
 * `vscode` import) so it can be unit-tested.
 */
import type { BrokerInfo } from '../../core/transport/transport';
import type { BrokerSummary } from '../../protocol/messages';

export interface BrokerRow {
  broker: BrokerInfo;
  /** The cluster's controller and up (a stopped broker is never shown as the controller). */
  controller: boolean;
  up: boolean;
}

/**
 * Brokers from the last metadata, plus, for the sandbox, those it knows that dropped out of metadata (stopped), so
 * they can be started again. For the sandbox its own state decides up or stopped: the metadata can be stale (with
 * every broker stopped it cannot be fetched again, so the last one that was up, often the controller, stays in it).
 */
export function brokerRows(
  metadataBrokers: readonly BrokerInfo[],
  controllerId: number | null | undefined,
  sandboxBrokers?: readonly BrokerSummary[],
): BrokerRow[] {
  const known = new Map((sandboxBrokers ?? []).map((b) => [b.id, b]));
  const inMetadata = new Set(metadataBrokers.map((b) => b.nodeId));
  const brokers: BrokerInfo[] = [...metadataBrokers];
  for (const b of sandboxBrokers ?? [])
    if (!inMetadata.has(b.id)) brokers.push({ nodeId: b.id, ...hostAndPort(b.address) });
  return brokers
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((broker) => {
      const up = known.get(broker.nodeId)?.up ?? inMetadata.has(broker.nodeId);
      return { broker, controller: up && broker.nodeId === controllerId, up };
    });
}

/** "127.0.0.1:9092" (or "[::1]:9092") as host and port. */
function hostAndPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}
