/**
 * The cluster explorer: connections (with the active environment's, where collection sends go), then for the active
 * one its brokers, topics and consumer groups: each topic's configs (value and source) and partitions with leader,
 * replicas, ISR and high watermark (offline partitions flagged); each group's state, members and lag per partition.
 * Kafka's internal topics (`__consumer_offsets`) sit apart, in a collapsed "Internal topics" row after the others.
 */
import * as vscode from 'vscode';
import type { ConsumerGroupView, GroupPartitionOffset, TopicConfigEntry } from '../../core/transport/cluster-reads';
import type { BrokerInfo, PartitionInfo, TopicInfo } from '../../core/transport/transport';
import type { ConnectionSummary } from '../../protocol/messages';
import type { WorkbenchService } from '../kafka/workbench-service';
import { plainError } from '../kafka/plain-errors';
import { configRow, groupOffsetRow, groupRow, type RowText } from './admin-nodes';
import { brokerRows } from './broker-nodes';

export type ExplorerNode =
  | { kind: 'connection'; connection: ConnectionSummary; active: boolean }
  | { kind: 'group'; group: 'brokers' | 'topics' | 'consumerGroups'; connectionId: string }
  | { kind: 'broker'; broker: BrokerInfo; controller: boolean; up: boolean; sandbox: boolean }
  | { kind: 'topic'; topic: TopicInfo }
  | { kind: 'internalTopics'; topics: TopicInfo[] }
  | { kind: 'partition'; topic: string; partition: PartitionInfo; highWatermark: number | undefined; sandbox: boolean }
  | { kind: 'topicConfigs'; topic: string }
  | { kind: 'config'; topic: string; config: TopicConfigEntry }
  | { kind: 'consumerGroup'; group: ConsumerGroupView }
  | { kind: 'groupOffset'; groupId: string; offset: GroupPartitionOffset }
  | { kind: 'message'; text: string; open?: vscode.Uri };

const GROUP_LABELS = { brokers: 'Brokers', topics: 'Topics', consumerGroups: 'Consumer Groups' } as const;

/** A leaf or collapsed row from its texts. */
function rowItem(row: RowText, icon: vscode.ThemeIcon, collapsed = false): vscode.TreeItem {
  const item = new vscode.TreeItem(
    row.label,
    collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.description = row.description;
  item.tooltip = row.tooltip;
  item.iconPath = icon;
  return item;
}

/**
 * A change of the cluster's state (metadata, high watermarks, the sandbox's brokers) refreshes the active
 * connection's group rows, not the whole tree: VS Code's refresh of the root cancels every children request in
 * flight, and a view opened just as one landed (a connect's, 200 ms later) kept its connection expanded and empty.
 */
export class ClusterTreeProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | ExplorerNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** What the root rows showed when VS Code last asked for them; undefined while it never has. */
  private shownRoot: string | undefined;
  /** The group rows handed out, by connection and group: a refresh names them by identity. */
  private readonly groupNodes = new Map<string, Extract<ExplorerNode, { kind: 'group' }>>();

  constructor(private readonly service: WorkbenchService) {
    this.subscriptions.push(
      service.onDidChangeState(() => this.stateChanged()),
      service.connections.onDidChange(() => this.stateChanged()),
    );
  }

  /** Everything again (the user's Refresh, a topic created or deleted). */
  refresh(): void {
    this.changed.fire(undefined);
  }

  private stateChanged(): void {
    if (this.shownRoot === undefined) return; // never shown: VS Code asks when the view opens
    if (rootText(this.rootNodes().map((n) => this.getTreeItem(n))) !== this.shownRoot) {
      this.changed.fire(undefined);
      return;
    }
    const active = this.service.activeConnection();
    const groups = [...this.groupNodes.values()].filter((g) => g.connectionId === active?.id);
    if (groups.length) this.changed.fire(groups);
  }

  private rootNodes(): ExplorerNode[] {
    const active = this.service.activeConnection();
    const env = this.service.environmentCluster();
    const problem: ExplorerNode[] =
      env?.kind === 'problem' ? [{ kind: 'message', text: env.message, open: env.file }] : [];
    return [
      ...this.service
        .allConnections()
        .map((c): ExplorerNode => ({ kind: 'connection', connection: c, active: c.id === active?.id })),
      ...problem,
    ];
  }

  private groupNode(connectionId: string, group: 'brokers' | 'topics' | 'consumerGroups'): ExplorerNode {
    const key = `${connectionId}\u0000${group}`;
    let node = this.groupNodes.get(key);
    if (!node) this.groupNodes.set(key, (node = { kind: 'group', group, connectionId }));
    return node;
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection': {
        const item = new vscode.TreeItem(
          node.connection.name,
          node.active ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `connection:${node.connection.id}:${node.active ? 'active' : 'idle'}`; // new id: expands when it becomes active
        const autoCreate = this.service.connections.autoCreateTopics(node.connection.id)
          ? ' · creates missing topics'
          : '';
        item.description = `${node.active ? 'connected' : node.connection.isSandbox ? 'embedded, starts on connect' : ''}${autoCreate}`;
        item.iconPath = new vscode.ThemeIcon(
          node.connection.isSandbox ? 'beaker' : 'server-environment',
          node.active ? new vscode.ThemeColor('charts.green') : undefined,
        );
        // "...Active" offers Disconnect where the others offer Connect (package.json menus).
        item.contextValue = `${node.connection.isSandbox ? 'sandboxConnection' : 'connection'}${node.active ? 'Active' : ''}`;
        if (node.connection.environmentFile) this.describeEnvironment(item, node.active);
        item.command = node.active
          ? undefined
          : { command: 'kafkaWorkbench.connection.connect', title: 'Connect', arguments: [node] }; // a node, so failures show once (not rethrown)
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(
          GROUP_LABELS[node.group],
          node.group === 'consumerGroups'
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `group:${node.connectionId}:${node.group}`;
        item.contextValue = `${node.group}Group`;
        return item;
      }
      case 'broker': {
        const b = node.broker;
        const item = new vscode.TreeItem(`Broker ${b.nodeId}`);
        item.description = `${b.host}:${b.port}${node.controller ? ' · controller' : ''}${node.up ? '' : ' · stopped'}`;
        item.iconPath = new vscode.ThemeIcon(
          node.up ? 'vm-running' : 'vm-outline',
          node.up ? undefined : new vscode.ThemeColor('errorForeground'),
        );
        item.contextValue = node.sandbox ? (node.up ? 'sandboxBrokerUp' : 'sandboxBrokerDown') : 'broker';
        return item;
      }
      case 'topic': {
        const t = node.topic;
        const offline = t.partitions.filter((p) => p.leader < 0).length;
        const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `topic:${t.name}`;
        item.description = `${t.partitions.length} partition(s)${offline ? ` · ${offline} offline` : ''}`;
        item.iconPath = new vscode.ThemeIcon(
          'symbol-event',
          offline ? new vscode.ThemeColor('errorForeground') : undefined,
        );
        // Internal topics are Kafka's own: no menus to send to or delete them.
        item.contextValue = node.topic.isInternal ? 'internalTopic' : 'topic';
        return item;
      }
      case 'internalTopics': {
        const item = new vscode.TreeItem('Internal topics', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'internalTopics';
        item.description = node.topics.map((t) => t.name).join(', ');
        item.tooltip = "Kafka's own topics (consumer group offsets), which clients read but do not write.";
        item.iconPath = new vscode.ThemeIcon('lock');
        return item;
      }
      case 'partition': {
        const p = node.partition;
        const offline = p.leader < 0;
        const item = new vscode.TreeItem(`Partition ${p.partition}`);
        item.description = offline
          ? 'OFFLINE (no leader)'
          : `leader ${p.leader} · replicas [${p.replicas.join(',')}] · ISR [${p.isr.join(',')}]${node.highWatermark === undefined ? '' : ` · HW ${node.highWatermark}`}`;
        item.tooltip = `${node.topic}-${p.partition}\nleader: ${offline ? 'none' : p.leader}\nreplicas: ${p.replicas.join(', ')}\nISR: ${p.isr.join(', ')}\nhigh watermark: ${node.highWatermark ?? 'unknown'}`;
        item.iconPath = new vscode.ThemeIcon(
          offline ? 'error' : 'list-ordered',
          offline ? new vscode.ThemeColor('errorForeground') : undefined,
        );
        item.contextValue = node.sandbox ? 'sandboxPartition' : 'partition';
        return item;
      }
      case 'topicConfigs': {
        const item = new vscode.TreeItem('Configuration', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `topicConfigs:${node.topic}`;
        item.iconPath = new vscode.ThemeIcon('settings-gear');
        return item;
      }
      case 'config': {
        // A value set on the topic stands out from the defaults.
        const item = rowItem(
          configRow(node.config),
          new vscode.ThemeIcon(node.config.isDefault ? 'circle-small' : 'edit'),
        );
        item.contextValue = 'topicConfig';
        return item;
      }
      case 'consumerGroup': {
        const item = rowItem(groupRow(node.group), new vscode.ThemeIcon('organization'), node.group.offsets.length > 0);
        item.id = `consumerGroup:${node.group.groupId}`;
        item.contextValue = 'consumerGroup';
        return item;
      }
      case 'groupOffset':
        return rowItem(groupOffsetRow(node.groupId, node.offset), new vscode.ThemeIcon('list-ordered'));
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        if (node.open) {
          item.tooltip = `${node.text}\nClick to open the file.`;
          item.iconPath = new vscode.ThemeIcon('warning');
          item.command = { command: 'vscode.open', title: 'Open', arguments: [node.open] };
        }
        return item;
      }
    }
  }

  /** The active environment's connection: marked as such, and saying that collection sends go there. */
  private describeEnvironment(item: vscode.TreeItem, active: boolean): void {
    const env = this.service.environmentCluster();
    if (env?.kind !== 'connection') return;
    const file = env.summary.environmentFile;
    item.description = active ? 'environment · connected' : 'environment';
    item.tooltip = `From the active environment ${file}.\nCollection sends go to this cluster: ${env.bootstrap.join(', ')}.${active ? '' : '\nClick to connect and explore its brokers and topics.'}`;
    item.iconPath = new vscode.ThemeIcon('globe', active ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = `environmentConnection${active ? 'Active' : ''}`;
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) {
      const rows = this.rootNodes();
      this.shownRoot = rootText(rows.map((n) => this.getTreeItem(n)));
      return rows;
    }
    if (node.kind === 'connection') {
      if (!node.active) return [];
      return (['brokers', 'topics', 'consumerGroups'] as const).map((group) =>
        this.groupNode(node.connection.id, group),
      );
    }
    if (
      node.kind === 'groupOffset' ||
      node.kind === 'config' ||
      node.kind === 'message' ||
      node.kind === 'broker' ||
      node.kind === 'partition'
    )
      return [];
    if (node.kind === 'consumerGroup')
      return node.group.offsets.map((offset) => ({ kind: 'groupOffset', groupId: node.group.groupId, offset }));
    try {
      if (node.kind === 'topicConfigs') {
        const configs = await (await this.service.clusterAdmin()).topicConfigs(node.topic);
        return configs.map((config) => ({ kind: 'config', topic: node.topic, config }));
      }
      if (node.kind === 'group' && node.group === 'consumerGroups') {
        const { groups, unreachable } = await (await this.service.clusterAdmin()).consumerGroups();
        const rows: ExplorerNode[] = groups.map((group) => ({ kind: 'consumerGroup', group }));
        if (!groups.length) rows.push({ kind: 'message', text: 'No consumer groups yet' });
        for (const u of unreachable) rows.push({ kind: 'message', text: `Not listed by ${u}` });
        return rows;
      }
      const view = await this.service.cluster();
      const sandbox = view.connection.isSandbox;
      if (node.kind === 'group' && node.group === 'brokers') {
        // The sandbox's own state says which of its brokers are up: the metadata can be stale (see brokerRows).
        const rows = brokerRows(
          view.metadata.brokers,
          view.metadata.controllerId,
          sandbox ? this.service.sandbox.view().brokers : undefined,
        );
        return rows.map((r) => ({ kind: 'broker', ...r, sandbox }));
      }
      if (node.kind === 'group' && node.group === 'topics') {
        const sorted = [...view.metadata.topics].sort((a, b) => a.name.localeCompare(b.name));
        const topics = sorted.filter((t) => !t.isInternal);
        const internal = sorted.filter((t) => t.isInternal);
        const rows: ExplorerNode[] = topics.length
          ? topics.map((t) => ({ kind: 'topic', topic: t }))
          : [{ kind: 'message', text: 'No topics yet: use "Kafka: Create Topic" or send a record' }];
        if (internal.length) rows.push({ kind: 'internalTopics', topics: internal });
        return rows;
      }
      if (node.kind === 'internalTopics') return node.topics.map((t) => ({ kind: 'topic', topic: t }));
      if (node.kind === 'topic') {
        const hw = view.watermarks.get(node.topic.name);
        const partitions = [...node.topic.partitions].sort((a, b) => a.partition - b.partition);
        return [
          { kind: 'topicConfigs', topic: node.topic.name },
          ...partitions.map((p): ExplorerNode => ({
            kind: 'partition',
            topic: node.topic.name,
            partition: p,
            highWatermark: hw?.get(p.partition),
            sandbox,
          })),
        ];
      }
    } catch (e) {
      return [{ kind: 'message', text: `Error: ${plainError(e)}` }];
    }
    return [];
  }

  dispose(): void {
    this.groupNodes.clear();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The root rows as shown: when this is unchanged, a change of state need not refresh them. */
function rootText(items: vscode.TreeItem[]): string {
  return JSON.stringify(
    items.map((i) => [i.id, i.label, i.description, i.tooltip, i.contextValue, i.collapsibleState, i.iconPath]),
  );
}
