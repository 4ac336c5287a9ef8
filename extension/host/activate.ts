/**
 * activate(): wires the thin VS Code adapters. Cheap on purpose: no Kafka code runs until the first connect
 * (see kafka/core.ts). Everything created is pushed to context.subscriptions.
 */
import * as vscode from 'vscode';
import { registerCollections, type CollectionsApi } from './collections/collections-feature';
import { registerCommands } from './commands';
import { ComposerPanel, COMPOSER_VIEW_TYPE } from './composer/composer-panel';
import { TopicViewerPanel } from './topic-viewer/topic-viewer-panel';
import { ConnectionStore } from './connections/connection-store';
import { ClusterTreeProvider } from './explorer/cluster-tree';
import { WorkbenchService } from './kafka/workbench-service';
import { disposeLog, workbenchLog } from './log';
import { createStatusBar } from './status-bar';
import { registerCliTerminal } from './terminal/cli-terminal';
import { SANDBOX_BOOTSTRAP_ENV } from '../core/collections/bootstrap';

/** What activate() returns: for tests and other extensions. Never exposes secrets' values. */
export interface WorkbenchApi {
  service: WorkbenchService;
  composer(): ComposerPanel | undefined;
  /** Open topic viewers by "topic" or "topic/partition". */
  topicViewers(): ReadonlyMap<string, TopicViewerPanel>;
  /** Whether a secret is stored for a connection (the value is not returned). */
  hasSecret(connectionId: string, name: 'saslPassword' | 'clientKey' | 'keyPassphrase'): Promise<boolean>;
  /** The raw global-state entry the connections are saved in, to check no secret leaks into it. */
  storedConnectionsJson(): string;
  /** The Collections view, its index of workspace collections and the active environment. */
  collections: CollectionsApi;
  /** The Clusters view's tree. */
  clusterTree: ClusterTreeProvider;
  /** How long activate() took, from entry to return, in milliseconds (the packaging test prints it). */
  activationMs: number;
}

let service: WorkbenchService | undefined;

export function activate(context: vscode.ExtensionContext): WorkbenchApi {
  const t0 = performance.now();
  const log = workbenchLog();
  const store = new ConnectionStore(context.globalState, context.secrets);
  // `npm start` runs a sandbox next to code-server and passes its addresses; otherwise the sandbox is embedded, on the
  // ports it had last time (so environment files and terminals that have its address keep working).
  const bootstrap = process.env[SANDBOX_BOOTSTRAP_ENV];
  const controlUrl = process.env.KAFKA_WORKBENCH_SANDBOX_CONTROL;
  const external = bootstrap && controlUrl ? { bootstrap, controlUrl } : undefined;
  const sandboxPorts = {
    last: () => context.globalState.get<number>('kafkaWorkbench.sandboxPort'),
    remember: async (port: number) => {
      await context.globalState.update('kafkaWorkbench.sandboxPort', port);
    },
  };
  service = new WorkbenchService(
    store,
    (level, msg) => log[level](msg),
    () => vscode.workspace.isTrusted,
    external,
    sandboxPorts,
  );
  const tree = new ClusterTreeProvider(service);
  const s = service;
  context.subscriptions.push(
    store,
    tree,
    vscode.window.createTreeView('kafkaWorkbench.explorer', { treeDataProvider: tree, showCollapseAll: true }),
    createStatusBar(service),
    vscode.window.registerWebviewPanelSerializer(COMPOSER_VIEW_TYPE, {
      async deserializeWebviewPanel(panel) {
        ComposerPanel.revive(panel, context.extensionUri, s, log);
        // The panel's selected connection survives a reload: reconnect to it, unless in Restricted Mode.
        const last = store.activeId();
        if (last && vscode.workspace.isTrusted && !s.activeConnection()) {
          void s
            .connect(last)
            .catch((e: unknown) => log.warn(`could not reconnect to the last connection: ${String(e)}`));
        }
      },
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() =>
      log.info('workspace trusted: sends from the workspace are allowed'),
    ),
  );
  registerCommands({ context, service, tree, log });
  registerCliTerminal(context, service, log);
  const collections = registerCollections({ context, service, log });
  // With `npm start`'s sandbox the connection is made at once, but never in Restricted Mode (nothing connects by itself).
  if (external && vscode.workspace.isTrusted) {
    void service
      .connect('sandbox')
      .catch((e: unknown) => log.warn(`could not attach to the npm start sandbox: ${String(e)}`));
  }
  const activationMs = performance.now() - t0;
  log.info(
    `Kafka Workbench activated in ${activationMs.toFixed(1)} ms${vscode.workspace.isTrusted ? '' : ' (Restricted Mode: nothing connects or sends by itself)'}`,
  );
  return {
    activationMs,
    service,
    composer: () => ComposerPanel.current,
    topicViewers: () => TopicViewerPanel.open,
    hasSecret: async (id, name) => (await store.secret(id, name)) !== undefined,
    storedConnectionsJson: () => JSON.stringify(context.globalState.get('kafkaWorkbench.connections') ?? []),
    collections,
    clusterTree: tree,
  };
}

/** Stops the sandbox and closes producers with the extension. */
export async function deactivate(): Promise<void> {
  await service?.dispose();
  service = undefined;
  disposeLog();
}
