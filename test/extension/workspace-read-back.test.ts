/** Reading a sent record back in real VS Code, against the embedded sandbox: as stored, compared with what was sent. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StoredRecordView } from '../../extension/core/consume/read-back';
import { api } from './workspace-helpers';

describe('Read back and expect: a sent record read back in VS Code', () => {
  before(async () => {
    await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
  });

  it('fetches an acknowledged record at its partition and offset and says it is stored byte for byte as sent', async () => {
    const md = await vscode.commands.executeCommand<{ recordId: string; partition: number; offset: number }>(
      'kafkaWorkbench.producer.send',
      { topic: 'read-back', key: 'rb-1', value: 'é stored as sent', headers: [{ key: 'h', value: 'v1' }] },
      { 'compression.type': 'gzip' },
      { createTopics: true },
    );
    const view = await vscode.commands.executeCommand<StoredRecordView>(
      'kafkaWorkbench.results.readBack',
      md.recordId,
      { show: false },
    );
    assert.deepEqual([view.topic, view.partition, view.offset], ['read-back', md.partition, md.offset]);
    assert.equal(view.key, 'rb-1');
    assert.equal(view.value, 'é stored as sent');
    assert.deepEqual(view.headers, [{ key: 'h', value: 'v1' }]);
    assert.equal(view.batch.compression, 'gzip');
    assert.ok(view.batch.producerId >= 0, "the idempotent producer's id is in the stored batch");
    assert.ok(view.sequence >= 0);
    assert.deepEqual(view.comparison, { identical: true, differences: [] });
    assert.ok(
      view.read.some((line) => /^Fetch \(read_uncommitted\) to broker \d+/.test(line)),
      view.read.join('\n'),
    );
  });

  it('refuses a record that has no offset, saying why', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.results.readBack', 'no-such-record', { show: false }),
      ),
      /No result for record no-such-record/,
    );
  });
});
