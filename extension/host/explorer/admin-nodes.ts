/**
 * The Clusters view's rows for what the admin APIs read: a topic's configs (value and where it comes from) and the
 * consumer groups with their lag. Only the texts live here (no `vscode` import): the tree turns them into items.
 */
import type { ConsumerGroupView, GroupPartitionOffset, TopicConfigEntry } from '../../core/transport/cluster-reads';

export interface RowText {
  label: string;
  description: string;
  tooltip: string;
}

/** `cleanup.policy` · `compact · set on the topic`; a default says so. */
export function configRow(c: TopicConfigEntry): RowText {
  const value = c.value ?? (c.sensitive ? '(hidden)' : '(none)');
  return {
    label: c.name,
    description: `${value} · ${c.source}`,
    tooltip: `${c.name} = ${value}\nsource: ${c.source}${c.isDefault ? ' (not set on the topic)' : ''}${c.readOnly ? '\nread-only' : ''}`,
  };
}

/** `orders-app` · `Stable · 2 members · lag 40`. */
export function groupRow(g: ConsumerGroupView): RowText {
  if (g.problem)
    return { label: g.groupId, description: `not described: ${g.problem}`, tooltip: `${g.groupId}\n${g.problem}` };
  const members = `${g.members} member${g.members === 1 ? '' : 's'}`;
  const lag =
    g.totalLag === undefined ? (g.offsets.length ? 'lag unknown' : 'no committed offsets') : `lag ${g.totalLag}`;
  return {
    label: g.groupId,
    description: `${g.state || 'unknown state'} · ${members} · ${lag}`,
    tooltip: `${g.groupId}${g.protocolType ? ` (${g.protocolType})` : ''}\nstate: ${g.state || 'unknown'}\n${members}\ncommitted partitions: ${g.offsets.length}${g.totalLag === undefined ? '' : `\ntotal lag: ${g.totalLag}`}`,
  };
}

/** `orders-0` · `committed 5 · HW 10 · lag 5`. */
export function groupOffsetRow(groupId: string, o: GroupPartitionOffset): RowText {
  const hw = o.highWatermark === undefined ? 'HW unknown' : `HW ${o.highWatermark}`;
  const lag = o.lag === undefined ? '' : ` · lag ${o.lag}`;
  return {
    label: `${o.topic}-${o.partition}`,
    description: `committed ${o.committed} · ${hw}${lag}`,
    tooltip: `${groupId} on ${o.topic} partition ${o.partition}\ncommitted offset: ${o.committed}\nhigh watermark: ${o.highWatermark ?? 'unknown'}\nlag: ${o.lag ?? 'unknown'}`,
  };
}
