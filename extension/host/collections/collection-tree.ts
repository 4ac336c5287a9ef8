/** The Collections view: each workspace collection, and under it its messages (send / send all / open in composer). */
import * as vscode from 'vscode';
import { type CollectionEntry, type CollectionIndex, displayName, errorCount, hasErrors } from './collection-index';
import { expectationLine, expectationsText, type ExpectationResults } from './expectation-results';

export type CollectionNode =
  { kind: 'collection'; uri: vscode.Uri } | { kind: 'collectionMessage'; uri: vscode.Uri; index: number; name: string };

export class CollectionTreeProvider implements vscode.TreeDataProvider<CollectionNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CollectionNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly index: CollectionIndex,
    private readonly results: ExpectationResults,
  ) {
    this.subscriptions = [
      index.onDidChange(() => this.changed.fire(undefined)),
      results.onDidChange(() => this.changed.fire(undefined)),
    ];
  }

  async getChildren(node?: CollectionNode): Promise<CollectionNode[]> {
    if (!node) {
      await this.index.ready();
      return this.index.list().map((e) => ({ kind: 'collection', uri: e.uri }));
    }
    if (node.kind !== 'collection') return [];
    const entry = this.index.get(node.uri);
    return (entry?.parsed.messages ?? []).map((m) => ({
      kind: 'collectionMessage',
      uri: node.uri,
      index: m.index,
      name: m.name,
    }));
  }

  getTreeItem(node: CollectionNode): vscode.TreeItem {
    const entry = this.index.get(node.uri);
    if (node.kind === 'collection') return collectionItem(node, entry);
    const item = messageItem(node, entry);
    const results = this.results.get(node.uri, node.name);
    if (results) {
      // The last send's expectations: how many were met, and each one's result in the tooltip.
      item.description = `${item.description ?? ''} · ${expectationsText(results)}`;
      item.tooltip = results.map((r) => expectationLine(r, false)).join('\n');
      item.iconPath = new vscode.ThemeIcon(results.every((r) => r.passed) ? 'pass' : 'error');
    }
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function collectionItem(node: CollectionNode, entry: CollectionEntry | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(
    entry ? displayName(entry) : node.uri.path,
    vscode.TreeItemCollapsibleState.Expanded,
  );
  item.id = `collection:${node.uri.toString()}`;
  item.resourceUri = node.uri;
  const broken = entry !== undefined && hasErrors(entry);
  const relative = vscode.workspace.asRelativePath(node.uri);
  item.description = broken ? `${problemsText(errorCount(entry))} · ${relative}` : relative;
  item.tooltip = broken
    ? `${relative}: fix the problems (see the Problems view) before sending or saving to it.`
    : relative;
  item.iconPath = new vscode.ThemeIcon(broken ? 'error' : 'library');
  item.contextValue = broken ? 'kafkaCollectionInvalid' : 'kafkaCollection';
  return item;
}

export function problemsText(count: number): string {
  return `${count} problem${count === 1 ? '' : 's'}`;
}

function messageItem(
  node: Extract<CollectionNode, { kind: 'collectionMessage' }>,
  entry: CollectionEntry | undefined,
): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name || `message ${node.index + 1}`, vscode.TreeItemCollapsibleState.None);
  item.id = `message:${node.uri.toString()}#${node.index}`;
  const spec = entry?.parsed.value?.messages[node.index];
  if (spec) {
    const value = spec.value as { file?: unknown } | undefined;
    const source =
      typeof value === 'object' && value !== null && typeof value.file === 'string' ? ` · from ${value.file}` : '';
    item.description = `→ ${spec.topic}${spec.count && spec.count > 1 ? ` ×${spec.count}` : ''}${source}`;
  }
  item.iconPath = new vscode.ThemeIcon('mail');
  item.contextValue = entry && !hasErrors(entry) ? 'kafkaCollectionMessage' : 'kafkaCollectionMessageInvalid';
  const location = entry?.parsed.messages.find((m) => m.index === node.index);
  const start = location
    ? new vscode.Position(location.range.start.line, location.range.start.character)
    : new vscode.Position(0, 0);
  item.command = {
    command: 'vscode.open',
    title: 'Open',
    arguments: [node.uri, { selection: new vscode.Range(start, start), preview: true }],
  };
  return item;
}
