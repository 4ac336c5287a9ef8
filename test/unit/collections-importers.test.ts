import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importConfluentMessageFile } from '../../extension/core/collections/importers/confluent';
import { importToolsForKafkaFile } from '../../extension/core/collections/importers/tools-for-kafka';
import { parseCollectionText, requireValid } from '../../extension/core/collections/parse';
import { MessagePreparer } from '../../extension/core/collections/prepare';
import { formatJson } from '../../extension/core/collections/save';
import { TemplateEngine } from '../../extension/core/collections/template';

const dir = path.join(__dirname, '../fixtures/collections/import');
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');

describe('collections: importers', () => {
  describe('Tools for Apache Kafka .kafka files', () => {
    const { collection, warnings } = importToolsForKafkaFile(read('producers.kafka'), 'producers.kafka');

    it('turns each PRODUCER block into a message and skips CONSUMER blocks and comments', () => {
      assert.equal(collection.name, 'producers');
      assert.deepEqual(collection.messages.map((m) => [m.name, m.topic]), [
        ['keyed-message', 'my-topic'],
        ['json-message', 'json-events'],
        ['producer 3', 'numbers'],
        ['keyed-message (2)', 'my-topic'],
      ]);
    });

    it('keeps key, headers and a text value, with faker templates mapped to ours', () => {
      const m = collection.messages[0];
      assert.equal(m.key, 'mykeyq');
      assert.deepEqual(m.headers, [['header1', 'value1'], ['trace', '{{$faker.string.uuid}}']]);
      assert.equal(m.value, 'record content');
    });

    it('reads a JSON value as JSON, mapping old faker names (random.uuid, name.firstName) to today\'s', () => {
      assert.deepEqual(collection.messages[1].value, {
        type: 'my_test_event',
        id: '{{$faker.string.uuid}}',
        who: '{{$faker.person.firstName}} {{$faker.person.lastName}}',
      });
    });

    it('keeps a value that is not JSON as written as text, and warns about what it cannot carry over', () => {
      assert.equal(collection.messages[2].value, '{"n": {{$faker.number.int}}, "bad": "{{$faker.nope.thing}}"}');
      assert.deepEqual(warnings, [
        'producers.kafka:27: key-format long is not supported; the key is sent as UTF-8 text',
        'producers.kafka:28: "every: 5s" (repeat forever) has no equivalent; use "count" and "ratePerSecond"',
        'producers.kafka:29: {{nope.thing}} is not a @faker-js/faker function; kept as {{$faker.nope.thing}}, fix it before sending',
      ]);
    });

    it('keeps a JSON value as text when a quoted template in it would turn from text into a number', () => {
      const text = 'PRODUCER quoted\ntopic: t\n{"n": "{{random.number}}", "id": "{{random.uuid}}"}\n\n###\n';
      const { collection: c } = importToolsForKafkaFile(text, 'quoted.kafka');
      assert.equal(c.messages[0].value, '{"n": "{{$faker.number.int}}", "id": "{{$faker.string.uuid}}"}', 'sent as the .kafka file sent it: "n" stays a string');
    });

    it('produces a valid collection whose templates render', async () => {
      const text = formatJson(collection);
      const loaded = { filePath: '/tmp/producers.kafka.json', collection: requireValid(parseCollectionText(text, 'producers.kafka.json')) };
      const preparer = new MessagePreparer(new TemplateEngine({ seed: 3 }), loaded);
      const records = [];
      for await (const r of (await preparer.prepare(1)).records()) records.push(r);
      const value = JSON.parse(records[0].value as string);
      assert.match(value.id, /^[0-9a-f-]{36}$/);
      assert.match(value.who, /^\S+ \S+/);
    });
  });

  describe('Confluent for VS Code message files', () => {
    const { collection, warnings } = importConfluentMessageFile(read('confluent-messages.json'), 'confluent-messages.json', { topic: 'users' });

    it('maps key, value, headers, partition_id and timestamp onto messages for the given topic', () => {
      assert.deepEqual(collection.messages[0], {
        name: 'message 1',
        topic: 'users',
        key: 'user-1',
        value: { name: 'Ada', age: 36 },
        headers: [['source', 'test']],
        partition: 2,
        timestamp: 1700000000000,
      });
      assert.equal(collection.messages[1].key, '{"id":7}');
      assert.equal(collection.messages[1].timestamp, Date.parse('2024-01-02T03:04:05.000Z'));
    });

    it('keeps data that looks like a template or a special form exactly, and warns about unknown fields', () => {
      assert.deepEqual(collection.messages[1].value, { base64: Buffer.from('plain {{not a template}}').toString('base64') });
      assert.deepEqual(collection.messages[2].value, { json: { file: 'looks special' } });
      assert.deepEqual(warnings, ['confluent-messages.json: [2]: field "extra" is not imported (known: key, value, headers, partition_id, timestamp)']);
      assert.deepEqual(parseCollectionText(formatJson(collection), 'c.kafka.json').diagnostics, []);
    });

    it('refuses text that is not a message file, saying what was expected', () => {
      assert.throws(() => importConfluentMessageFile('{oops', 'm.json', { topic: 't' }), /m\.json: not valid JSON .*expected a message object or an array of them/);
      assert.throws(() => importConfluentMessageFile('[1]', 'm.json', { topic: 't' }), /m\.json: \[0\]: expected a message object/);
      assert.throws(() => importConfluentMessageFile('{"value":1,"partition_id":-1}', 'm.json', { topic: 't' }), /partition_id must be a whole number >= 0/);
    });
  });
});
