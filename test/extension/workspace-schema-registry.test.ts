/**
 * keySchema / valueSchema in real VS Code, against the Local sandbox's schema registry: Problems names a subject the
 * registry lacks and a value that does not fit; "Send all" encodes by the schema (the sandbox's registry decodes it).
 */
import * as assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import * as vscode from 'vscode';
import type { RunSummary } from '../../extension/core/collections';
import type { StoredRecordView } from '../../extension/core/consume/read-back';
import type { CollectionNode } from '../../extension/host/collections/collection-tree';
import { defaultDraft, type ComposerDraft } from '../../extension/protocol/messages';
import { SchemaDeserializer, SchemaRegistryClient } from '../../extension/core/schema-registry';
import { api, waitFor, write } from './workspace-helpers';

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int' },
  ],
};

describe('Schema registry in VS Code', () => {
  let registryUrl: string;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    registryUrl = await waitFor('the sandbox registry', () => a.service.sandbox.schemaRegistryUrl());
    const res = await fetch(`${registryUrl}/subjects/sr-orders-value/versions`, {
      method: 'POST',
      body: JSON.stringify({ schema: JSON.stringify(ORDER) }),
    });
    assert.equal(res.status, 200);
  });

  it("Problems: an unknown subject and a value that does not fit, from the active connection's registry", async () => {
    const uri = write('collections/sr-bad.kafka.json', {
      name: 'SR bad',
      messages: [
        { name: 'wrong type', topic: 'sr-orders', value: { id: 'a', qty: 'many' }, valueSchema: {} },
        { name: 'ghost', topic: 'sr-orders', value: { id: 'a', qty: 1 }, valueSchema: { subject: 'ghost-value' } },
      ],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const diagnostics = await waitFor('two registry problems', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'Kafka Workbench');
      return d.length >= 2 && d;
    });
    const messages = diagnostics.map((d) => d.message).sort();
    assert.match(
      messages[0],
      /^subject "ghost-value" is not in the schema registry http:\/\/127\.0\.0\.1:\d+; its subjects: sr-orders-value/,
    );
    assert.match(messages[1], /^value\.qty: expected an int .*got "many" \(valueSchema sr-orders-value v1\)/);
  });

  it('"Send all" encodes values by the registry\'s schema', async () => {
    const uri = write('collections/sr-good.kafka.json', {
      name: 'SR good',
      messages: [
        { name: 'order', topic: 'sr-orders', value: { id: 'o-{{$seq}}', qty: '{{$seq}}' }, valueSchema: {}, count: 3 },
      ],
    });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
    const summary = await vscode.commands.executeCommand<RunSummary>('kafkaWorkbench.collections.sendAll', uri.fsPath, {
      createTopics: true,
    });
    assert.equal(summary.acked, 3, JSON.stringify(summary.messages[0]?.errors));
    // Read back from the sandbox: Avro in Confluent's wire format, decoded by the id each record carries.
    const sandbox = await (await api()).service.sandbox.ensureStarted();
    const kafka = new Kafka({
      clientId: 'sr-readback',
      brokers: sandbox.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `sr-readback-${Date.now()}`, maxWaitTimeInMs: 100 });
    const values: Buffer[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'sr-orders', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!) });
      await waitFor('3 records read back', () => values.length >= 3);
    } finally {
      await consumer.disconnect();
    }
    const reader = new SchemaDeserializer(new SchemaRegistryClient({ url: registryUrl }));
    const decoded = await Promise.all(values.map(async (v) => (await reader.decode(v))?.value as { id: string }));
    assert.deepEqual(decoded.map((d) => d.id).sort(), ['o-0', 'o-1', 'o-2']);
    assert.deepEqual(
      decoded.find((d) => d.id === 'o-2'),
      { id: 'o-2', qty: 2 },
    );
  });

  it("the composer's Schema Registry format: a misfit is refused on its field with nothing sent; a fit is sent and its trace starts with the schema", async () => {
    const {
      service,
      collections: { templates },
    } = await api();
    const draft: ComposerDraft = {
      ...defaultDraft(),
      topic: 'sr-orders',
      keyFormat: 'none',
      valueFormat: 'schema',
      value: '{"id": "c-1", "qty": "x"}',
      valueSchema: { subject: '', version: null, recordName: '' },
    };
    const before = service.resultRows().length;
    const send = (d: ComposerDraft) =>
      templates.send(d, null, {
        signal: new AbortController().signal,
        onProgress: () => undefined,
        createTopics: true,
      });
    await assert.rejects(send(draft), (e: Error & { field?: string }) => {
      assert.equal(e.field, 'value');
      assert.match(e.message, /^value\.qty: expected an int/);
      return true;
    });
    assert.equal(service.resultRows().length, before, 'nothing was handed to the producer');
    const { lastRecordId } = await send({ ...draft, value: '{"id": "c-1", "qty": 4}' });
    const view = service.trace(lastRecordId!);
    assert.equal(view.entries[0].kind, 'serialized');
    assert.match(view.entries[0].title, /^Serialized value with sr-orders-value v1$/);
    assert.equal(view.entries[1].kind, 'composed');
    assert.match(String(view.metadata.valueSchema), /^sr-orders-value v1 \(id \d+, AVRO com\.acme\.Order\)$/);
    assert.equal(view.metadata.status, 'acked');
    // Read back, the stored value is decoded by the schema id it carries.
    const stored = await vscode.commands.executeCommand<StoredRecordView>(
      'kafkaWorkbench.results.readBack',
      lastRecordId,
      {
        show: false,
      },
    );
    assert.equal(stored.comparison?.identical, true, stored.comparison?.differences.join('; '));
    assert.deepEqual(
      stored.valueDecoded && 'value' in stored.valueDecoded ? stored.valueDecoded.value : stored.valueDecoded,
      {
        id: 'c-1',
        qty: 4,
      },
    );
  });

  it('the topic viewer shows Schema Registry values decoded by the schema id they carry', async () => {
    const a = await api();
    await vscode.commands.executeCommand('kafkaWorkbench.topic.view', 'sr-orders');
    const panel = a.topicViewers().get('sr-orders')!;
    const settledState = () => {
      for (let i = panel.posted.length - 1; i >= 0; i--) {
        const m = panel.posted[i]!;
        if (m.type === 'state') return m.state.loading ? undefined : m.state;
      }
      return undefined;
    };
    try {
      await waitFor('the first page', () => (settledState()?.windowSize ?? 0) > 0, 50_000);
      const framed = settledState()!.rows.find(
        (r) => r.value?.startsWith('\u0000') || r.value?.startsWith('base64:AAAAA'),
      );
      assert.ok(framed, 'as text, an Avro value is its framed bytes (magic byte 0, then the schema id)');
      await panel.receive({ type: 'format', keyFormat: 'text', valueFormat: 'schema' });
      // The same record (partition and offset: the topic has several partitions) now shows as its decoded JSON.
      const row = await waitFor('the value decoded by its schema', () =>
        settledState()?.rows.find(
          (r) => r.partition === framed.partition && r.offset === framed.offset && /^\s*\{/.test(r.value ?? ''),
        ),
      );
      assert.match(row.value!, /"id": "[oc]-\d+"/);
      // Among them the composer's record, decoded field by field.
      const composed = settledState()!.rows.find((r) => /"id": "c-1"/.test(r.value ?? ''));
      assert.match(composed?.value ?? '', /"qty": 4/);
    } finally {
      panel.dispose();
    }
  });
  it("expectations match a value in Confluent's wire format decoded, and the CodeLens shows the decoded value", async () => {
    // The message's own Avro record is what its expectations read back (no service needed).
    const file = write('collections/sr-expect.kafka.json', {
      name: 'SR expect',
      messages: [
        {
          name: 'echo',
          topic: 'sr-echo',
          value: { id: 'x-1', qty: 5 },
          valueSchema: { subject: 'sr-orders-value' },
          headers: [['correlation-id', '{{$uuid}}']],
          expect: [
            {
              name: 'decoded',
              topic: 'sr-echo',
              withinMs: 20000,
              correlate: { header: 'correlation-id' },
              valueSchema: { subject: 'sr-orders-value', recordName: 'com.acme.Order' },
              value: { jsonSubset: { id: 'x-1', qty: 5 } },
            },
            { name: 'wrong qty', topic: 'sr-echo', withinMs: 1500, value: { jsonSubset: { qty: 6 } } },
          ],
        },
      ],
    });
    const summary = await vscode.commands.executeCommand<RunSummary>(
      'kafkaWorkbench.collections.sendMessage',
      file,
      'echo',
      { createTopics: true },
    );
    const results = summary.messages[0].expectations!;
    assert.deepEqual(
      results.map((r) => [r.name, r.passed]),
      [
        ['decoded', true],
        ['wrong qty', false],
      ],
      JSON.stringify(results),
    );
    assert.deepEqual(results[0].matched?.value, { id: 'x-1', qty: 5 });
    const why =
      /its value, decoded by sr-orders-value v1 \(id \d+, AVRO com\.acme\.Order\), has \$\.qty = 5, not 6: \{"id":"x-1","qty":5\}/;
    assert.match(results[1].reason ?? '', why);

    await vscode.workspace.openTextDocument(file); // CodeLens are asked for open documents only
    const title = await waitFor('expectation lenses', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file, 10);
      return all.map((l) => l.command?.title ?? '').find((t) => t.startsWith('$(error) wrong qty'));
    });
    // The lens title is cut to fit; its hover and the Collections view's tooltip have the whole reason.
    assert.match(title, /first: its value, decoded by/);
    const { tree } = (await api()).collections;
    const root = (await tree.getChildren()).find((n) => n.uri.fsPath === file.fsPath)!;
    const [message] = (await tree.getChildren(root)) as Extract<CollectionNode, { kind: 'collectionMessage' }>[];
    assert.match(String(tree.getTreeItem(message).tooltip), why);
  });
});
