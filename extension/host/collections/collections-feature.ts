/**
 * Collections in VS Code: the Collections view, CodeLens and Problems for `*.kafka.json`, bulk sends, import,
 * environments and secrets, and the composer's "Save to collection". Registration is cheap: the collections core
 * loads only when a collection is first parsed (the view opens, a collection file is opened, or a command runs).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../core/collections';
import { topicNameProblem } from '../../core/kafka/rules/topic-name';
import { InvalidInputError } from '../../core/util/errors';
import { withoutByteOrderMark } from '../../core/util/utf8';
import type { ComposerDraft, DraftOrigin } from '../../protocol/messages';
import { checkDraft } from '../../protocol/validate';
import { guarded } from '../commands';
import { ComposerPanel } from '../composer/composer-panel';
import type { CreateTopicsAnswer } from '../kafka/missing-topics';
import { plainError } from '../kafka/plain-errors';
import type { SchemaRegistryClient } from '../../core/schema-registry/client';
import { loadSchemaRegistry } from '../kafka/core';
import type { WorkbenchService } from '../kafka/workbench-service';
import { CollectionCodeLensProvider } from './collection-codelens';
import { ExpectationResults } from './expectation-results';
import { CollectionIndex, displayName, errorCount } from './collection-index';
import { CollectionTreeProvider, type CollectionNode } from './collection-tree';
import {
  COLLECTION_GLOB,
  ENVIRONMENT_GLOB,
  collectionsCore,
  isCollectionPath,
  isEnvironmentPath,
} from './collections-core';
import { draftToMessage, isFileSpec, messageToDraft } from './draft-to-message';
import { registerKafkaJsonEditing } from './kafka-json-editing';
import { DraftTemplates } from './draft-templates';
import { planMessageSave, type OpenedMessage } from './message-save';
import { ReplaceReview } from './replace-review';
import { showEnvironmentConnection } from './environment-connection';
import { EnvironmentState, SECRET_NAME } from './environments';
import { newCollection, newEnvironment, type NewEnvironmentOptions, type NewFileOptions } from './new-files';
import { sendCollection } from './send-collection';
import { fileExists, refuseExisting, slug, targetFolder } from './workspace-files';

export const COLLECTION_COMMAND_IDS = [
  'kafkaWorkbench.collections.refresh',
  'kafkaWorkbench.collections.sendAll',
  'kafkaWorkbench.collections.sendMessage',
  'kafkaWorkbench.collections.openInComposer',
  'kafkaWorkbench.collections.import',
  'kafkaWorkbench.collections.selectEnvironment',
  'kafkaWorkbench.collections.setSecret',
  'kafkaWorkbench.collections.saveDraft',
  'kafkaWorkbench.collections.new',
  'kafkaWorkbench.collections.newEnvironment',
] as const;

/** For tests: what the view shows and where things are, never a secret's value. */
export interface CollectionsApi {
  index: CollectionIndex;
  tree: CollectionTreeProvider;
  environments: EnvironmentState;
  /** The composer's drafts as collection messages: the rendered preview. */
  templates: DraftTemplates;
}

interface Deps {
  context: vscode.ExtensionContext;
  service: WorkbenchService;
  log: vscode.LogOutputChannel;
}

export function registerCollections({ context, service, log }: Deps): CollectionsApi {
  const environments = new EnvironmentState(context);
  const index = new CollectionIndex(environments, () => lintSchemaRegistry(service, environments));
  /** The message last opened in the composer, as it was: Save Record offers it back and writes only what was edited. */
  let opened: OpenedMessage | undefined;
  const templates = new DraftTemplates(index, environments, service);
  ComposerPanel.rendering = templates;
  const review = new ReplaceReview();
  const expectationResults = new ExpectationResults();
  const tree = new CollectionTreeProvider(index, expectationResults);
  const view = vscode.window.createTreeView('kafkaWorkbench.collections', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  // Just the environment's name: the title bar's buttons leave room for little more. Newest answer wins.
  let environmentShown = 0;
  const showEnvironment = async () => {
    const asked = ++environmentShown;
    const label = await environments.label();
    if (asked === environmentShown) view.description = label;
  };
  void showEnvironment();
  const lenses = new CollectionCodeLensProvider(index, expectationResults);
  context.subscriptions.push(
    environments,
    index,
    tree,
    view,
    lenses,
    review,
    expectationResults,
    environments.onDidChange(() => void showEnvironment()),
    showEnvironmentConnection(environments, service),
    relintOnConnectionChange(service, index),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: COLLECTION_GLOB }, lenses),
    registerKafkaJsonEditing(),
  );

  const fromUi = (arg: unknown) => isNode(arg) || arg instanceof vscode.Uri;
  const reg = <A extends unknown[]>(
    id: (typeof COLLECTION_COMMAND_IDS)[number],
    what: string,
    fn: (...args: A) => Promise<unknown>,
  ) => context.subscriptions.push(vscode.commands.registerCommand(id, guarded(log, what, fn, fromUi)));

  const stopOnFirstError = () =>
    vscode.workspace.getConfiguration('kafkaWorkbench.collections').get<boolean>('stopOnFirstError', false);
  /** `options.createTopics` answers for callers without a UI what to do with missing topics (else the user is asked). */
  const send = async (
    target: unknown,
    messages: string[],
    options?: { createTopics?: CreateTopicsAnswer },
  ): Promise<RunSummary | undefined> => {
    const uri = await collectionUri(
      target,
      index,
      messages.length ? 'Send from which collection?' : 'Send which collection?',
    );
    if (!uri) return undefined;
    await refuseDirty(uri);
    const loaded = await index.loaded(uri);
    const summary = await sendCollection(
      service,
      environments,
      { loaded, messages, stopOnFirstError: stopOnFirstError(), createTopics: options?.createTopics },
      log,
    );
    expectationResults.record(uri, summary);
    return summary;
  };

  reg('kafkaWorkbench.collections.refresh', 'Refresh collections', async () => {
    await index.ready();
    await index.rescan();
  });
  reg(
    'kafkaWorkbench.collections.sendAll',
    'Send collection',
    async (target?: unknown, options?: { createTopics?: CreateTopicsAnswer }) => send(target, [], options),
  );
  reg(
    'kafkaWorkbench.collections.sendMessage',
    'Send message',
    async (target?: unknown, name?: unknown, options?: { createTopics?: CreateTopicsAnswer }) => {
      const picked = await messageTarget(target, name, index, 'Send which message?');
      return picked ? send(picked.uri, [picked.name], options) : undefined;
    },
  );
  reg('kafkaWorkbench.collections.openInComposer', 'Open in composer', async (target?: unknown, name?: unknown) => {
    const picked = await messageTarget(target, name, index, 'Open which message in the composer?');
    if (!picked) return undefined;
    const loaded = await index.loaded(picked.uri);
    const core = collectionsCore();
    // Secrets stay references in the composer: what it shows can be saved to a file, which must never hold them.
    const keepSecretReference = (name: string) => `{{$secret:${name}}}`;
    const preparer = new core.MessagePreparer(
      new core.TemplateEngine({ secrets: keepSecretReference }),
      loaded,
      await environments.load(),
    );
    const [i] = preparer.select([picked.name]);
    const spec = loaded.collection.messages[i];
    // The form holds the message's source, templates and all; only a data file's records cannot be typed in, so
    // its first record stands in for the value.
    let first;
    if (isFileSpec(spec.value)) {
      for await (const r of (await preparer.prepare(i)).records()) {
        first = r;
        break;
      }
      if (!first) throw new InvalidInputError(`Message "${picked.name}" has no records (its data file is empty).`);
    }
    const draft = messageToDraft(spec, loaded.collection.producer, first);
    ComposerPanel.createOrShow(context.extensionUri, service, log).showDraft(draft, {
      file: picked.uri.fsPath,
      name: picked.name,
    });
    opened = {
      file: picked.uri.fsPath,
      name: picked.name,
      draft,
      spec,
      collectionProducer: loaded.collection.producer,
    };
    return draft;
  });
  // From the title bar the selected tree item comes along: it is not the file to import, so ask.
  reg(
    'kafkaWorkbench.collections.import',
    'Import collection',
    async (source?: unknown, options?: { topic?: string; target?: string | vscode.Uri }) =>
      importCollection(isNode(source) ? undefined : source, options ?? {}, index, log),
  );
  reg('kafkaWorkbench.collections.new', 'New collection', async (options?: NewFileOptions) =>
    newCollection(index, isNode(options) ? {} : (options ?? {})),
  );
  reg('kafkaWorkbench.collections.newEnvironment', 'New environment', async (options?: NewEnvironmentOptions) =>
    newEnvironment(service, environments, log, isNode(options) ? {} : (options ?? {})),
  );
  reg('kafkaWorkbench.collections.selectEnvironment', 'Select environment', async (arg?: unknown) => {
    // From the view's title bar VS Code passes the selected tree item: that is not an environment, so ask.
    let uri: vscode.Uri | undefined | null = arg === null ? null : isNode(arg) ? undefined : toUri(arg);
    if (uri && !isEnvironmentPath(uri.fsPath))
      throw new InvalidInputError(
        `${vscode.workspace.asRelativePath(uri)} is not an environment file: environments are named NAME.kafka-env.json.`,
      );
    if (uri === undefined) {
      const found = await vscode.workspace.findFiles(ENVIRONMENT_GLOB, '**/node_modules/**', 200);
      const items = [
        { label: '$(circle-slash) No environment', uri: null as vscode.Uri | null },
        ...found.map((u) => ({
          label: path.basename(u.fsPath),
          description: vscode.workspace.asRelativePath(u),
          uri: u as vscode.Uri | null,
        })),
      ];
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Active environment for collections (*.kafka-env.json)',
      });
      if (!picked) return undefined;
      uri = picked.uri;
    }
    await environments.setActive(uri ?? undefined);
    log.info(uri ? `active environment: ${uri.fsPath}` : 'no active environment');
    return uri?.fsPath ?? null;
  });
  reg('kafkaWorkbench.collections.setSecret', 'Set secret', async (nameArg?: unknown, valueArg?: unknown) => {
    const name =
      typeof nameArg === 'string'
        ? nameArg
        : await vscode.window.showInputBox({
            title: 'Secret name, as written in {{$secret:NAME}}',
            validateInput: (v) => (SECRET_NAME.test(v) ? null : 'Use letters, digits, "_", "." or "-"'),
          });
    if (!name) return undefined;
    const value =
      typeof valueArg === 'string'
        ? valueArg
        : await vscode.window.showInputBox({
            title: `Value of secret "${name}" (kept in VS Code's secret storage, never in a file)`,
            password: true,
          });
    if (value === undefined) return undefined;
    await environments.setSecret(name, value);
    log.info(`secret "${name}" stored in SecretStorage`);
    void index.reloadAll();
    return true;
  });
  reg(
    'kafkaWorkbench.collections.saveDraft',
    'Save to collection',
    async (
      targetArg?: unknown,
      nameArg?: unknown,
      collectionNameArg?: unknown,
      options?: { replace?: boolean; confirm?: boolean },
    ) => {
      const draft = ComposerPanel.current?.currentDraft();
      if (!draft)
        throw new InvalidInputError(
          'Nothing to save: open the composer ("Kafka: Open Composer") and fill in a record first.',
        );
      const problems = checkDraft(draft);
      if (problems.length)
        throw new InvalidInputError(`The composer's record cannot be saved yet: ${problems[0].message}`);
      // From the composer's title bar the argument is the panel's own (non-file) URI: that means "ask".
      const given = targetArg instanceof vscode.Uri && targetArg.scheme !== 'file' ? undefined : targetArg;
      const target = await saveTarget(
        given,
        typeof collectionNameArg === 'string' ? collectionNameArg : undefined,
        index,
      );
      if (!target) return undefined;
      const existing = (await fileExists(target.uri)) ? (await index.reload(target.uri)).parsed : undefined;
      if (existing && errorCount({ uri: target.uri, parsed: existing })) {
        throw new InvalidInputError(
          `${vscode.workspace.asRelativePath(target.uri)} has errors (see the Problems view); fix them first: it is never overwritten while it has errors.`,
        );
      }
      await refuseDirty(target.uri);
      const names = existing?.messages.map((m) => m.name) ?? [];
      // Saving back the message the composer shows suggests its own name, so it can be replaced.
      const origin = ComposerPanel.current?.currentOrigin();
      const suggested = origin?.file === target.uri.fsPath ? origin.name : draft.topic || 'message';
      let name =
        typeof nameArg === 'string'
          ? nameArg
          : await vscode.window.showInputBox({
              title: 'Message name',
              value: suggested,
              ignoreFocusOut: true,
              validateInput: (v) => (v.trim() ? null : 'Give the message a name'),
            });
      if (!name) return undefined;
      name = name.trim();
      let free = name;
      for (let n = 2; names.includes(free); n++) free = `${name.replace(/ \(\d+\)$/, '')} (${n})`;
      const replace =
        free !== name &&
        (typeof nameArg === 'string' ? options?.replace === true : await askReplace(name, free, target.uri));
      if (replace === undefined) return undefined;
      const core = collectionsCore();
      const relative = vscode.workspace.asRelativePath(target.uri);
      if (replace) {
        const outcome = await replaceMessage(draft, name, target.uri, origin, options?.confirm);
        if (!outcome.replaced)
          return { file: target.uri.fsPath, message: name, replaced: false, reviewed: outcome.reviewed };
      } else {
        name = free;
        await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target.uri, '..'));
        await core.addMessageToCollectionFile(target.uri.fsPath, draftToMessage(draft, name), target.collectionName);
      }
      await index.reload(target.uri);
      log.info(`${replace ? 'replaced' : 'saved'} message "${name}" in ${target.uri.fsPath}`);
      void vscode.window.showInformationMessage(
        `Kafka: ${replace ? 'replaced' : 'saved'} "${name}" ${replace ? 'in' : 'to'} ${relative}.`,
      );
      return { file: target.uri.fsPath, message: name, replaced: replace };
    },
  );

  /**
   * Writes the draft over message `name`: only the fields the user edited since opening it, so its templates and
   * everything the composer does not show stay byte for byte. When more would change than what was edited (the draft
   * came from elsewhere, or the file changed since), the diff is shown and the user decides (`confirm` for callers
   * without a UI).
   */
  async function replaceMessage(
    draft: ComposerDraft,
    name: string,
    uri: vscode.Uri,
    origin: DraftOrigin | null | undefined,
    confirm: boolean | undefined,
  ): Promise<{ replaced: boolean; reviewed: boolean }> {
    const core = collectionsCore();
    const loaded = await index.loaded(uri);
    const at = loaded.collection.messages.findIndex((m) => m.name === name);
    const current = { spec: loaded.collection.messages[at], collectionProducer: loaded.collection.producer };
    // The composer still shows what was opened from this very message: what changed is what the user edited.
    const base =
      opened &&
      origin &&
      opened.file === uri.fsPath &&
      opened.name === name &&
      origin.file === uri.fsPath &&
      origin.name === name
        ? opened
        : undefined;
    const plan = planMessageSave(draft, name, current, base);
    const fileName = path.basename(uri.fsPath);
    const before = withoutByteOrderMark(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    const after = core.setMessageFields(before, at, plan.fields, fileName);
    const reviewed = plan.review;
    if (plan.review && !(await review.confirm(uri, after, name, plan.written, base !== undefined, confirm)))
      return { replaced: false, reviewed };
    await core.updateCollectionFile(uri.fsPath, (text) => {
      if (text !== before)
        throw new InvalidInputError(
          `${vscode.workspace.asRelativePath(uri)} changed on disk while the replace was being prepared; nothing was written: save again.`,
        );
      return after;
    });
    log.info(
      `"${name}" in ${uri.fsPath}: ${plan.written.length ? `wrote ${plan.written.join(', ')}` : 'nothing to change'}`,
    );
    const saved = (await index.loaded(uri)).collection;
    opened = { file: uri.fsPath, name, draft, spec: saved.messages[at], collectionProducer: saved.producer };
    return { replaced: true, reviewed };
  }

  /** Asks whether a name already in the collection is replaced or kept beside the new one; undefined = cancelled. */
  async function askReplace(name: string, free: string, uri: vscode.Uri): Promise<boolean | undefined> {
    const replaceItem = `Replace "${name}" in ${vscode.workspace.asRelativePath(uri)}`;
    const picked = await vscode.window.showQuickPick([replaceItem, `Keep both: save as "${free}"`], {
      title: `"${name}" already exists`,
      ignoreFocusOut: true,
    });
    return picked === undefined ? undefined : picked === replaceItem;
  }

  // Problems for collections show without opening the view; scanning waits until activation has finished.
  setTimeout(
    () => void index.ready().catch((e: unknown) => log.warn(`scanning collections failed: ${plainError(e)}`)),
    1000,
  );
  return { index, tree, environments, templates };
}

function isNode(x: unknown): x is CollectionNode {
  return typeof x === 'object' && x !== null && 'kind' in x && 'uri' in x;
}

function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (isNode(arg)) return arg.uri;
  if (typeof arg === 'string' && arg) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return path.isAbsolute(arg) || !folder ? vscode.Uri.file(arg) : vscode.Uri.joinPath(folder, arg);
  }
  return undefined;
}

/** Unsaved edits would be silently overwritten (save) or silently ignored (send): ask for a save first. */
async function refuseDirty(uri: vscode.Uri): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty)
    throw new InvalidInputError(`${vscode.workspace.asRelativePath(uri)} has unsaved changes: save it first.`);
}

async function collectionUri(target: unknown, index: CollectionIndex, title: string): Promise<vscode.Uri | undefined> {
  const given =
    toUri(target) ??
    (vscode.window.activeTextEditor &&
    isCollectionPath(vscode.window.activeTextEditor.document.uri.fsPath) &&
    target === undefined
      ? vscode.window.activeTextEditor.document.uri
      : undefined);
  if (given) return given;
  await index.ready();
  const items = index
    .list()
    .map((e) => ({ label: displayName(e), description: vscode.workspace.asRelativePath(e.uri), uri: e.uri }));
  if (!items.length)
    throw new InvalidInputError(
      'No collections (*.kafka.json) in this workspace: save one from the composer or import one.',
    );
  return (await vscode.window.showQuickPick(items, { title }))?.uri;
}

async function messageTarget(
  target: unknown,
  name: unknown,
  index: CollectionIndex,
  title: string,
): Promise<{ uri: vscode.Uri; name: string } | undefined> {
  if (isNode(target) && target.kind === 'collectionMessage') return { uri: target.uri, name: target.name };
  const uri = await collectionUri(target, index, title);
  if (!uri) return undefined;
  if (typeof name === 'string') return { uri, name };
  const entry = await index.entry(uri);
  const picked = await vscode.window.showQuickPick(
    entry.parsed.messages.map((m) => m.name),
    { title },
  );
  return picked ? { uri, name: picked } : undefined;
}

async function saveTarget(
  arg: unknown,
  collectionName: string | undefined,
  index: CollectionIndex,
): Promise<{ uri: vscode.Uri; collectionName?: string } | undefined> {
  const given = toUri(arg);
  if (given) {
    if (!isCollectionPath(given.fsPath))
      throw new InvalidInputError(`${given.fsPath}: collection files are named NAME.kafka.json.`);
    return { uri: given, collectionName: collectionName ?? path.basename(given.fsPath, '.kafka.json') };
  }
  await index.ready();
  const NEW = '$(add) New collection…';
  // Only collections without errors of any kind (templates too): the view marks the others, and Save refuses them.
  const items = [
    { label: NEW, uri: undefined as vscode.Uri | undefined, description: '' },
    ...index.saveTargets().map((e) => ({
      label: displayName(e),
      description: vscode.workspace.asRelativePath(e.uri),
      uri: e.uri as vscode.Uri | undefined,
    })),
  ];
  // ignoreFocusOut in every step: started from the composer, whose webview takes focus back as each step closes,
  // which would otherwise cancel the next one.
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Save the record to which collection?',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.uri) return { uri: picked.uri };
  const folder = await targetFolder(undefined, 'collections');
  if (!folder) return undefined;
  const name =
    collectionName ??
    (await vscode.window.showInputBox({
      title: 'New collection name',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? null : 'Give the collection a name'),
    }));
  if (!name) return undefined;
  const uri = vscode.Uri.joinPath(folder, `${slug(name, 'collection')}.kafka.json`);
  await refuseExisting(uri, 'pick it from the list instead');
  return { uri, collectionName: name.trim() };
}

async function importCollection(
  source: unknown,
  options: { topic?: string; target?: string | vscode.Uri },
  index: CollectionIndex,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  let uri = toUri(source);
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import messages as a collection',
      canSelectMany: false,
      filters: { 'Tools for Apache Kafka (.kafka)': ['kafka'], 'Confluent for VS Code messages (.json)': ['json'] },
    });
    uri = picked?.[0];
  }
  if (!uri) return undefined;
  const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  const fileName = path.basename(uri.fsPath);
  const core = collectionsCore();
  let result;
  if (fileName.endsWith('.kafka')) result = core.importToolsForKafkaFile(text, fileName);
  else if (fileName.endsWith('.json') && !isCollectionPath(fileName)) {
    // Read the file first: one that is not a message file is refused before the user is asked for a topic.
    if (!options.topic) core.importConfluentMessageFile(text, fileName, { topic: 'checked-before-asking' });
    const topic =
      options.topic ??
      (await vscode.window.showInputBox({
        title: `Topic for the messages of ${fileName} (the file names none)`,
        validateInput: (v) => topicNameProblem(v),
      }));
    if (!topic) return undefined;
    result = core.importConfluentMessageFile(text, fileName, { topic });
  } else
    throw new InvalidInputError(
      `${fileName}: import takes a Tools for Apache Kafka .kafka file or a Confluent for VS Code .json message file.`,
    );

  const stem = fileName.replace(/\.(kafka|json)$/, '');
  // An import never writes a file that would not load: it is checked as the Collections view will read it.
  const collectionText = core.formatJson(result.collection);
  const check = core.parseCollectionText(collectionText, `${stem}.kafka.json`);
  if (check.value === undefined) {
    const problem = check.diagnostics.find((d) => d.severity === 'error');
    const why = problem ? core.formatDiagnostic(check.fileName, problem) : 'it is not a valid collection';
    throw new InvalidInputError(
      `${fileName} was not imported: the collection made from it would not load (${why}); nothing was written. Change that in ${fileName}, or report it as an import bug.`,
    );
  }
  let target = toUri(options.target);
  if (!target) {
    // Beside the source when it is in the workspace; a file from elsewhere is imported into the workspace.
    const dir = vscode.workspace.getWorkspaceFolder(uri)
      ? vscode.Uri.joinPath(uri, '..')
      : await targetFolder(undefined, 'collections');
    if (!dir) return undefined;
    target = vscode.Uri.joinPath(dir, `${stem}.kafka.json`);
    for (let n = 2; await fileExists(target); n++) target = vscode.Uri.joinPath(dir, `${stem}-${n}.kafka.json`);
  } else if (await fileExists(target)) {
    throw new InvalidInputError(`${vscode.workspace.asRelativePath(target)} already exists: import into a new file.`);
  }
  await core.writeFileAtomic(target.fsPath, collectionText);
  await index.reload(target);
  for (const w of result.warnings) log.warn(`import: ${w}`);
  const imported = `Kafka: imported ${result.collection.messages.length} message(s) into ${vscode.workspace.asRelativePath(target)}.`;
  if (result.warnings.length) {
    void vscode.window
      .showWarningMessage(
        `${imported} ${result.warnings.length} thing(s) could not be carried over exactly.`,
        'Show Log',
      )
      .then((a) => a && log.show());
  } else void vscode.window.showInformationMessage(imported);
  if (!options.target) await vscode.window.showTextDocument(target, { preview: false });
  return target.fsPath;
}

/**
 * The registry Problems check keySchema / valueSchema against: the active environment's, else the active
 * connection's. A short timeout: an unreachable registry must not hold up the editor.
 */
async function lintSchemaRegistry(
  service: WorkbenchService,
  environments: EnvironmentState,
): Promise<SchemaRegistryClient | undefined> {
  const environment = await environments.loadQuietly();
  const config = environment
    ? await collectionsCore()
        .environmentSchemaRegistry(environment, environments.secrets)
        .catch(() => undefined)
    : undefined;
  if (config) return loadSchemaRegistry().createClient({ ...config, timeoutMs: 2000 });
  const session = await service.schemaRegistry().catch(() => undefined);
  return session ? loadSchemaRegistry().createClient({ ...session.config, timeoutMs: 2000 }) : undefined;
}

/** Connecting to another cluster brings another registry: keySchema / valueSchema problems are checked again. */
function relintOnConnectionChange(service: WorkbenchService, index: CollectionIndex): vscode.Disposable {
  let last = service.activeConnection()?.id;
  return service.onDidChangeState(() => {
    const now = service.activeConnection()?.id;
    if (now === last) return;
    last = now;
    void index.reloadAll();
  });
}
