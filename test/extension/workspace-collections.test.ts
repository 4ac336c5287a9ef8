/**
 * Collections in real VS Code, against the embedded sandbox: the view lists the workspace's collections, "Send all"
 * delivers them into the same results as the composer, CodeLens and Problems show, and secrets stay out of files.
 * Runs after extension.test.ts (file order), which asserts nothing connects at activation.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import type { ComposerDraft } from '../../extension/protocol/messages';
import type { CollectionNode } from '../../extension/host/collections/collection-tree';
import { api, waitFor, workspaceDir, write } from './workspace-helpers';

const SECRET_VALUE = 'pw-3f9c1e-never-in-a-file';

function allFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? allFilesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('Collections in VS Code', () => {
  let orders: vscode.Uri;
  let broken: vscode.Uri;

  before(async () => {
    orders = write('collections/orders.kafka.json', {
      name: 'Orders',
      variables: { region: 'eu' },
      messages: [
        {
          name: 'new order',
          topic: 'col-orders',
          key: 'order-{{$seq}}',
          value: { id: '{{$uuid}}', region: '{{region}}' },
          headers: [['token', '{{$secret:ORDERS_TOKEN}}']],
          count: 5,
          ratePerSecond: 200,
        },
        { name: 'cancel', topic: 'col-orders', key: 'order-0', value: 'cancelled' },
      ],
    });
    broken = write(
      'collections/broken.kafka.json',
      '{\n  "name": "Broken",\n  "messages": [\n    { "name": "bad", "topic": "t", "count": "ten" }\n  ]\n}\n',
    );
    write('collections/templates.kafka.json', {
      name: 'Templates',
      messages: [{ name: 'unknown var', topic: 't', value: 'hello {{nobody}}' }],
    });
    write('dev.kafka-env.json', { name: 'dev', variables: { region: 'us', nobody: 'from-dev' } });
    await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    // The files were written behind VS Code's back (the watcher may not be told in time): refresh, as a user would.
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
  });

  it('lists the workspace collections in the Collections view, with their messages', async () => {
    const { tree } = (await api()).collections;
    const roots = await waitFor('the collections in the view', async () => {
      const r = await tree.getChildren();
      return r.length >= 3 && r;
    });
    const labels = roots.map((n) => String(tree.getTreeItem(n).label));
    assert.ok(labels.includes('Orders'), `view lists Orders (got ${labels.join(', ')})`);
    const ordersNode = roots.find((n) => n.uri.fsPath === orders.fsPath)!;
    const messages = await tree.getChildren(ordersNode);
    assert.deepEqual(
      messages.map((m) => (m as Extract<CollectionNode, { kind: 'collectionMessage' }>).name),
      ['new order', 'cancel'],
    );
    assert.equal(
      tree.getTreeItem(messages[0]).contextValue,
      'kafkaCollectionMessage',
      'a valid message offers send and open in composer',
    );
    const brokenNode = roots.find((n) => n.uri.fsPath === broken.fsPath)!;
    assert.equal(
      tree.getTreeItem(brokenNode).contextValue,
      'kafkaCollectionInvalid',
      'a collection with errors offers no send',
    );
  });

  it('"Send all" delivers every record into the sandbox and the shared results, with the secret from SecretStorage', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.collections.setSecret', 'ORDERS_TOKEN', SECRET_VALUE);
    const before = a.service.resultRows().filter((r) => r.topic === 'col-orders').length;
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendAll',
      orders.fsPath,
      { createTopics: true },
    );
    assert.equal(summary.ok, true, JSON.stringify(summary.messages.map((m) => m.errors)));
    assert.equal(summary.sent, 6);
    assert.equal(summary.acked, 6);
    // The records are in the composer's results (acked, with offsets) and have traces.
    const rows = await waitFor('6 acked result rows', () => {
      const r = a.service.resultRows().filter((x) => x.topic === 'col-orders' && x.status === 'acked');
      return r.length - before >= 6 && r;
    });
    assert.ok(rows.every((r) => typeof r.offset === 'number' && r.offset >= 0));
    assert.ok(a.service.trace(rows[0].recordId).entries.length > 0, 'each record has a delivery trace');
    // The cluster has them: high watermarks of the topic add up to what was acked.
    const view = await a.service.cluster(true);
    const total = [...(view.watermarks.get('col-orders') ?? new Map<number, number>()).values()].reduce(
      (n, hw) => n + hw,
      0,
    );
    assert.equal(total, 6);
    // "cancel" (key order-0) lands on the partition of "new order" #0 (same key, murmur2).
    const [newOrder, cancel] = summary.messages;
    assert.equal(newOrder.acked, 5);
    assert.deepEqual(cancel.partitions.length, 1);
  });

  it('"Send" sends one message by name, and the environment\'s variables apply', async () => {
    const a = await api();
    await vscode.commands.executeCommand(
      'kafkaWorkbench.collections.selectEnvironment',
      path.join(workspaceDir(), 'dev.kafka-env.json'),
    );
    assert.equal(a.collections.environments.activeUri()?.fsPath, path.join(workspaceDir(), 'dev.kafka-env.json'));
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendMessage',
      orders,
      'cancel',
    );
    assert.deepEqual(
      summary.messages.map((m) => [m.name, m.acked]),
      [['cancel', 1]],
    );
    // templates.kafka.json names {{nobody}}, which only the environment defines: its problem goes away, and it renders.
    const templates = vscode.Uri.file(path.join(workspaceDir(), 'collections/templates.kafka.json'));
    await waitFor(
      'the template problem to clear with the environment',
      () => vscode.languages.getDiagnostics(templates).length === 0,
    );
    const draft = await vscode.commands.executeCommand<ComposerDraft>(
      'kafkaWorkbench.collections.openInComposer',
      templates,
      'unknown var',
    );
    assert.equal(draft.value, 'hello {{nobody}}', 'the composer shows the source');
    const preview = await a.collections.templates.preview(draft, { file: templates.fsPath, name: 'unknown var' });
    assert.equal(preview.value, 'hello from-dev', "and renders it with the environment's variables");
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
    assert.equal(a.collections.environments.activeUri(), undefined);
  });

  it("sends to the active environment's own cluster, and names a SASL secret that is not set", async () => {
    const a = await api();
    const { bootstrap } = await a.service.sandbox.ensureStarted();
    const ownCluster = write('envs/own.kafka-env.json', {
      name: 'own',
      connection: { bootstrap: bootstrap.split(','), clientId: 'env-client' },
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', ownCluster);
    await a.service.disconnect(); // nothing active: the environment's connection is all there is
    try {
      const summary = await vscode.commands.executeCommand<RunSummary>(
        'kafkaWorkbench.collections.sendMessage',
        orders,
        'cancel',
      );
      assert.deepEqual(
        summary.messages.map((m) => [m.name, m.acked]),
        [['cancel', 1]],
      );
      assert.equal(a.service.activeConnection(), null, "the environment's connection does not become the active one");
      const withSasl = write('envs/sasl.kafka-env.json', {
        connection: {
          bootstrap: bootstrap.split(',')[0],
          sasl: { mechanism: 'plain', username: 'u', password: '{{$secret:NOT_SET_PW}}' },
        },
      });
      await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', withSasl);
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', orders.fsPath)),
        /secret "NOT_SET_PW" is not set/,
      );
    } finally {
      await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', null);
      await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    }
  });

  it('stops at the first failed record when kafkaWorkbench.collections.stopOnFirstError is set', async () => {
    const a = await api();
    const slow = write('collections/slow.kafka.json', {
      name: 'Slow',
      messages: [
        {
          name: 'ten',
          topic: 'col-stop',
          value: 'v{{$seq}}',
          count: 10,
          ratePerSecond: 10,
          producer: { retries: 0, 'enable.idempotence': false },
        },
      ],
    });
    const config = vscode.workspace.getConfiguration('kafkaWorkbench.collections');
    await config.update('stopOnFirstError', true, vscode.ConfigurationTarget.Workspace);
    try {
      await a.service.sandbox.run({ action: 'injectError', errorCode: 10, count: 1 }); // MESSAGE_TOO_LARGE: not retriable
      const summary = await vscode.commands.executeCommand<RunSummary>(
        'kafkaWorkbench.collections.sendAll',
        slow.fsPath,
        { createTopics: true },
      );
      assert.equal(summary.ok, false);
      assert.equal(summary.messages[0].stoppedBy, 'error');
      assert.ok(summary.failed >= 1);
      assert.ok(summary.sent < 10, `stopped early (sent ${summary.sent} of 10)`);
    } finally {
      await config.update('stopOnFirstError', undefined, vscode.ConfigurationTarget.Workspace);
      await a.service.sandbox.run({ action: 'clearFaults' });
    }
  });

  it('streams a data file through "Send all" and lists where its records come from', async () => {
    const a = await api();
    write(
      'collections/data/replay.jsonl',
      Array.from({ length: 3000 }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n',
    );
    const replay = write('collections/replay.kafka.json', {
      name: 'Replay',
      messages: [{ name: 'lines', topic: 'col-replay', value: { file: 'data/replay.jsonl' } }],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const { tree } = a.collections;
    const node = (await tree.getChildren()).find((n) => n.uri.fsPath === replay.fsPath);
    assert.ok(node);
    const [message] = await tree.getChildren(node);
    assert.equal(tree.getTreeItem(message).description, '→ col-replay · from data/replay.jsonl');
    const summary = await vscode.commands.executeCommand<RunSummary>('kafkaWorkbench.collections.sendAll', replay, {
      createTopics: true,
    });
    assert.equal(summary.ok, true);
    assert.equal(summary.acked, 3000);
    const hw = [
      ...((await a.service.cluster(true)).watermarks.get('col-replay') ?? new Map<number, number>()).values(),
    ].reduce((n, x) => n + x, 0);
    assert.equal(hw, 3000);
    // A deleted collection leaves the view.
    fs.rmSync(replay.fsPath);
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    assert.ok(!(await tree.getChildren()).some((n) => n.uri.fsPath === replay.fsPath));
  });

  it('never writes a secret to any file in the workspace', async () => {
    for (const f of allFilesUnder(workspaceDir())) {
      assert.ok(!fs.readFileSync(f, 'utf8').includes(SECRET_VALUE), `${f} does not hold the secret`);
    }
  });

  it('shows CodeLens "Send all" above the collection and "Send" above each message', async () => {
    const doc = await vscode.workspace.openTextDocument(orders);
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
      return l && l.length > 0 ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.equal(titles.filter((t) => t.endsWith('Send all')).length, 1);
    const sends = lenses.filter((l) => l.command?.title.endsWith(' Send'));
    assert.deepEqual(
      sends.map((l) => l.command?.arguments?.[1]),
      ['new order', 'cancel'],
    );
    // Each "Send" sits on the line where its message object starts.
    for (const l of sends) assert.match(doc.lineAt(l.range.start.line).text, /\{/);
  });

  it('puts schema and template errors in the Problems view, refreshed on edit', async () => {
    const schema = await waitFor('diagnostics for broken.kafka.json', () => {
      const d = vscode.languages.getDiagnostics(broken);
      return d.length > 0 && d;
    });
    assert.ok(
      schema.some((d) => /whole number.*ten/.test(d.message) && d.range.start.line === 3),
      schema.map((d) => `${d.range.start.line}: ${d.message}`).join('\n'),
    );
    const templates = vscode.Uri.file(path.join(workspaceDir(), 'collections/templates.kafka.json'));
    const t = await waitFor('template diagnostics', () => {
      const d = vscode.languages.getDiagnostics(templates);
      return d.length > 0 && d;
    });
    assert.ok(
      t.some((d) => /nobody/.test(d.message)),
      t.map((d) => d.message).join('\n'),
    );
    // Fix the broken file in the editor (unsaved): its problems go away.
    const doc = await vscode.workspace.openTextDocument(broken);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(3);
    await editor.edit((e) => e.replace(line.range, '    { "name": "bad", "topic": "t", "count": 10 }'));
    await waitFor('the problems to clear after the edit', () => vscode.languages.getDiagnostics(broken).length === 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor(
      'the problems to come back after the revert',
      () => vscode.languages.getDiagnostics(broken).length > 0,
    );
  });

  it('refuses to send or save into a collection with errors, and leaves the file as it was', async () => {
    const textBefore = fs.readFileSync(broken.fsPath, 'utf8');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.sendAll', broken.fsPath)),
      /count/,
    );
    await vscode.commands.executeCommand('kafkaWorkbench.collections.openInComposer', orders, 'cancel');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.saveDraft', broken.fsPath, 'copy')),
      /has errors/,
    );
    assert.equal(fs.readFileSync(broken.fsPath, 'utf8'), textBefore);
  });

  it("opens a message in the composer and saves the composer's record to a new collection", async () => {
    const a = await api();
    const draft = await vscode.commands.executeCommand<{ topic: string; key: string; value: string }>(
      'kafkaWorkbench.collections.openInComposer',
      orders,
      'cancel',
    );
    assert.deepEqual([draft.topic, draft.key, draft.value], ['col-orders', 'order-0', 'cancelled']);
    assert.equal(a.composer()?.currentDraft()?.value, 'cancelled');
    const target = path.join(workspaceDir(), 'saved/replays.kafka.json');
    const saved = await vscode.commands.executeCommand<{ file: string; message: string }>(
      'kafkaWorkbench.collections.saveDraft',
      target,
      'replayed cancel',
      'Replays',
    );
    assert.equal(saved.file, target);
    const text = fs.readFileSync(target, 'utf8');
    const collection = JSON.parse(text);
    assert.equal(collection.name, 'Replays');
    assert.deepEqual(collection.messages, [
      { name: 'replayed cancel', topic: 'col-orders', key: 'order-0', value: 'cancelled' },
    ]);
    assert.ok(
      text.endsWith('}\n') && text.includes('\n  "messages"'),
      'saved with 2-space indent and a trailing newline',
    );
    // Saving again with the same name keeps both, under distinct names.
    const again = await vscode.commands.executeCommand<{ message: string }>(
      'kafkaWorkbench.collections.saveDraft',
      target,
      'replayed cancel',
    );
    assert.equal(again.message, 'replayed cancel (2)');
    const { tree } = a.collections;
    await waitFor('the new collection in the view', async () =>
      (await tree.getChildren()).some((n) => n.uri.fsPath === target),
    );
  });

  it('imports a Tools for Apache Kafka file and a Confluent JSON file as new collections', async () => {
    const tools = write(
      'imports/events.kafka',
      'PRODUCER keyed\ntopic: col-imported\nkey: k1\nrecord {{random.uuid}}\n\n###\n',
    );
    const toolsOut = await vscode.commands.executeCommand<string>('kafkaWorkbench.collections.import', tools, {
      target: path.join(workspaceDir(), 'imports/events.kafka.json'),
    });
    const imported = JSON.parse(fs.readFileSync(toolsOut, 'utf8'));
    assert.deepEqual(
      imported.messages.map((m: { name: string; topic: string; key: string }) => [m.name, m.topic, m.key]),
      [['keyed', 'col-imported', 'k1']],
    );
    assert.match(imported.messages[0].value, /\{\{\$faker\.string\.uuid\}\}/);
    const confluent = write('imports/users.json', [
      { key: 'user-1', value: { name: 'Ada' }, headers: [{ key: 'source', value: 'test' }] },
    ]);
    const confluentOut = await vscode.commands.executeCommand<string>('kafkaWorkbench.collections.import', confluent, {
      topic: 'col-users',
      target: path.join(workspaceDir(), 'imports/users.kafka.json'),
    });
    const users = JSON.parse(fs.readFileSync(confluentOut, 'utf8'));
    assert.deepEqual(users.messages[0].topic, 'col-users');
    assert.deepEqual(users.messages[0].value, { name: 'Ada' });
    // The imported collection sends.
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendAll',
      confluentOut,
      { createTopics: true },
    );
    assert.equal(summary.acked, 1);
    // A file from outside the workspace is imported into the workspace, not beside the source.
    const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kw-import-')), 'outside.json');
    fs.writeFileSync(outside, JSON.stringify({ key: 'k', value: 'v' }));
    const outsideOut = await vscode.commands.executeCommand<string>(
      'kafkaWorkbench.collections.import',
      vscode.Uri.file(outside),
      { topic: 'col-users' },
    );
    assert.equal(path.dirname(outsideOut), workspaceDir());
    assert.ok(!fs.existsSync(path.join(path.dirname(outside), 'outside.kafka.json')));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Any other JSON is not taken for a message file.
    const random = write('imports/random.json', { foo: 1, bar: [1, 2] });
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.collections.import', random.fsPath, { topic: 'x' }),
      ),
      /not a Confluent message/,
    );
  });

  it('"New Collection" writes a starter collection that sends as it is, and never overwrites a file', async () => {
    const a = await api();
    const file = await vscode.commands.executeCommand<string>('kafkaWorkbench.collections.new', {
      name: 'Starter Orders',
    });
    assert.equal(file, path.join(workspaceDir(), 'starter-orders.kafka.json'));
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(JSON.parse(text).name, 'Starter Orders');
    assert.ok(text.endsWith('}\n') && text.includes('\n  "messages": ['), 'formatted like every saved collection');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'the new file is open in the editor');
    await waitFor('the new collection in the view', async () =>
      (await a.collections.tree.getChildren()).some((n) => n.uri.fsPath === file),
    );
    const summary = await vscode.commands.executeCommand<RunSummary>('kafkaWorkbench.collections.sendAll', file, {
      createTopics: true,
    });
    assert.equal(summary.ok, true, JSON.stringify(summary.messages.map((m) => m.errors)));
    assert.equal(summary.acked, 1);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('kafkaWorkbench.collections.new', { name: 'starter orders' })),
      /already exists/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'the existing file is untouched');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('keeps secrets as references when a message opens in the composer, so Save Record never writes one to a file', async () => {
    await vscode.commands.executeCommand('kafkaWorkbench.collections.setSecret', 'ORDERS_TOKEN', SECRET_VALUE);
    const draft = await vscode.commands.executeCommand<{ headers: { key: string; value: string }[] }>(
      'kafkaWorkbench.collections.openInComposer',
      orders,
      'new order',
    );
    assert.deepEqual(draft.headers.find((h) => h.key === 'token')?.value, '{{$secret:ORDERS_TOKEN}}');
    const target = path.join(workspaceDir(), 'saved/with-secret.kafka.json');
    await vscode.commands.executeCommand('kafkaWorkbench.collections.saveDraft', target, 'copied', 'With secret');
    const text = fs.readFileSync(target, 'utf8');
    assert.ok(!text.includes(SECRET_VALUE), 'the secret value is not in the saved file');
    assert.ok(text.includes('{{$secret:ORDERS_TOKEN}}'), 'the reference is');
  });

  it('saves an opened message back in place when asked to replace it, keeping the other messages and their order', async () => {
    const a = await api();
    const file = write('replace/r.kafka.json', {
      name: 'R',
      messages: [
        { name: 'one', topic: 'col-r', value: 'old' },
        { name: 'two', topic: 'col-r', value: '2' },
      ],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const draft = await vscode.commands.executeCommand<Record<string, unknown>>(
      'kafkaWorkbench.collections.openInComposer',
      file,
      'one',
    );
    a.composer()!.showDraft({ ...(draft as unknown as ComposerDraft), value: 'new' }, a.composer()!.currentOrigin());
    const saved = await vscode.commands.executeCommand<{ message: string; replaced: boolean }>(
      'kafkaWorkbench.collections.saveDraft',
      file.fsPath,
      'one',
      undefined,
      { replace: true },
    );
    assert.deepEqual([saved.message, saved.replaced], ['one', true]);
    const messages = JSON.parse(fs.readFileSync(file.fsPath, 'utf8')).messages;
    assert.deepEqual(
      messages.map((m: { name: string; value: string }) => [m.name, m.value]),
      [
        ['one', 'new'],
        ['two', '2'],
      ],
    );
  });
});
