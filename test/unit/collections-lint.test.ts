import assert from 'node:assert/strict';
import { templateDiagnostics } from '../../extension/core/collections/lint';
import { parseCollectionText, parseEnvironmentText } from '../../extension/core/collections/parse';

/** A collection with one message whose value is `value`, as the editor would lint it. */
function lintValue(value: unknown) {
  const doc = parseCollectionText(
    JSON.stringify({ name: 'x', messages: [{ name: 'a', topic: 't', value }] }, null, 2),
    'c.kafka.json',
  );
  assert.deepEqual(doc.diagnostics, []);
  return templateDiagnostics(doc, '/ws/c.kafka.json');
}

describe('collections: template problems in values', () => {
  it('checks templates in nested objects that have a "file", "json" or "base64" key: only the value itself is a special form', () => {
    const problems = lintValue({
      payload: { file: '{{nope}}', other: 1 },
      list: [{ json: '{{nope2}}' }],
      raw: { base64: '{{nope3}}' },
    });
    assert.deepEqual(
      problems.map((p) => [p.path.join('.'), p.message.split(';')[0]]),
      [
        ['messages.0.value.payload.file', 'unknown variable {{nope}}'],
        ['messages.0.value.list.0.json', 'unknown variable {{nope2}}'],
        ['messages.0.value.raw.base64', 'unknown variable {{nope3}}'],
      ],
    );
  });

  it("leaves the value's own special forms alone: their strings are sent without templates", () => {
    assert.deepEqual(lintValue({ json: { a: '{{nope}}' } }), []);
    assert.deepEqual(lintValue({ file: 'data/{{nope}}.jsonl' }), []);
  });
});

describe('collections: template problems in variables from elsewhere', () => {
  const collectionText =
    '{\n  "name": "x",\n  "messages": [\n    { "name": "a", "topic": "t", "value": "{{bad}}" }\n  ]\n}\n';
  const doc = parseCollectionText(collectionText, 'c.kafka.json');

  it('puts a bad environment variable on the field that uses it, naming the environment file and position', () => {
    const envText = '{\n  "variables": {\n    "a": "x",\n    "bad": "{{missing}}"\n  }\n}';
    const envDoc = parseEnvironmentText(envText, 'dev.kafka-env.json');
    const env = { filePath: '/ws/dev.kafka-env.json', environment: envDoc.value!, source: envDoc.source };
    const [problem, ...more] = templateDiagnostics(doc, '/ws/c.kafka.json', env);
    assert.deepEqual(more, []);
    assert.match(
      problem.message,
      /^variable \{\{bad\}\} from dev\.kafka-env\.json:4:12: unknown variable \{\{missing\}\}; known variables: a, bad\./,
    );
    assert.deepEqual(problem.path, ['messages', 0, 'value']);
    assert.equal(collectionText.slice(problem.range.start.offset, problem.range.end.offset), '"{{bad}}"');
  });

  it('says a bad --var came from --var, on the field that uses it', () => {
    const [problem] = templateDiagnostics(doc, '/ws/c.kafka.json', undefined, { bad: '{{zzz}}' });
    assert.match(problem.message, /^variable \{\{bad\}\} from --var bad: unknown variable \{\{zzz\}\}/);
    assert.deepEqual([problem.path, problem.range.start.line], [['messages', 0, 'value'], 3]);
  });

  it('keeps a bad collection variable where it is written, in this file', () => {
    const text =
      '{\n  "name": "x",\n  "variables": { "bad": "{{missing}}" },\n  "messages": [{ "name": "a", "topic": "t", "value": "{{bad}}" }]\n}\n';
    const [problem] = templateDiagnostics(parseCollectionText(text, 'c.kafka.json'), '/ws/c.kafka.json');
    assert.deepEqual([problem.path, problem.range.start.line], [['variables', 'bad'], 2]);
    assert.match(problem.message, /^unknown variable \{\{missing\}\}/);
  });
});

describe('collections: values that would not be sent as written', () => {
  it('refuses a literal topic name Kafka would refuse, as the send would', () => {
    const doc = parseCollectionText(
      '{"name":"x","messages":[{"name":"a","topic":"orders.v1 "},{"name":"b","topic":"orders-{{region}} "}]}',
      'c.kafka.json',
    );
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.path.join('.'), d.message]),
      [
        [
          'messages.0.topic',
          "topic name 'orders.v1 ' has characters Kafka does not allow; use only letters, digits, '.', '_' and '-'",
        ],
      ],
    );
    assert.equal(doc.value, undefined);
  });

  it('points at each number a double cannot hold in values and variables, and leaves numbers that only look different', () => {
    const text =
      '{"name":"x","variables":{"big":-9007199254740993},"messages":[{"name":"a","topic":"t","value":{"id":12345678901234567890,"n":1E400,"ok":[10.50,1e20,9007199254740991,0.0,-0],"tiny":1e-400,"raw":{"json":[2e308]}},"variables":{"fine":1.5}}]}';
    const doc = parseCollectionText(text, 'c.kafka.json');
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.path.join('.'), text.slice(d.range.start.offset, d.range.end.offset)]),
      [
        ['variables.big', '-9007199254740993'],
        ['messages.0.value.id', '12345678901234567890'],
        ['messages.0.value.n', '1E400'],
        ['messages.0.value.tiny', '1e-400'],
        ['messages.0.value.raw.json.0', '2e308'],
      ],
    );
    assert.equal(
      doc.diagnostics[1].message,
      'number 12345678901234567890 cannot be sent exactly (it is beyond 2^53); write the whole value as a string so its text is sent as written, or quote the number',
    );
    assert.match(
      doc.diagnostics[0].message,
      /^number -9007199254740993 cannot be sent exactly \(it is beyond 2\^53\); quote it/,
    );
    assert.match(
      doc.diagnostics[2].message,
      /\(it is beyond the largest number, about 1\.8e308, and would be sent as null\)/,
    );
    const env = parseEnvironmentText('{"variables":{"id":12345678901234567890}}', 'e.kafka-env.json');
    assert.deepEqual(
      env.diagnostics.map((d) => d.path.join('.')),
      ['variables.id'],
    );
  });
});

describe('collections: rule problems alongside schema problems', () => {
  it('reports a duplicate name and a bad topic in the same pass as a schema error elsewhere, not after it is fixed', () => {
    const text = JSON.stringify(
      {
        name: 'c',
        messages: [{ name: 'dup', value: 'x' }, { name: 'dup', topic: 'bad topic', value: 'y' }, 'not a message'],
      },
      null,
      2,
    );
    const problems = parseCollectionText(text, 'c.kafka.json').diagnostics.map(
      (d) => `${d.path.join('.')}: ${d.message.split(' (')[0]}`,
    );
    assert.deepEqual(problems, [
      'messages.0: missing required property "topic"',
      'messages.2: must be an object',
      'messages.1.name: duplicate message name "dup"',
      "messages.1.topic: topic name 'bad topic' has characters Kafka does not allow; use only letters, digits, '.', '_' and '-'",
    ]);
  });
});

describe('collections: environment rules', () => {
  it('flags a bootstrap address that is not HOST:PORT where it is written, as sending would refuse it', () => {
    const env = parseEnvironmentText(
      JSON.stringify({ connection: { bootstrap: ['ok:9092', 'x', 'h:70000'] } }, null, 2),
      'e.kafka-env.json',
    );
    assert.deepEqual(
      env.diagnostics.map((d) => `${d.path.join('.')}: ${d.message}`),
      [
        "connection.bootstrap.1: 'x' is not HOST:PORT (IPv6 as [HOST]:PORT), for example 127.0.0.1:9092",
        "connection.bootstrap.2: 'h:70000': the port must be from 1 to 65535",
      ],
    );
    const list = parseEnvironmentText('{"connection": {"bootstrap": "a:1, b"}}', 'e.kafka-env.json');
    assert.deepEqual(
      list.diagnostics.map((d) => d.message),
      ["'b' is not HOST:PORT (IPv6 as [HOST]:PORT), for example 127.0.0.1:9092"],
    );
  });
});
