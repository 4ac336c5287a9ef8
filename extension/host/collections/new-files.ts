/**
 * "New Collection" and "New Environment from Connection": start a `*.kafka.json` or `*.kafka-env.json` without
 * writing it by hand. Neither ever overwrites a file; both write atomically and open the result.
 */
import * as vscode from 'vscode';
import type { ConnectionOutline } from '../../core/collections';
import { SANDBOX_BOOTSTRAP_ENV } from '../../core/collections/bootstrap';
import { splitBrokerList } from '../../core/kafka/rules/broker-address';
import { InvalidInputError } from '../../core/util/errors';
import { SANDBOX_CONNECTION_ID } from '../connections/model';
import type { WorkbenchService } from '../kafka/workbench-service';
import type { CollectionIndex } from './collection-index';
import { collectionsCore } from './collections-core';
import type { EnvironmentState } from './environments';
import { fileExists, refuseExisting, slug, targetFolder } from './workspace-files';

export interface NewFileOptions {
  name?: string;
  folder?: vscode.Uri;
}

/** Asks for a name, saying while the user types when the file it would make already exists (nothing is lost). */
const nameInput = (title: string, fileFor: (name: string) => vscode.Uri, value?: string) =>
  vscode.window.showInputBox({
    title,
    value,
    validateInput: async (v) => {
      if (!v.trim()) return 'Give it a name';
      const uri = fileFor(v);
      return (await fileExists(uri))
        ? `${vscode.workspace.asRelativePath(uri)} already exists: pick another name`
        : null;
    },
  });

export async function newCollection(index: CollectionIndex, options: NewFileOptions): Promise<string | undefined> {
  const folder = await targetFolder(options.folder, 'collections');
  if (!folder) return undefined;
  const fileFor = (n: string) => vscode.Uri.joinPath(folder, `${slug(n, 'collection')}.kafka.json`);
  const name = (options.name ?? (await nameInput('New collection name', fileFor)))?.trim();
  if (!name) return undefined;
  const uri = fileFor(name);
  await refuseExisting(uri, 'open it from the Collections view, or pick another name');
  const core = collectionsCore();
  await core.writeFileAtomic(uri.fsPath, core.starterCollectionText(name));
  await index.reload(uri);
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri.fsPath;
}

export interface NewEnvironmentOptions extends NewFileOptions {
  /** A saved connection's id, or "sandbox". */
  connection?: string;
}

export async function newEnvironment(
  service: WorkbenchService,
  environments: EnvironmentState,
  log: vscode.LogOutputChannel,
  options: NewEnvironmentOptions,
): Promise<string | undefined> {
  const connectionId = options.connection ?? (await pickConnection(service));
  if (!connectionId) return undefined;
  const stored = connectionId === SANDBOX_CONNECTION_ID ? undefined : service.connections.get(connectionId);
  if (connectionId !== SANDBOX_CONNECTION_ID && !stored)
    throw new InvalidInputError(`No saved connection with id "${connectionId}": pick one from the list.`);
  const folder = await targetFolder(options.folder, 'environments');
  if (!folder) return undefined;
  const fileFor = (n: string) => vscode.Uri.joinPath(folder, `${slug(n, 'environment')}.kafka-env.json`);
  const name = (options.name ?? (await nameInput('New environment name', fileFor, stored?.name ?? 'local')))?.trim();
  if (!name) return undefined;
  const uri = fileFor(name);
  await refuseExisting(uri, 'select it with "Kafka: Select Collection Environment", or pick another name');

  let outline: ConnectionOutline | undefined;
  // The Local sandbox keeps its ports across restarts while they are free: its file carries its address.
  if (!stored) outline = { brokers: splitBrokerList((await service.sandbox.ensureStarted()).bootstrap) };
  if (stored) {
    outline = {
      brokers: stored.brokers,
      clientId: stored.clientId,
      sasl: stored.sasl,
      schemaRegistry: stored.schemaRegistry,
    };
    if (stored.tls?.enabled)
      outline.tls = { caFile: stored.tls.caFile, certFile: stored.tls.certFile, skipVerify: stored.tls.skipVerify };
  }
  const hasClientKey = stored ? (await service.connections.secret(stored.id, 'clientKey')) !== undefined : false;
  const core = collectionsCore();
  const draft = core.environmentFromConnection(name, uri.fsPath, outline, hasClientKey);
  let notes = [...draft.notes];
  if (stored && draft.passwordSecret) {
    const copied = await copyPassword(service, environments, stored.id, draft.passwordSecret);
    // One sentence about the password: where it went replaces the general one about which secret holds it.
    notes = [...notes.filter((n) => !n.startsWith('the SASL password is the secret')), copied];
  }
  if (stored && draft.registrySecret) {
    const copied = await copyPassword(
      service,
      environments,
      stored.id,
      draft.registrySecret,
      'schemaRegistrySecret',
      'schema registry secret',
    );
    notes = [...notes.filter((n) => !n.startsWith("the schema registry's")), copied];
  }
  if (!stored)
    notes.push(
      `its bootstrap is the Local sandbox's address, which stays the same across restarts while its ports are free (the terminal also has it in ${SANDBOX_BOOTSTRAP_ENV})`,
    );
  await core.writeFileAtomic(uri.fsPath, draft.text);
  const relative = vscode.workspace.asRelativePath(uri);
  for (const n of notes) log.info(`${relative}: ${n}`);
  await vscode.window.showTextDocument(uri, { preview: false });
  void vscode.window
    .showInformationMessage(`Kafka: created ${relative}; ${notes.join('; ')}.`, 'Use It')
    .then((a) => a && vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', uri));
  return uri.fsPath;
}

async function pickConnection(service: WorkbenchService): Promise<string | undefined> {
  const items = [
    { label: '$(beaker) Local sandbox', description: 'its address on this machine', id: SANDBOX_CONNECTION_ID },
    ...service.connections.list().map((c) => ({ label: c.name, description: c.brokers.join(', '), id: c.id })),
  ];
  return (await vscode.window.showQuickPick(items, { title: 'New environment from which connection?' }))?.id;
}

/** The saved connection's password goes to the collection secret the file names, so the environment works at once. */
async function copyPassword(
  service: WorkbenchService,
  environments: EnvironmentState,
  connectionId: string,
  secret: string,
  from: 'saslPassword' | 'schemaRegistrySecret' = 'saslPassword',
  what = 'password',
): Promise<string> {
  const password = await service.connections.secret(connectionId, from);
  if (password === undefined)
    return `the connection has no stored ${what}: set it with "Kafka: Set Collection Secret" (${secret})`;
  const existing = await environments.secrets(secret);
  if (existing !== undefined && existing !== password)
    return `a different secret "${secret}" was already stored and is left as it was`;
  await environments.setSecret(secret, password);
  return `the connection's ${what} is stored as secret "${secret}" in VS Code's secret storage (for the CLI: environment variable ${collectionsCore().secretEnvName(secret)})`;
}
