import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DocumentError,
  formatDiagnostic,
  parseCollectionText,
  parseEnvironmentText,
  requireValid,
} from '../../extension/core/collections/parse';
import { templateDiagnostics } from '../../extension/core/collections/lint';
import {
  addMessageToCollectionFile,
  appendMessageText,
  formatJson,
  replaceMessageText,
  saveCollection,
  updateCollectionFile,
} from '../../extension/core/collections/save';
import { tempDirEachTest } from './collections-test-helpers';

const example = `{
  "name": "Orders",
  "variables": { "region": "eu" },
  "messages": [
    { "name": "new order", "topic": "orders", "key": "order-{{$seq}}",
      "value": { "id": "{{$uuid}}", "region": "{{region}}" },
      "headers": [["source", "workbench"], ["trace-id", "{{$uuid}}"]],
      "partition": null, "count": 100, "ratePerSecond": 50,
      "producer": { "acks": "all", "linger.ms": 5 } },
    { "name": "from file", "topic": "orders", "value": { "file": "data/orders.jsonl" } }
  ]
}
`;

function errorsOf(text: string): string[] {
  return parseCollectionText(text, 'c.kafka.json').diagnostics.map((d) => formatDiagnostic('c.kafka.json', d));
}

describe('collections: parsing and schema errors', () => {
  it('reads the issue example into the model with every field', () => {
    const doc = parseCollectionText(example, 'orders.kafka.json');
    assert.deepEqual(doc.diagnostics, []);
    const c = requireValid(doc);
    assert.equal(c.name, 'Orders');
    assert.deepEqual(c.variables, { region: 'eu' });
    assert.equal(c.messages[0].count, 100);
    assert.deepEqual(c.messages[0].headers, [
      ['source', 'workbench'],
      ['trace-id', '{{$uuid}}'],
    ]);
    assert.deepEqual(c.messages[1].value, { file: 'data/orders.jsonl' });
  });

  it('gives each message a source range starting on its own line, for CodeLens', () => {
    const doc = parseCollectionText(example, 'orders.kafka.json');
    assert.deepEqual(
      doc.messages.map((m) => [m.name, m.range.start.line, m.nameRange.start.line]),
      [
        ['new order', 4, 4],
        ['from file', 9, 9],
      ],
    );
  });

  it('names the file, JSON path, line and column and the expected type for a wrong type', () => {
    const text = '{\n  "name": "x",\n  "messages": [\n    { "name": "a", "topic": "t", "count": "ten" }\n  ]\n}\n';
    assert.deepEqual(errorsOf(text), ['c.kafka.json:4:43: messages[0].count: must be a whole number ≥ 1 (got "ten")']);
  });

  it('lists the allowed properties when one is misspelled, pointing at the property name', () => {
    const text = '{"name":"x","messages":[{"name":"a","topic":"t","producer":{"lingr.ms":5}}]}';
    const [e] = errorsOf(text);
    assert.match(
      e,
      /^c\.kafka\.json:1:61: messages\[0\]\.producer\["lingr\.ms"\]: unknown property "lingr\.ms"; expected one of: acks, linger\.ms/,
    );
  });

  it('says once what a key may be instead of one error per union branch', () => {
    assert.deepEqual(errorsOf('{"name":"x","messages":[{"name":"a","topic":"t","key":5}]}'), [
      'c.kafka.json:1:55: messages[0].key: must be a string (templates allowed), null, or {"base64": "..."} for raw bytes (got 5)',
    ]);
  });

  it('reports the mistake inside a special value form, not the union around it', () => {
    assert.deepEqual(
      errorsOf('{"name":"x","messages":[{"name":"a","topic":"t","value":{"file":"a.jsonl","extra":1}}]}'),
      [
        'c.kafka.json:1:75: messages[0].value.extra: unknown property "extra"; expected one of: file, lines; a value with a "file" key is read as a data file: to send this object as it is, write {"json": {...}}',
      ],
    );
    assert.deepEqual(errorsOf('{"name":"x","messages":[{"name":"a","topic":"t","value":{"base64":"%%"}}]}'), [
      'c.kafka.json:1:67: messages[0].value.base64: must be base64 text (letters, digits, + and /, = padding) (got "%%"); a value with a "base64" key is read as raw bytes: to send this object as it is, write {"json": {...}}',
    ]);
  });

  it("words what a value must be from the schema's constraints, never from its descriptions (hover text)", () => {
    const field = (json: string) =>
      errorsOf(`{"name":"x","messages":[{"name":"a","topic":"t",${json}}]}`).map((e) =>
        e.replace(/^c\.kafka\.json:\d+:\d+: /, ''),
      );
    assert.deepEqual(field('"partition":"1"'), ['messages[0].partition: must be a whole number ≥ 0 or null (got "1")']);
    assert.deepEqual(field('"timestamp":1.5'), ['messages[0].timestamp: must be a whole number ≥ 0 or null (got 1.5)']);
    assert.deepEqual(
      field('"timestamp":-1.5'),
      ['messages[0].timestamp: must be a whole number ≥ 0 or null (got -1.5)'],
      'one problem, one error, though two keywords fail',
    );
    assert.deepEqual(field('"ratePerSecond":0'), ['messages[0].ratePerSecond: must be a number > 0 or null (got 0)']);
    assert.deepEqual(field('"headers":[["a"]]'), ['messages[0].headers[0]: must be a [name, value] pair (got ["a"])']);
    assert.deepEqual(field('"producer":{"acks":"x"}'), [
      'messages[0].producer.acks: must be "all", "-1", "0", "1", -1, 0 or 1 (got "x")',
    ]);
    assert.deepEqual(field('"value":{"file":"x.txt"}'), [
      'messages[0].value.file: must be the path of a .jsonl, .ndjson or .csv data file, relative to the collection file (got "x.txt"); a value with a "file" key is read as a data file: to send this object as it is, write {"json": {...}}',
    ]);
  });

  it('takes data file extensions in any case, as the runner does', () => {
    assert.deepEqual(
      errorsOf(
        '{"name":"x","messages":[{"name":"a","topic":"t","value":{"file":"x.CSV"}},{"name":"b","topic":"t","value":{"file":"y.JsonL"}}]}',
      ),
      [],
    );
  });

  it('points a payload that happens to have a "file" key at {"json": ...}', () => {
    const errors = errorsOf(
      '{"name":"x","messages":[{"name":"a","topic":"t","value":{"file":"report.pdf","size":5}}]}',
    );
    assert.deepEqual(
      errors.map((e) => e.split(': ')[1]),
      ['messages[0].value.file', 'messages[0].value.size'],
    );
    for (const e of errors)
      assert.match(
        e,
        /a value with a "file" key is read as a data file: to send this object as it is, write \{"json": \{\.\.\.\}\}$/,
      );
    assert.deepEqual(
      errorsOf('{"name":"x","messages":[{"name":"a","topic":"t","value":{"json":{"file":"report.pdf","size":5}}}]}'),
      [],
    );
  });

  it('reports a bad variable name once, on the name itself', () => {
    const text = '{"name":"x","variables":{"ok":1,"1x":"a"},"messages":[]}';
    const [d, ...more] = parseCollectionText(text, 'c.kafka.json').diagnostics;
    assert.deepEqual(more, []);
    assert.equal(text.slice(d.range.start.offset, d.range.end.offset), '"1x"');
    assert.deepEqual(d.path, ['variables', '1x']);
    assert.equal(d.message, 'name "1x" must start with a letter or _ and use only letters, digits, _ . and -');
    const env = parseEnvironmentText('{"variables":{"1x":"a"}}', 'e.kafka-env.json');
    assert.deepEqual(
      env.diagnostics.map((e) => e.path),
      [['variables', '1x']],
    );
  });

  it('accepts any other JSON value, and {"json": ...} to send an object that looks like a special form', () => {
    const doc = parseCollectionText(
      '{"name":"x","messages":[{"name":"a","topic":"t","value":[1,{"a":null}]},{"name":"b","topic":"t","value":{"json":{"file":"x"}}}]}',
      'c.kafka.json',
    );
    assert.deepEqual(doc.diagnostics, []);
  });

  it('reports missing required properties and broken JSON with a position', () => {
    assert.deepEqual(errorsOf('{"name":"x","messages":[{"name":"a"}]}'), [
      'c.kafka.json:1:25: messages[0]: missing required property "topic"',
    ]);
    assert.deepEqual(errorsOf('{"name":"x",\n "messages":[ {"name":"a" "topic":"t"}]}'), [
      "c.kafka.json:2:27: not valid JSON: expected ',' between items",
    ]);
    assert.deepEqual(errorsOf(''), ['c.kafka.json:1:1: the file is empty; expected a JSON object']);
  });

  it('reads text that starts with a byte order mark, keeping offsets into the text as given', () => {
    const text = '\uFEFF{"name":"x","messages":[{"name":"a","topic":"t"}]}';
    const doc = parseCollectionText(text, 'c.kafka.json');
    assert.deepEqual(doc.diagnostics, []);
    assert.equal(
      text.slice(doc.messages[0].range.start.offset, doc.messages[0].range.end.offset),
      '{"name":"a","topic":"t"}',
    );
    assert.deepEqual(parseEnvironmentText('\uFEFF{"variables":{"a":"b"}}', 'e.kafka-env.json').value, {
      variables: { a: 'b' },
    });
  });

  it('reports a value nested too deeply as a problem at the bracket, instead of overflowing the stack', () => {
    const deep = (levels: number) =>
      `{"name":"x","messages":[{"name":"a","topic":"t","value":${'['.repeat(levels)}"[{"${']'.repeat(levels)}}]}`;
    const [d, ...more] = parseCollectionText(deep(50_000), 'c.kafka.json').diagnostics;
    assert.deepEqual(more, []);
    assert.match(
      formatDiagnostic('c.kafka.json', d),
      /^c\.kafka\.json:1:1054: nested too deeply \(more than 1000 levels of objects and arrays\)/,
    );
    assert.deepEqual(
      parseEnvironmentText(
        '{"variables":' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_001),
        'e.kafka-env.json',
      ).diagnostics.map((e) => e.message.split(' (')[0]),
      ['nested too deeply'],
    );
    assert.deepEqual(
      parseCollectionText(deep(997), 'c.kafka.json').diagnostics,
      [],
      'as deep as the limit allows, brackets in strings not counted',
    );
  });

  it('refuses duplicate message names, since --message picks by name', () => {
    const [e] = errorsOf('{"name":"x","messages":[{"name":"a","topic":"t"},{"name":"a","topic":"u"}]}');
    assert.match(e, /messages\[1\]\.name: duplicate message name "a" \(also messages\[0\]\)/);
  });

  it('keeps message locations even when the document has errors, so CodeLens still shows', () => {
    const doc = parseCollectionText('{"name":"x","messages":[{"name":"a","topic":"t","count":0}]}', 'c.kafka.json');
    assert.equal(doc.value, undefined);
    assert.deepEqual(
      doc.messages.map((m) => m.name),
      ['a'],
    );
  });

  it('throws a one-line DocumentError that counts the other problems', () => {
    const doc = parseCollectionText(
      '{"name":"x","messages":[{"name":"a","topic":"t","count":0,"partition":-1}]}',
      'c.kafka.json',
    );
    assert.throws(
      () => requireValid(doc),
      (e: unknown) =>
        e instanceof DocumentError &&
        /c\.kafka\.json:1:\d+: .* \(and 1 more problem\)$/.test(e.message) &&
        !e.message.includes('\n'),
    );
  });

  it('refuses an environment password that is not a secret reference', () => {
    const bad = parseEnvironmentText(
      '{"connection":{"bootstrap":"b:9092","sasl":{"mechanism":"plain","username":"u","password":"hunter2"}}}',
      'e.kafka-env.json',
    );
    assert.equal(bad.value, undefined);
    assert.match(
      formatDiagnostic('e.kafka-env.json', bad.diagnostics[0]),
      /connection\.sasl\.password: must be a secret reference such as \{\{\$secret:KAFKA_PASSWORD\}\}/,
    );
    assert.throws(
      () => requireValid(bad),
      (e: unknown) => e instanceof DocumentError && !e.message.includes('hunter2'),
      'the password itself is never repeated (Problems, CI logs)',
    );
    const wrongType = parseEnvironmentText(
      '{"connection":{"bootstrap":"b:9092","sasl":{"mechanism":"plain","username":"u","password":1234567}}}',
      'e.kafka-env.json',
    );
    assert.ok(
      wrongType.diagnostics.length > 0 && wrongType.diagnostics.every((d) => !d.message.includes('1234567')),
      JSON.stringify(wrongType.diagnostics),
    );
    const good = parseEnvironmentText(
      '{"connection":{"bootstrap":["a:1","b:2"],"sasl":{"mechanism":"plain","username":"u","password":"{{$secret:PW}}"}},"variables":{"region":"us"}}',
      'e.kafka-env.json',
    );
    assert.deepEqual(good.diagnostics, []);
  });

  it('refuses a key repeated in any object (JSON.parse would keep only the last), naming both lines', () => {
    const topic = errorsOf('{"name":"x","messages":[{"name":"m","topic":"tp","topic":"tq","value":"v"}]}');
    assert.deepEqual(topic, [
      'c.kafka.json:1:50: messages[0]: duplicate key "topic" (also at line 1); JSON keeps only the last one, so remove one',
    ]);
    const inValue = errorsOf(
      '{\n"name": "x",\n"messages": [{"name": "m", "topic": "t",\n "value": {"id": 1,\n "id": 2}}]}',
    );
    assert.deepEqual(inValue, [
      'c.kafka.json:5:2: messages[0].value: duplicate key "id" (also at line 4); JSON keeps only the last one, so remove one',
    ]);
    const env = parseEnvironmentText(
      '{"connection":{"bootstrap":"a:1"},\n"variables":{"r":"eu","r":"us"}}',
      'e.kafka-env.json',
    );
    assert.equal(env.value, undefined);
    assert.deepEqual(
      env.diagnostics.map((d) => formatDiagnostic('e.kafka-env.json', d)),
      [
        'e.kafka-env.json:2:23: variables: duplicate key "r" (also at line 2); JSON keeps only the last one, so remove one',
      ],
    );
    const thrice = errorsOf('{"name":"x","name":"y","name":"z","messages":[]}');
    assert.equal(thrice.length, 2, 'each repeat after the first');
    assert.deepEqual(
      errorsOf('{"name":"x","messages":[{"name":"m","topic":"t","value":{"a":{"id":1},"b":{"id":2}}}]}'),
      [],
      'the same key in different objects is fine',
    );
  });

  it('still finds a repeated key and an inexact number behind strings that hold quotes, colons, braces, digits and backslashes (loading checks the text once, and builds the tree only to place a problem)', () => {
    const tricky = String.raw`"say \":{[1e400]}\" x", "path": "C:\\dir\\", "n": "12345678901234567890"`;
    assert.deepEqual(
      errorsOf(`{"name":"x","messages":[{"name":"m","topic":"t","value":{"s": ${tricky}}}]}`),
      [],
      'look-alikes inside strings are not problems',
    );
    const repeated = `{"name":"x","messages":[{"name":"m","topic":"t","value":{"s": ${tricky}, "s": 1}}]}`;
    assert.deepEqual(errorsOf(repeated), [
      `c.kafka.json:1:${repeated.lastIndexOf('"s"') + 1}: messages[0].value: duplicate key "s" (also at line 1); JSON keeps only the last one, so remove one`,
    ]);
    const inexact = `{"name":"x","messages":[{"name":"m","topic":"t","value":{"s": ${tricky}, "big": 12345678901234567890}}]}`;
    assert.deepEqual(
      errorsOf(inexact).map((e) => e.replace(/ \(it is.*/, '')),
      [
        `c.kafka.json:1:${inexact.lastIndexOf('12345678901234567890') + 1}: messages[0].value.big: number 12345678901234567890 cannot be sent exactly`,
      ],
    );
  });
});

describe('collections: template problems for the editor', () => {
  it('lists every template problem of every message with its range, without the location prefix', () => {
    const text =
      '{\n  "name": "x",\n  "variables": { "region": "eu" },\n  "messages": [\n    { "name": "a", "topic": "t", "key": "{{regoin}}",\n      "value": { "who": "{{$faker.person.nope}}", "n": "{{$randomInt 3}}" } }\n  ]\n}\n';
    const doc = parseCollectionText(text, 'c.kafka.json');
    const problems = templateDiagnostics(doc, '/ws/c.kafka.json');
    assert.deepEqual(
      problems.map((p) => [p.path.join('.'), p.range.start.line, p.message.split(';')[0]]),
      [
        ['messages.0.key', 4, 'unknown variable {{regoin}}'],
        ['messages.0.value.who', 5, 'unknown faker path {{$faker.person.nope}}'],
        ['messages.0.value.n', 5, '{{$randomInt 3}} needs two whole numbers: {{$randomInt MIN MAX}}'],
      ],
    );
  });

  it('checks the templates of the messages a schema error elsewhere leaves intact', () => {
    const text =
      '{"name":"x","messages":[\n{"name":"a","topic":"t","value":"{{nobody}}"},\n{"name":"b","topic":"t","count":"ten","value":"{{nobody}}"}]}';
    const doc = parseCollectionText(text, 'c.kafka.json');
    assert.deepEqual(
      doc.diagnostics.map((d) => d.path.join('.')),
      ['messages.1.count'],
    );
    assert.deepEqual(
      templateDiagnostics(doc, '/ws/c.kafka.json').map((p) => [p.path.join('.'), p.range.start.line]),
      [['messages.0.value', 1]],
    );
    // Broken collection-wide fields (variables every message uses) or text that is not JSON: nothing to check.
    assert.deepEqual(
      templateDiagnostics(
        parseCollectionText(
          '{"name":"x","variables":[],"messages":[{"name":"a","topic":"t","value":"{{nobody}}"}]}',
          'c.kafka.json',
        ),
        '/ws/c.kafka.json',
      ),
      [],
    );
    assert.deepEqual(
      templateDiagnostics(
        parseCollectionText('{"name":"x","messages":[{"name":"a","topic":"t","value":"{{nobody}}"}]', 'c.kafka.json'),
        '/ws/c.kafka.json',
      ),
      [],
    );
  });

  it("knows the active environment's variables and reports nothing for a clean collection", () => {
    const doc = parseCollectionText(
      '{"name":"x","messages":[{"name":"a","topic":"t","value":"{{tenant}} {{$secret:tok}}"}]}',
      'c.kafka.json',
    );
    assert.equal(templateDiagnostics(doc, '/ws/c.kafka.json').length, 1);
    const env = { filePath: '/ws/dev.kafka-env.json', environment: { variables: { tenant: 'acme' } } };
    assert.deepEqual(templateDiagnostics(doc, '/ws/c.kafka.json', env), []);
  });
});

describe('collections: saving', () => {
  let dir = '';
  tempDirEachTest('kw-coll-', (d) => (dir = d));

  it('formats with key order kept, 2-space indent, header pairs on one line and a trailing newline', () => {
    const text = formatJson({ name: 'c', messages: [{ topic: 't', name: 'm', headers: [['a', 'b']] }] });
    assert.equal(
      text,
      '{\n  "name": "c",\n  "messages": [\n    {\n      "topic": "t",\n      "name": "m",\n      "headers": [\n        ["a", "b"]\n      ]\n    }\n  ]\n}\n',
    );
  });

  it('appends a message without touching the rest of the text', () => {
    const next = appendMessageText(example, { name: 'third', topic: 'x', value: 'v' });
    assert.ok(next.startsWith(example.slice(0, example.indexOf('"from file"'))));
    const doc = parseCollectionText(next, 'c.kafka.json');
    assert.deepEqual(
      doc.value?.messages.map((m) => m.name),
      ['new order', 'from file', 'third'],
    );
    assert.ok(next.endsWith('\n'));
  });

  it('replaces and removes one message by index', () => {
    const replaced = replaceMessageText(example, 1, { name: 'renamed', topic: 'y' });
    assert.deepEqual(
      parseCollectionText(replaced, 'c').value?.messages.map((m) => m.name),
      ['new order', 'renamed'],
    );
    const removed = replaceMessageText(example, 0, undefined);
    assert.deepEqual(
      parseCollectionText(removed, 'c').value?.messages.map((m) => m.name),
      ['from file'],
    );
  });

  it('creates a missing collection file when adding the first message, and leaves no temp files', async () => {
    const file = path.join(dir, 'new.kafka.json');
    await addMessageToCollectionFile(file, { name: 'm', topic: 't', value: { a: 1 } });
    const c = requireValid(parseCollectionText(await fs.readFile(file, 'utf8'), 'new.kafka.json'));
    assert.equal(c.name, 'new');
    assert.deepEqual(c.messages, [{ name: 'm', topic: 't', value: { a: 1 } }]);
    assert.deepEqual(await fs.readdir(dir), ['new.kafka.json']);
  });

  it('never overwrites a file that has errors, and never writes an invalid collection', async () => {
    const file = path.join(dir, 'broken.kafka.json');
    const broken = '{"name":"x","messages":[{"name":"a"}]}';
    await fs.writeFile(file, broken);
    await assert.rejects(
      addMessageToCollectionFile(file, { name: 'b', topic: 't' }),
      /not (changing|overwriting).*missing required property "topic"/,
    );
    await assert.rejects(
      saveCollection(file, { name: 'ok', messages: [] }),
      /not overwriting .*broken\.kafka\.json: it has errors/,
    );
    assert.equal(await fs.readFile(file, 'utf8'), broken);
    const good = path.join(dir, 'good.kafka.json');
    await saveCollection(good, { name: 'ok', messages: [] });
    await assert.rejects(
      updateCollectionFile(good, (t) => t.replace('"ok"', '5')),
      /would not be valid/,
    );
    assert.equal(await fs.readFile(good, 'utf8'), '{\n  "name": "ok",\n  "messages": []\n}\n');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['broken.kafka.json', 'good.kafka.json']);
  });
});
