import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Collection } from '../../extension/core/collections/model';
import { loadCollectionFile } from '../../extension/core/collections/load';
import { parseCollectionText, requireValid } from '../../extension/core/collections/parse';
import { MessagePreparer } from '../../extension/core/collections/prepare';
import { plannedRecords } from '../../extension/core/collections/reporters';
import { TemplateEngine } from '../../extension/core/collections/template';
import type { ProducerRecord } from '../../extension/core/engine/types';
import { collect, tempDirEachTest } from './collections-test-helpers';

/** Every record a message yields until its data file stops it, and the error that stopped it. */
async function readUntilError(dir: string, value: unknown): Promise<{ records: ProducerRecord[]; error?: Error }> {
  const collection: Collection = { name: 'c', messages: [{ name: 'm', topic: 't', value }] };
  const prepared = await new MessagePreparer(new TemplateEngine(), { filePath: path.join(dir, 'c.kafka.json'), collection }).prepare(0);
  const records: ProducerRecord[] = [];
  try {
    for await (const r of prepared.records()) records.push(r);
    return { records };
  } catch (e) {
    return { records, error: e as Error };
  }
}

describe('collections: data files that go wrong part way', () => {
  let dir = '';
  tempDirEachTest('kw-data-', (d) => (dir = d));

  it('hands over every CSV row before a bad one, then names the bad row', async () => {
    const rows = Array.from({ length: 600 }, (_, i) => `k${i},v${i},0`);
    await fs.writeFile(path.join(dir, 'rows.csv'), ['key,value,partition', ...rows, 'kbad,vbad,abc'].join('\n') + '\n');
    const { records, error } = await readUntilError(dir, { file: 'rows.csv' });
    assert.equal(records.length, 600, 'the rows of the last, unfinished group are not dropped');
    assert.equal(records.at(-1)!.key, 'k599');
    assert.match(String(error?.message), /rows\.csv:602/);
  });

  it('refuses invalid base64 in a JSONL record line instead of sending garbage bytes', async () => {
    await fs.writeFile(path.join(dir, 'r.jsonl'), '{"key": {"base64": "AAE="}, "value": "ok"}\n{"key": {"base64": "hello world!"}, "value": "x"}\n');
    const { records, error } = await readUntilError(dir, { file: 'r.jsonl', lines: 'record' });
    assert.deepEqual(records.map((r) => r.key), [Buffer.from([0, 1])]);
    assert.match(String(error?.message), /r\.jsonl:2: key\.base64 must be base64 text/);
  });

  it('says a data file path that is a directory is not a file', async () => {
    await fs.mkdir(path.join(dir, 'dir.jsonl'));
    await assert.rejects(readUntilError(dir, { file: 'dir.jsonl' }), /data file dir\.jsonl is a directory, not a file/);
  });

  it('counts a message named twice in the plan twice, as the run sends it twice', () => {
    const collection: Collection = { name: 'c', messages: [{ name: 'slow', topic: 't', value: 'x', count: 20 }, { name: 'other', topic: 't', value: 'y' }] };
    assert.equal(plannedRecords(collection, ['slow', 'slow']), 40);
  });

  it('refuses a secret in a topic, directly or through a variable, in Problems and before sending', async () => {
    const secrets = async () => 's3cr3t';
    for (const [topic, variables] of [['t-{{$secret:TOKEN}}', {}], ['t-{{tenant}}', { tenant: '{{$secret:TOKEN}}' }]] as const) {
      const collection: Collection = { name: 'c', variables, messages: [{ name: 'm', topic, value: 'v {{$secret:TOKEN}}' }] };
      const loaded = { filePath: path.join(dir, 'c.kafka.json'), collection };
      const preparer = new MessagePreparer(new TemplateEngine({ secrets }), loaded);
      const problems = preparer.checkTemplates(0);
      assert.equal(problems.length, 1, 'only the topic: a secret in the value is fine');
      assert.match(problems[0].error.message, /\{\{\$secret:TOKEN\}\} is not allowed in a topic/);
      await assert.rejects(preparer.prepare(0), /is not allowed in a topic/);
    }
  });

  it('flags a topic that a variable makes invalid, in Problems and before sending', async () => {
    const collection: Collection = { name: 'c', variables: { t: 'a b' }, messages: [{ name: 'm', topic: '{{t}}', value: 'x' }] };
    const preparer = new MessagePreparer(new TemplateEngine(), { filePath: path.join(dir, 'c.kafka.json'), collection });
    assert.deepEqual(preparer.checkTemplates(0).map((p) => p.error.detail), ["topic name 'a b' has characters Kafka does not allow; use only letters, digits, '.', '_' and '-'"]);
    await assert.rejects(preparer.prepare(0), /messages\[0\]\.topic: topic name 'a b' has characters Kafka does not allow/);
  });

  it('stops at the first CSV line that is not UTF-8, naming it, instead of sending replacement characters', async () => {
    await fs.writeFile(path.join(dir, 'latin.csv'), Buffer.concat([Buffer.from('key,value\nk1,ok\nk2,caf'), Buffer.from([0xe9]), Buffer.from('\nk3,fine\n')]));
    // The file is one read chunk, so the bytes are checked (and refused) before its first row is handed over.
    await assert.rejects(readUntilError(dir, { file: 'latin.csv' }), /latin\.csv:3: not valid UTF-8 text; save the file as UTF-8/);
  });

  it('counts lines across read chunks when a CSV line far into the file is not UTF-8', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `key-${i},value-${i}`).join('\n');
    await fs.writeFile(path.join(dir, 'big.csv'), Buffer.concat([Buffer.from(`key,value\n${rows}\nbad,`), Buffer.from([0xff]), Buffer.from('\n')]));
    const { records, error } = await readUntilError(dir, { file: 'big.csv' });
    assert.ok(records.length > 0 && records.length < 10_000, `the rows of earlier chunks went first (${records.length})`);
    assert.match(String(error?.message), /big\.csv:10002: not valid UTF-8 text/);
  });

  it('checks a CSV header before anything is sent', async () => {
    await fs.writeFile(path.join(dir, 'typo.csv'), 'key,valeu\nk,v\n');
    const collection: Collection = { name: 'c', messages: [{ name: 'm', topic: 't', value: { file: 'typo.csv' } }] };
    await assert.rejects(new MessagePreparer(new TemplateEngine(), { filePath: path.join(dir, 'c.kafka.json'), collection }).prepare(0), /typo\.csv:1: unknown column "valeu"/);
  });

  it('refuses a collection file that is not UTF-8, naming the line', async () => {
    const file = path.join(dir, 'latin.kafka.json');
    await fs.writeFile(file, Buffer.concat([Buffer.from('{"name": "x",\n"messages": [{"name": "m", "topic": "t", "value": "caf'), Buffer.from([0xe9]), Buffer.from('"}]}\n')]));
    await assert.rejects(loadCollectionFile(file), /latin\.kafka\.json:2: not valid UTF-8 text; save the collection file as UTF-8/);
  });

  it('writes a number variable into text as the file writes it (1.50 stays 1.50), and as a number in JSON', async () => {
    const text = '{\n  "name": "c",\n  "variables": { "f": 1.50, "e": 1e2 },\n  "messages": [\n    { "name": "m", "topic": "t", "key": "v{{f}}-{{e}}", "value": { "price": "{{f}}" } }\n  ]\n}\n';
    const doc = parseCollectionText(text, 'c.kafka.json');
    const loaded = { filePath: path.join(dir, 'c.kafka.json'), collection: requireValid(doc), source: doc.source };
    const [record] = await collect((await new MessagePreparer(new TemplateEngine(), loaded).prepare(0)).records());
    assert.equal(record.key, 'v1.50-1e2');
    assert.equal(record.value, '{"price":1.5}');
  });
});
