import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importConfluentMessageFile } from '../../extension/core/collections/importers/confluent';
import { importToolsForKafkaFile } from '../../extension/core/collections/importers/tools-for-kafka';
import { parseCollectionText, requireValid } from '../../extension/core/collections/parse';
import { MessagePreparer } from '../../extension/core/collections/prepare';
import { formatJson } from '../../extension/core/collections/save';
import { TemplateEngine } from '../../extension/core/collections/template';
import { InvalidInputError } from '../../extension/core/util/errors';

const dir = path.join(__dirname, '../fixtures/collections/import');
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');

describe('collections: importers', () => {
  describe('Tools for Apache Kafka .kafka files', () => {
    const { collection, warnings } = importToolsForKafkaFile(read('producers.kafka'), 'producers.kafka');

    it('turns each PRODUCER block into a message and skips CONSUMER blocks and comments', () => {
      assert.equal(collection.name, 'producers');
      assert.deepEqual(
        collection.messages.map((m) => [m.name, m.topic]),
        [
          ['keyed-message', 'my-topic'],
          ['json-message', 'json-events'],
          ['producer 3', 'numbers'],
          ['keyed-message (2)', 'my-topic'],
        ],
      );
    });

    it('keeps key, headers and a text value, with faker templates mapped to ours', () => {
      const m = collection.messages[0];
      assert.equal(m.key, 'mykeyq');
      assert.deepEqual(m.headers, [
        ['header1', 'value1'],
        ['trace', '{{$faker.string.uuid}}'],
      ]);
      assert.equal(m.value, 'record content');
    });

    it("reads a JSON value as JSON, mapping old faker names (random.uuid, name.firstName) to today's", () => {
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

    it('warns with its line about a PRODUCER block that runs into the next one (no "###" between them: both were one message, without a word)', () => {
      const text =
        'PRODUCER first\ntopic: a\none\nPRODUCER second\ntopic: b\ntwo\n###\nPRODUCER third\ntopic: c\nthree\n';
      const { collection: c, warnings: w } = importToolsForKafkaFile(text, 'merged.kafka');
      assert.deepEqual(
        c.messages.map((m) => [m.name, m.value]),
        [
          ['first', 'one\nPRODUCER second\ntopic: b\ntwo'],
          ['third', 'three'],
        ],
        'sent as Tools for Apache Kafka sends it',
      );
      assert.deepEqual(w, [
        'merged.kafka:4: "PRODUCER second" is inside the PRODUCER block of line 1 (no "###" line before it), so it is sent as part of that block\'s value, as Tools for Apache Kafka sends it; add a "###" line before it to make it a message of its own',
      ]);
    });

    it('warns with its line about a "{{" that is never closed ({{random.uuid imported without a word, and the collection then refused to send it)', () => {
      const text =
        'PRODUCER open\ntopic: t\nkey: k-{{random.uuid\nheaders: h={{random.uuid}}\n{\n  "id": "{{random.uuid}}",\n  "name": "{{name.firstName"\n}\n###\n';
      const { collection: c, warnings: w } = importToolsForKafkaFile(text, 'open.kafka');
      assert.equal(c.messages[0].key, 'k-{{random.uuid');
      assert.deepEqual(w, [
        'open.kafka:3: "{{" is never closed ("{{random.uuid"); kept as written, but the message cannot be sent until it has its "}}"',
        'open.kafka:7: "{{" is never closed ("{{name.firstName\\""); kept as written, but the message cannot be sent until it has its "}}"',
      ]);
    });

    it('keeps a JSON value as text when a quoted template in it would turn from text into a number', () => {
      const text = 'PRODUCER quoted\ntopic: t\n{"n": "{{random.number}}", "id": "{{random.uuid}}"}\n\n###\n';
      const { collection: c } = importToolsForKafkaFile(text, 'quoted.kafka');
      assert.equal(
        c.messages[0].value,
        '{"n": "{{$randomInt 0 99999}}", "id": "{{$faker.string.uuid}}"}',
        'sent as the .kafka file sent it: "n" stays a string',
      );
    });

    it("maps random.number / datatype.number, with or without arguments, to $randomInt with faker 5's range", () => {
      const { collection: c, warnings: w } = importToolsForKafkaFile(read('legacy-calls.kafka'), 'legacy-calls.kafka');
      const m = c.messages[0];
      assert.equal(m.key, '{{$randomInt 0 5}}');
      assert.deepEqual(m.headers, [['n', '{{$randomInt 0 7}}']]);
      assert.equal(
        m.value,
        [
          '{',
          '  "a": {{$randomInt 0 5}},',
          '  "b": {{$randomInt 0 5}},',
          '  "c": {{$randomInt 0 99999}},',
          '  "d": {{$randomInt 0 99999}},',
          '  "e": {{$randomInt 10 20}},',
          '  "f": "{{$faker.string.alphanumeric(8)}}",',
          '  "g": "{{$faker.random.arrayElement}}"',
          '}',
        ].join('\n'),
      );
      assert.deepEqual(w, [
        'legacy-calls.kafka:11: {{random.alphaNumeric(8)}} passes arguments, which templates cannot; kept as {{$faker.string.alphanumeric(8)}}, fix it before sending',
        'legacy-calls.kafka:12: {{random.arrayElement}} is not a @faker-js/faker function; kept as {{$faker.random.arrayElement}}, fix it before sending',
      ]);
    });

    it('keeps other calls with arguments, warning with the line; a name that needs arguments is warned about too', () => {
      const text =
        'PRODUCER p\ntopic: t\n{{random.number(-5)}} {{random.number({"max": 9, "precision": 0.1})}} {{random.number(1e300)}}\n{{helpers.arrayElement}}\n';
      const { collection: c, warnings: w } = importToolsForKafkaFile(text, 'p.kafka');
      assert.equal(
        c.messages[0].value,
        '{{$faker.random.number(-5)}} {{$faker.random.number({"max": 9, "precision": 0.1})}} {{$faker.random.number(1e300)}}\n{{$faker.helpers.arrayElement}}',
      );
      assert.equal(w.length, 4);
      assert.match(w[0], /^p\.kafka:3: \{\{random\.number\(-5\)\}\} passes arguments, which templates cannot/);
      assert.equal(
        w[3],
        'p.kafka:4: {{helpers.arrayElement}} became {{$faker.helpers.arrayElement}}, which needs arguments that templates cannot pass; fix it before sending',
      );
    });

    it('gives repeated names the first free " (n)" that no other message has, so the collection loads', () => {
      const { collection: c } = importToolsForKafkaFile(read('duplicates.kafka'), 'duplicates.kafka');
      assert.deepEqual(
        c.messages.map((m) => [m.name, m.value]),
        [
          ['a', 'one'],
          ['a (3)', 'two'],
          ['a (2)', 'three'],
          ['a (4)', 'four'],
        ],
      );
    });

    it('reads a file that starts with a UTF-8 byte order mark, first PRODUCER block included', () => {
      const text = read('bom.kafka');
      assert.equal(text.charCodeAt(0), 0xfeff);
      const { collection: c } = importToolsForKafkaFile(text, 'bom.kafka');
      assert.deepEqual(
        c.messages.map((m) => [m.name, m.value]),
        [
          ['first', 'hello'],
          ['second', 'world'],
        ],
      );
    });

    it('keeps a JSON value as text when sending it as JSON would change a number (beyond 2^53, 1E400, 1e-400)', () => {
      const { collection: c } = importToolsForKafkaFile(read('big-numbers.kafka'), 'big-numbers.kafka');
      assert.deepEqual(
        c.messages.map((m) => m.value),
        [
          '{ "id": 12345678901234567890 }',
          '{ "x": 1E400 }',
          '{ "x": 1e-400 }',
          { price: 150, qty: 3, ratio: 0.25, id: '12345678901234567890', max: 9007199254740991 },
        ],
      );
    });

    it('treats names every object has (constructor, __proto__, toString) as unknown faker names, not Object.prototype', () => {
      for (const name of ['constructor', '__proto__', 'toString.x', 'hasOwnProperty']) {
        const { collection: c, warnings: w } = importToolsForKafkaFile(
          `PRODUCER p\ntopic: orders\n{{${name}}}\n###\n`,
          'x.kafka',
        );
        assert.equal(c.messages[0].value, `{{$faker.${name}}}`);
        assert.deepEqual(w, [
          `x.kafka:3: {{${name}}} is not a @faker-js/faker function; kept as {{$faker.${name}}}, fix it before sending`,
        ]);
      }
    });

    it('splits headers only at commas outside templates, so a call with JSON arguments stays one header', () => {
      const { collection: c, warnings: w } = importToolsForKafkaFile(
        'PRODUCER p\ntopic: t\nheaders: a={{random.number({"min":1,"max":5})}}, b=2, c=x{{random.uuid}}y\nv\n',
        'p.kafka',
      );
      assert.deepEqual(c.messages[0].headers, [
        ['a', '{{$randomInt 1 5}}'],
        ['b', '2'],
        ['c', 'x{{$faker.string.uuid}}y'],
      ]);
      assert.deepEqual(w, []);
    });

    it('leaves out a header without a name, naming the line', () => {
      const { collection: c, warnings: w } = importToolsForKafkaFile(
        'PRODUCER p\ntopic: t\nheaders: a=1,  =2, b=3\nv\n',
        'p.kafka',
      );
      assert.deepEqual(c.messages[0].headers, [
        ['a', '1'],
        ['b', '3'],
      ]);
      assert.deepEqual(w, ['p.kafka:3: header "=2" is not name=value; left out']);
    });

    it('produces a valid collection whose templates render', async () => {
      const text = formatJson(collection);
      const loaded = {
        filePath: '/tmp/producers.kafka.json',
        collection: requireValid(parseCollectionText(text, 'producers.kafka.json')),
      };
      const preparer = new MessagePreparer(new TemplateEngine({ seed: 3 }), loaded);
      const records = [];
      for await (const r of (await preparer.prepare(1)).records()) records.push(r);
      const value = JSON.parse(records[0].value as string);
      assert.match(value.id, /^[0-9a-f-]{36}$/);
      assert.match(value.who, /^\S+ \S+/);
    });
  });

  describe('Confluent for VS Code message files', () => {
    const { collection, warnings } = importConfluentMessageFile(
      read('confluent-messages.json'),
      'confluent-messages.json',
      { topic: 'users' },
    );

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
      assert.deepEqual(collection.messages[1].value, {
        base64: Buffer.from('plain {{not a template}}').toString('base64'),
      });
      assert.deepEqual(collection.messages[2].value, { json: { file: 'looks special' } });
      assert.deepEqual(warnings, [
        'confluent-messages.json: [2]: field "extra" is not imported (known: key, value, headers, partition_id, timestamp)',
      ]);
      assert.deepEqual(parseCollectionText(formatJson(collection), 'c.kafka.json').diagnostics, []);
    });

    it('keeps a key, value or header as the text written when JSON would change a number in it, with a warning', () => {
      const one = importConfluentMessageFile('{"key":"k","value":{"id":12345678901234567890}}', 'm.json', {
        topic: 'orders',
      });
      assert.equal(one.collection.messages[0].value, '{"id":12345678901234567890}');
      assert.deepEqual(one.warnings, [
        "m.json:1: message 1: the value's number 12345678901234567890 would change as JSON (to 12345678901234567000); kept as the text written, which is sent as is",
      ]);
      assert.deepEqual(parseCollectionText(formatJson(one.collection), 'c.kafka.json').diagnostics, []);

      const { collection: c, warnings: w } = importConfluentMessageFile(
        read('confluent-big-numbers.json'),
        'confluent-big-numbers.json',
        { topic: 't' },
      );
      assert.deepEqual(
        c.messages.map((m) => [m.key, m.value, m.headers]),
        [
          ['k', '{ "id": 12345678901234567890 }', undefined],
          [
            '{ "n": 1e400 }',
            { base64: Buffer.from('{ "y": 1e400, "t": "{{x}}" }').toString('base64') },
            [['h', '1e-400']],
          ],
          [undefined, '12345678901234567890', undefined],
          [undefined, { price: 150, max: 9007199254740991 }, undefined],
        ],
      );
      assert.deepEqual(w, [
        "confluent-big-numbers.json:2: message 1: the value's number 12345678901234567890 would change as JSON (to 12345678901234567000); kept as the text written, which is sent as is",
        "confluent-big-numbers.json:3: message 2: the key's number 1e400 would change as JSON (to null); kept as the text written, which is sent as is",
        "confluent-big-numbers.json:3: message 2: the value's number 1e400 would change as JSON (to null); kept as the text written, which is sent as is",
        'confluent-big-numbers.json:3: message 2: the header "h"\'s number 1e-400 would change as JSON (to 0); kept as the text written, which is sent as is',
        "confluent-big-numbers.json:4: message 3: the value's number 12345678901234567890 would change as JSON (to 12345678901234567000); kept as the text written, which is sent as is",
      ]);
    });

    it('refuses text that is not a message file, saying what was expected', () => {
      assert.throws(
        () => importConfluentMessageFile('{oops', 'm.json', { topic: 't' }),
        /m\.json: not valid JSON .*expected a message object or an array of them/,
      );
      assert.throws(
        () => importConfluentMessageFile('[1]', 'm.json', { topic: 't' }),
        /m\.json: \[0\]: expected a message object/,
      );
      assert.throws(
        () => importConfluentMessageFile('{"value":1,"partition_id":-1}', 'm.json', { topic: 't' }),
        /partition_id must be a whole number >= 0/,
      );
      assert.throws(
        () => importConfluentMessageFile('{"foo": 1, "bar": [1, 2]}', 'random.json', { topic: 't' }),
        /random\.json: not a Confluent message \(it has neither "key" nor "value", only "foo", "bar"\)/,
      );
    });

    it('reads a file that starts with a UTF-8 byte order mark', () => {
      const { collection: c } = importConfluentMessageFile(read('bom-confluent.json'), 'bom-confluent.json', {
        topic: 't',
      });
      assert.deepEqual(c.messages[0].value, { n: 1 });
    });

    it('refuses a header without a name, which a collection cannot hold, saying which and how to fix it', () => {
      const text = '[{"value": 1}, {"value": 2, "headers": [{"key": "ok", "value": "x"}, {"key": "", "value": "x"}]}]';
      assert.throws(
        () => importConfluentMessageFile(text, 'm.json', { topic: 't' }),
        (e: unknown) =>
          e instanceof InvalidInputError &&
          e.message ===
            'm.json: [1]: headers[1] needs a non-empty string "key" (got ""); give the header a name or remove it',
      );
      assert.throws(
        () => importConfluentMessageFile('{"value": "v", "headers": [{"value": "x"}]}', 'm.json', { topic: 't' }),
        /m\.json: headers\[0\] needs a non-empty string "key" \(got none\)/,
      );
    });
  });

  describe('every importer', () => {
    const fixtures = readdirSync(dir).filter((f) => f.endsWith('.kafka') || f.endsWith('.json'));

    for (const file of fixtures) {
      it(`writes a collection that loads without problems from ${file}`, () => {
        const { collection } = file.endsWith('.kafka')
          ? importToolsForKafkaFile(read(file), file)
          : importConfluentMessageFile(read(file), file, { topic: 'imported' });
        assert.deepEqual(parseCollectionText(formatJson(collection), 'imported.kafka.json').diagnostics, []);
      });
    }
  });
});
