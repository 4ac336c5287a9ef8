/**
 * Lists the active environment's connection in the Clusters view, so the user can see and explore the cluster their
 * collection sends go to. Connecting to it builds its config the way sends do (PEM files read, the SASL password
 * from SecretStorage, at connect time); nothing of it is saved.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadedEnvironment } from '../../core/collections';
import { ENVIRONMENT_CONNECTION_ID } from '../connections/model';
import { plainError } from '../kafka/plain-errors';
import type { EnvironmentCluster, WorkbenchService } from '../kafka/workbench-service';
import { collectionsCore } from './collections-core';
import type { EnvironmentState } from './environments';

export function showEnvironmentConnection(
  environments: EnvironmentState,
  service: WorkbenchService,
): vscode.Disposable {
  let generation = 0;
  const update = async () => {
    const mine = ++generation;
    const cluster = await environmentCluster(environments, service.trusted());
    // Loads can finish out of order when the environment changes quickly: only the latest one counts.
    if (mine === generation) service.setEnvironmentCluster(cluster);
  };
  void update();
  const subscriptions = [
    environments.onDidChange(() => void update()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void update()),
  ];
  return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
}

export async function environmentCluster(
  environments: EnvironmentState,
  trusted: boolean,
): Promise<EnvironmentCluster | undefined> {
  const uri = environments.activeUri();
  if (!uri) return undefined;
  const file = path.basename(uri.fsPath);
  let loaded: LoadedEnvironment | undefined;
  try {
    loaded = await environments.load();
  } catch (e) {
    return { kind: 'problem', message: `Active environment: ${plainError(e)}`, file: uri }; // the error names the file
  }
  const connection = loaded?.environment.connection;
  if (!loaded || !connection) return undefined;
  if (!trusted)
    return {
      kind: 'problem',
      message: `Environment ${file}: its connection is not used in Restricted Mode (trust the workspace to use it)`,
      file: uri,
    };
  const environment = loaded;
  return {
    kind: 'connection',
    summary: {
      id: ENVIRONMENT_CONNECTION_ID,
      name: path.basename(file, '.kafka-env.json'),
      isSandbox: false,
      environmentFile: file,
    },
    // Another file, or other connection settings, is another cluster: a session on the old one ends.
    key: `${uri.toString()}\n${JSON.stringify(connection)}\n${JSON.stringify(loaded.environment.schemaRegistry ?? null)}`,
    bootstrap: [connection.bootstrap].flat(),
    config: () => collectionsCore().environmentConnection(environment, environments.secrets),
    schemaRegistry: environment.environment.schemaRegistry
      ? () => collectionsCore().environmentSchemaRegistry(environment, environments.secrets)
      : undefined,
  };
}
