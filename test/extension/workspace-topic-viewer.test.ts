/**
 * The topic viewer in real VS Code against the embedded sandbox: what the host posts to the webview when it opens a
 * topic, pages with Load more, changes formats, filters, tails, and what it exports.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ViewerState } from '../../extension/protocol/topic-viewer-messages';
import type { ExplorerNode } from '../../extension/host/explorer/cluster-tree';
import type { TopicViewerPanel } from '../../extension/host/topic-viewer/topic-viewer-panel';
import { api, waitFor, workspaceDir } from './workspace-helpers';

const TOPIC = 'viewer-paging';
const COUNT = 250;

function lastState(panel: TopicViewerPanel): ViewerState | undefined {
  for (let i = panel.posted.length - 1; i >= 0; i--) {
    const m = panel.posted[i]!;
    if (m.type === 'state') return m.state;
  }
  return undefined;
}

/** Waits until the webview was sent a settled state (nothing loading) that passes `ok`. */
function settled(
  panel: TopicViewerPanel,
  what: string,
  ok: (s: ViewerState) => boolean,
  timeoutMs?: number,
): Promise<ViewerState> {
  return waitFor(
    what,
    () => {
      const s = lastState(panel);
      return s && !s.loading && ok(s) ? s : undefined;
    },
    timeoutMs,
  );
}

describe('Topic viewer: browse a topic in VS Code', () => {
  let panel: TopicViewerPanel;

  before(async () => {
    await api();
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect', 'sandbox');
    await vscode.commands.executeCommand('kafkaWorkbench.topic.create', TOPIC, 1, 1);
    for (let i = 0; i < COUNT; i++) {
      await vscode.commands.executeCommand('kafkaWorkbench.producer.send', {
        topic: TOPIC,
        key: `k-${i}`,
        value: i === 7 ? 'a needle here' : JSON.stringify({ n: i }),
        headers: [{ key: 'parity', value: i % 2 ? 'odd' : 'even' }],
      });
    }
  });

  after(async () => {
    for (const p of [...(await api()).topicViewers().values()]) p.dispose();
  });

  it('opens on the topic from earliest and posts the first page of rows to the webview', async () => {
    const returned = await vscode.commands.executeCommand<TopicViewerPanel>('kafkaWorkbench.topic.view', TOPIC);
    panel = (await api()).topicViewers().get(TOPIC)!;
    assert.ok(panel, 'the viewer is open');
    assert.equal(returned, panel);
    // The new webview loads first (code-server under load in the full suite took over 20 s once).
    const s = await settled(panel, 'the first page', (x) => x.windowSize > 0, 50_000);
    assert.equal(s.rows.length, 200, 'one page');
    assert.deepEqual([s.rows[0]!.offset, s.rows[199]!.offset], [0, 199]);
    assert.equal(s.rows[0]!.key, 'k-0');
    assert.equal(s.rows[0]!.value, '{"n":0}');
    assert.deepEqual(s.rows[1]!.headers, [{ key: 'parity', value: 'odd' }]);
    assert.equal(s.positions, '0: 200');
  });

  it('Load more adds the next page, then says it is at the end', async () => {
    await panel.receive({ type: 'loadMore' });
    let s = await settled(panel, 'the second page', (x) => x.windowSize === COUNT);
    assert.equal(s.rows[COUNT - 1]!.offset, COUNT - 1);
    await panel.receive({ type: 'loadMore' });
    s = await settled(panel, 'the end', (x) => x.caughtUp);
    assert.equal(s.windowSize, COUNT, 'nothing read twice');
  });

  it('shows keys as hex and values as pretty JSON (text that is not JSON as it is)', async () => {
    await panel.receive({ type: 'format', keyFormat: 'hex', valueFormat: 'json' });
    const s = await settled(panel, 'hex keys', (x) => x.keyFormat === 'hex');
    assert.equal(s.rows[1]!.key, '6b 2d 31');
    assert.equal(s.rows[1]!.value, '{\n  "n": 1\n}');
    assert.equal(s.rows[7]!.value, 'a needle here');
    await panel.receive({ type: 'format', keyFormat: 'base64', valueFormat: 'text' });
    assert.equal(
      (await settled(panel, 'base64 keys', (x) => x.keyFormat === 'base64')).rows[1]!.key,
      Buffer.from('k-1').toString('base64'),
    );
    await panel.receive({ type: 'format', keyFormat: 'nonsense', valueFormat: 'text' });
    assert.equal(lastState(panel)!.keyFormat, 'base64', 'an invalid message changes nothing');
    await panel.receive({ type: 'format', keyFormat: 'text', valueFormat: 'text' });
  });

  it('filters over value and headers, ignoring case, and exports exactly the rows shown as JSONL', async () => {
    await panel.receive({ type: 'filter', text: 'NEEDLE' });
    let s = await settled(panel, 'the value filter', (x) => x.filter === 'NEEDLE');
    assert.deepEqual(
      s.rows.map((r) => r.offset),
      [7],
    );
    await panel.receive({ type: 'filter', text: 'odd' });
    s = await settled(panel, 'the header filter', (x) => x.filter === 'odd');
    assert.equal(s.rows.length, COUNT / 2);
    assert.ok(s.rows.every((r) => r.offset % 2 === 1));

    const target = vscode.Uri.file(path.join(workspaceDir(), 'viewer-export.jsonl'));
    const written = await panel.exportJsonl(target);
    assert.equal(written?.fsPath, target.fsPath);
    const lines = fs
      .readFileSync(target.fsPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, COUNT / 2);
    assert.deepEqual(lines[0], {
      topic: TOPIC,
      partition: 0,
      offset: 1,
      timestamp: lines[0].timestamp,
      timestampType: 'CreateTime',
      key: 'k-1',
      value: '{"n":1}',
      headers: [{ key: 'parity', value: 'odd' }],
    });
    assert.ok(panel.posted.some((m) => m.type === 'exported' && m.rows === COUNT / 2 && m.path === target.fsPath));
    await panel.receive({ type: 'filter', text: '' });
  });

  it('says the valid range for an offset out of range, and starts again at an offset in range', async () => {
    await panel.receive({ type: 'start', from: '9999' });
    let s = await settled(panel, 'the error', (x) => x.error !== null);
    assert.match(s.error!, /offset 9999 is out of range: viewer-paging-0 has offsets 0 to 249/);
    await panel.receive({ type: 'start', from: '240' });
    s = await settled(panel, 'a start at 240', (x) => x.from === '240' && x.windowSize > 0);
    assert.equal(s.error, null);
    assert.deepEqual(
      s.rows.map((r) => r.offset),
      [240, 241, 242, 243, 244, 245, 246, 247, 248, 249],
    );
  });

  it('opens one partition from its explorer node (whose menu offers the viewer) at latest and tails new records', async () => {
    const a = await api();
    await a.service.cluster(true);
    const [active] = (await a.clusterTree.getChildren()).filter((n) => n.kind === 'connection' && n.active);
    const topics = (await a.clusterTree.getChildren(active)).find((n) => n.kind === 'group' && n.group === 'topics')!;
    const topic = (await a.clusterTree.getChildren(topics)).find((n) => n.kind === 'topic' && n.topic.name === TOPIC)!;
    const partition = (await a.clusterTree.getChildren(topic)).find(
      (n): n is Extract<ExplorerNode, { kind: 'partition' }> => n.kind === 'partition' && n.partition.partition === 0,
    )!;
    const contextValue = String(a.clusterTree.getTreeItem(partition).contextValue);
    const manifest = vscode.extensions.getExtension('kafka-workbench.kafka-workbench')!.packageJSON as {
      contributes: { menus: { 'view/item/context': { command: string; when: string }[] } };
    };
    const entry = manifest.contributes.menus['view/item/context'].find(
      (m) => m.command === 'kafkaWorkbench.topic.view',
    )!;
    assert.ok(
      new RegExp(/viewItem =~ \/(.+)\//.exec(entry.when)![1]!).test(contextValue),
      `the menu of a '${contextValue}' offers the viewer`,
    );
    await vscode.commands.executeCommand('kafkaWorkbench.topic.view', partition, { from: 'latest' });
    const tailing = (await api()).topicViewers().get(`${TOPIC}/0`)!;
    await settled(tailing, 'the empty start at the end', (x) => x.partition === 0 && x.caughtUp);
    assert.equal(lastState(tailing)!.windowSize, 0);
    await tailing.receive({ type: 'tail', on: true });
    await vscode.commands.executeCommand('kafkaWorkbench.producer.send', {
      topic: TOPIC,
      key: 'tail-1',
      value: 'arrived while tailing',
    });
    const s = await settled(tailing, 'the tailed record', (x) => x.rows.some((r) => r.key === 'tail-1'));
    assert.deepEqual(
      s.rows.map((r) => [r.offset, r.value]),
      [[COUNT, 'arrived while tailing']],
    );
    await tailing.receive({ type: 'tail', on: false });
    await settled(tailing, 'tail off', (x) => !x.tail);
  });
});
