import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readCsv, readJsonl, type DataRecord } from '../../extension/core/collections/data-sources';
import {
  environmentConnection,
  loadCollectionFile,
  loadEnvironmentFile,
  parseVarFlags,
} from '../../extension/core/collections/load';
import { MessagePreparer } from '../../extension/core/collections/prepare';
import { envSecretResolver, TemplateEngine } from '../../extension/core/collections/template';
import type { Collection } from '../../extension/core/collections/model';
import type { ProducerRecord } from '../../extension/core/engine/types';
import { collect, tempDirEachTest } from './collections-test-helpers';

const fixtures = path.join(__dirname, '../fixtures/collections');

/** Data records with Buffer values shown as their UTF-8 text (JSONL value lines come as the bytes that were read). */
function asText(rows: DataRecord[]): DataRecord[] {
  return rows.map((r) => (Buffer.isBuffer(r.value) ? { ...r, value: r.value.toString('utf8') } : r));
}

describe('collections: data sources', () => {
  let dir = '';
  tempDirEachTest('kw-src-', (d) => (dir = d));

  it('reads JSONL lines as values sent as written, skipping blank lines and keeping line numbers', async () => {
    const rows = await collect(readJsonl(path.join(fixtures, 'data/orders.jsonl'), 'orders.jsonl'));
    assert.ok(Buffer.isBuffer(rows[0].value), 'a JSON value line is handed over as its bytes');
    assert.equal(typeof rows[2].value, 'string', 'a JSON string line is handed over as its text');
    assert.deepEqual(asText(rows), [
      { line: 1, value: '{"id": 1, "item": "book"}' },
      { line: 3, value: '{"id": 2, "item": "pen"}' },
      { line: 4, value: 'plain text line' },
    ]);
  });

  it('reads JSONL record objects with keys, base64, both header styles, partition and timestamp', async () => {
    const rows = await collect(readJsonl(path.join(fixtures, 'data/records.jsonl'), 'records.jsonl', 'record'));
    assert.deepEqual(rows, [
      { line: 1, key: 'k1', value: '{"id":1}', headers: [{ key: 'h', value: 'v' }], partition: 2 },
      {
        line: 2,
        key: Buffer.from([0, 1]),
        value: 'text',
        headers: [{ key: 'src', value: null }],
        timestamp: 1700000000000,
      },
      { line: 3, value: null },
    ]);
  });

  it('names the file and line of a JSONL line that is not JSON', async () => {
    const file = path.join(dir, 'bad.jsonl');
    await fs.writeFile(file, '{"ok":1}\n{"broken":\n');
    await assert.rejects(collect(readJsonl(file, 'bad.jsonl')), /^DataFileError: bad\.jsonl:2: not valid JSON/);
    await fs.writeFile(file, '{"value": 1, "colour": 2}\n');
    await assert.rejects(
      collect(readJsonl(file, 'bad.jsonl', 'record')),
      /bad\.jsonl:1: unknown field "colour"; a record line may have: key, value, headers, partition, timestamp/,
    );
  });

  it('reads CSV with key, value, header.NAME and partition columns; an empty cell means not set', async () => {
    const rows = await collect(readCsv(path.join(fixtures, 'data/orders.csv'), 'orders.csv'));
    assert.deepEqual(rows, [
      { line: 2, key: 'k1', value: '{"id":1}', headers: [{ key: 'source', value: 'csv' }], partition: 1 },
      { line: 3, value: 'a,b' },
      { line: 4, key: 'k3', value: '', headers: [{ key: 'source', value: 'x' }] },
    ]);
  });

  it('refuses an unknown CSV column and a bad partition cell, naming file and line', async () => {
    const file = path.join(dir, 'bad.csv');
    await fs.writeFile(file, 'key,valu\na,b\n');
    await assert.rejects(
      collect(readCsv(file, 'bad.csv')),
      /bad\.csv:1: unknown column "valu"; columns are key, value, partition, timestamp and header\.NAME/,
    );
    await fs.writeFile(file, 'key,value,partition\na,b,x\n');
    await assert.rejects(
      collect(readCsv(file, 'bad.csv')),
      /bad\.csv:2: partition must be a whole number >= 0 \(got "x"\)/,
    );
  });

  it('streams a 200k-line JSONL file with flat memory', async function () {
    this.timeout(30000);
    const file = path.join(dir, 'big.jsonl');
    const line = JSON.stringify({ id: 0, payload: 'x'.repeat(200) }) + '\n';
    await fs.writeFile(file, line.repeat(200_000));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let peak = 0;
    for await (const row of readJsonl(file, 'big.jsonl')) {
      count++;
      if (count % 20000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      assert.ok(row.value);
    }
    assert.equal(count, 200_000);
    // The file is ~44 MB; holding it would grow the heap by far more than this.
    assert.ok(peak < 30 * 1024 * 1024, `heap grew by ${Math.round(peak / 1e6)} MB`);
  });

  it('reads every kind of value line the same across chunk boundaries: CRLF, blanks, strings, odd spaces, a BOM', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    const kinds = [
      '{"id":N,"s":"a\\"b"}',
      '  [N, {"x": null}]\r',
      '"text N"',
      'N',
      '',
      '\u00a0{"nbsp":N}',
      '{"é":"N"}\t',
      'true',
      ' \r',
    ];
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 700_000; i++)
      size += lines[lines.push(kinds[i % kinds.length].replace('N', String(i))) - 1].length + 1;
    await fs.writeFile(file, '\ufeff' + lines.join('\n'));
    const expected: DataRecord[] = [];
    lines.forEach((raw, i) => {
      const text = raw.trim();
      if (text === '') return;
      const parsed = JSON.parse(text);
      expected.push({ line: i + 1, value: typeof parsed === 'string' ? parsed : text });
    });
    assert.deepEqual(asText(await collect(readJsonl(file, 'mixed.jsonl'))), expected);
  });

  it('reads lines longer than a read chunk, and multi-byte characters cut by a chunk boundary', async () => {
    const file = path.join(dir, 'long.jsonl');
    const lines = [
      JSON.stringify({ big: 'é'.repeat(150_000) }),
      '{"small":1}',
      JSON.stringify({ big: 'ж€'.repeat(50_000) }),
      ...Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, s: '€'.repeat(i % 50) })),
    ];
    await fs.writeFile(file, lines.join('\n'));
    const rows = asText(await collect(readJsonl(file, 'long.jsonl')));
    assert.deepEqual(
      rows.map((r) => r.value),
      lines,
    );
    assert.deepEqual(
      rows.map((r) => r.line),
      lines.map((_, i) => i + 1),
    );
  });

  it('names the line that is not valid UTF-8 instead of sending replacement characters', async () => {
    const file = path.join(dir, 'latin1.jsonl');
    const good = Array.from({ length: 3000 }, (_, i) => Buffer.from(JSON.stringify({ i }) + '\n'));
    await fs.writeFile(
      file,
      Buffer.concat([...good, Buffer.from('{"name":"Zo'), Buffer.from([0xeb]), Buffer.from('"}\n{"i":1}\n')]),
    );
    const seen: DataRecord[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of readJsonl(file, 'latin1.jsonl')) seen.push(r);
      })(),
      /^DataFileError: latin1\.jsonl:3001: not valid UTF-8 text; save the file as UTF-8/,
    );
    assert.equal(seen.length, 3000);
  });

  it('names the line of bad JSON deep in a big file, after sending the lines before it', async () => {
    const file = path.join(dir, 'late.jsonl');
    const good = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ id: i, pad: 'p'.repeat(20) }));
    await fs.writeFile(file, [...good, '{"id": 1,}', '{"id": 2}'].join('\n') + '\n');
    const seen: DataRecord[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of readJsonl(file, 'late.jsonl')) seen.push(r);
      })(),
      /^DataFileError: late\.jsonl:30001: not valid JSON/,
    );
    assert.equal(seen.length, 30_000);
    assert.deepEqual(asText([seen[29_999]]), [{ line: 30_000, value: good[29_999] }]);
  });

  it('stops reading when the signal is aborted', async () => {
    const file = path.join(dir, 'n.jsonl');
    await fs.writeFile(file, '1\n2\n3\n4\n');
    const ac = new AbortController();
    const seen: DataRecord[] = [];
    for await (const r of readJsonl(file, 'n.jsonl', 'value', ac.signal)) {
      seen.push(r);
      if (seen.length === 2) ac.abort();
    }
    assert.equal(seen.length, 2);
  });
});

describe('collections: preparing messages into records', () => {
  async function recordsOf(
    name: string,
    opts: { seed?: number; env?: boolean; vars?: Record<string, string> } = {},
  ): Promise<ProducerRecord[]> {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    const env = opts.env ? await loadEnvironmentFile(path.join(fixtures, 'dev.kafka-env.json')) : undefined;
    const preparer = new MessagePreparer(new TemplateEngine({ seed: opts.seed ?? 1 }), loaded, env, opts.vars);
    const [index] = preparer.select([name]);
    const prepared = await preparer.prepare(index);
    return collect(prepared.records());
  }

  it('renders count records with $seq keys, templated JSON values and headers in order', async () => {
    const records = await recordsOf('new order');
    assert.equal(records.length, 3);
    assert.deepEqual(
      records.map((r) => r.key),
      ['order-0', 'order-1', 'order-2'],
    );
    const value = JSON.parse(records[0].value as string);
    assert.deepEqual(Object.keys(value), ['id', 'region', 'customer', 'qty']);
    assert.equal(value.region, 'eu');
    assert.equal(value.qty, 2);
    assert.deepEqual(
      records[0].headers!.map((h) => h.key),
      ['source', 'trace-id', 'bin'],
    );
    assert.deepEqual(records[0].headers![2].value, Buffer.from([0, 1]));
    assert.notEqual(records[0].headers![1].value, records[1].headers![1].value);
    assert.equal(records[0].partition, undefined);
  });

  it("renders the same template text by each message's own variables (templates are remembered by text only when they name none)", async () => {
    const collection: Collection = {
      name: 'c',
      variables: { who: 'collection' },
      messages: [
        { name: 'a', topic: 't', value: '{{who}} {{$seq}} {{$randomInt 1 1}}', variables: { who: 'a' } },
        { name: 'b', topic: 't', value: '{{who}} {{$seq}} {{$randomInt 1 1}}', variables: { who: 'b' } },
        { name: 'c', topic: 't', value: '{{who}} {{$seq}} {{$randomInt 1 1}}' },
        { name: 'd', topic: 't', value: { n: '{{$randomInt 7 7}}', s: '{{$seq}}', t: 'id-{{$seq}}' }, count: 2 },
        { name: 'e', topic: 't', value: { n: '{{$randomInt 7 7}}', s: '{{$seq}}', t: 'id-{{$seq}}' } },
        // The same text inside JSON values, naming each message's own variable: never shared between them.
        { name: 'f', topic: 't', value: { w: '{{who}}-{{$seq}}' }, variables: { who: 'f' } },
        { name: 'g', topic: 't', value: { w: '{{who}}-{{$seq}}' }, variables: { who: 'g' } },
      ],
    };
    const preparer = new MessagePreparer(new TemplateEngine(), { filePath: '/tmp/c.kafka.json', collection });
    const values: unknown[] = [];
    for (const i of preparer.select([]))
      for (const r of await collect((await preparer.prepare(i)).records())) values.push(r.value);
    assert.deepEqual(values, [
      'a 0 1',
      'b 0 1',
      'collection 0 1',
      '{"n":7,"s":0,"t":"id-0"}',
      '{"n":7,"s":1,"t":"id-1"}',
      '{"n":7,"s":0,"t":"id-0"}',
      '{"w":"f-0"}',
      '{"w":"g-0"}',
    ]);
  });

  it('produces the same records for the same seed', async () => {
    assert.deepEqual(await recordsOf('new order', { seed: 9 }), await recordsOf('new order', { seed: 9 }));
  });

  it('renders a JSON value whose templates are all variables (nothing per record), not its raw text', async () => {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    loaded.collection.messages[0].value = JSON.parse(
      '{"region": "{{region}}", "where": ["in {{region}}"], "__proto__": {"x": "{{region}}"}}',
    );
    loaded.collection.messages[0].headers = [];
    loaded.collection.messages[0].key = 'k';
    const [r] = await collect(
      (await new MessagePreparer(new TemplateEngine(), loaded, undefined).prepare(0)).records(),
    );
    assert.equal(
      r.value,
      '{"region":"eu","where":["in eu"],"__proto__":{"x":"eu"}}',
      'every key kept, "__proto__" too',
    );
  });

  it('keeps the type of a JSON string that is one template: numbers from $seq, $randomInt, faker and number variables', async () => {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    loaded.collection.variables = { region: 'eu', qty: 3, express: true, pick: '{{$randomInt 10 12}}', zip: '01234' };
    loaded.collection.messages[0].value = {
      seq: '{{$seq}}',
      at: '{{$timestamp}}',
      n: '{{$randomInt 1 5}}',
      int: '{{$faker.number.int}}',
      bool: '{{$faker.datatype.boolean}}',
      qty: '{{qty}}',
      express: '{{express}}',
      pick: '{{pick}}',
      zip: '{{zip}}',
      name: '{{$faker.person.firstName}}',
      text: 'n{{$seq}}',
      spaced: ' {{$seq}}',
      uuid: '{{$uuid}}',
      nested: [{ deep: '{{ $seq }}' }],
    };
    const records = await collect(
      (await new MessagePreparer(new TemplateEngine({ seed: 3 }), loaded, undefined).prepare(0)).records(),
    );
    const values = records.map((r) => JSON.parse(r.value as string));
    assert.deepEqual(
      values.map((v) => v.seq),
      [0, 1, 2],
    );
    const v = values[1];
    assert.equal(typeof v.at, 'number');
    assert.ok(Number.isInteger(v.n) && v.n >= 1 && v.n <= 5);
    assert.equal(typeof v.int, 'number');
    assert.equal(typeof v.bool, 'boolean');
    assert.deepEqual([v.qty, v.express], [3, true]);
    assert.ok(
      Number.isInteger(v.pick) && v.pick >= 10 && v.pick <= 12,
      'a variable that is one typed template passes the type on',
    );
    assert.equal(v.zip, '01234', 'a string variable stays a string');
    assert.equal(typeof v.name, 'string');
    assert.deepEqual([v.text, v.spaced, v.nested[0].deep], ['n1', ' 1', 1], 'text around a template makes a string');
    assert.match(v.uuid, /^[0-9a-f-]{36}$/);
    // Keys and headers are bytes: the same template there is text.
    loaded.collection.messages[0].key = '{{$seq}}';
    const [first] = await collect(
      (await new MessagePreparer(new TemplateEngine(), loaded, undefined).prepare(0)).records(),
    );
    assert.equal(first.key, '0');
  });

  it('takes the collection variable before the environment one, and the environment before --var', async () => {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    const env = await loadEnvironmentFile(path.join(fixtures, 'dev.kafka-env.json'));
    loaded.collection.messages[0].value = '{{region}}/{{tenant}}/{{build}}';
    const preparer = new MessagePreparer(new TemplateEngine(), loaded, env, {
      region: 'cli',
      tenant: 'cli',
      build: '42',
    });
    const [r] = await collect((await preparer.prepare(0)).records());
    assert.equal(r.value, 'eu/acme/42');
  });

  it('fills data-file records with the message key and headers where the line has none', async () => {
    const jsonl = await recordsOf('from jsonl');
    assert.deepEqual(
      jsonl.map((r) => [r.key, Buffer.isBuffer(r.value) ? r.value.toString() : r.value]),
      [
        ['fixed', '{"id": 1, "item": "book"}'],
        ['fixed', '{"id": 2, "item": "pen"}'],
        ['fixed', 'plain text line'],
      ],
    );
    const csv = await recordsOf('from csv');
    assert.deepEqual(
      csv.map((r) => [r.key, r.partition, r.headers]),
      [
        [
          'k1',
          1,
          [
            { key: 'kind', value: 'csv' },
            { key: 'source', value: 'csv' },
          ],
        ],
        ['default-key', undefined, [{ key: 'kind', value: 'csv' }]],
        [
          'k3',
          undefined,
          [
            { key: 'kind', value: 'csv' },
            { key: 'source', value: 'x' },
          ],
        ],
      ],
    );
  });

  it('stops a data file at count records', async () => {
    const records = await recordsOf('record lines');
    assert.equal(records.length, 2);
    assert.deepEqual(records[1].key, Buffer.from([0, 1]));
  });

  it('refuses an unknown message name, listing the ones that exist', async () => {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    const preparer = new MessagePreparer(new TemplateEngine(), loaded);
    assert.throws(
      () => preparer.select(['nope']),
      /orders\.kafka\.json has no message named "nope"; messages: "new order", "from jsonl"/,
    );
  });

  it('fails before sending when a template names an unknown variable, pointing at its line', async () => {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    loaded.collection.messages[0].key = '{{customer}}';
    const preparer = new MessagePreparer(new TemplateEngine(), loaded);
    await assert.rejects(
      preparer.prepare(0),
      /^TemplateError: orders\.kafka\.json:10:14: message "new order" messages\[0\]\.key: unknown variable \{\{customer\}\}; known variables: region/,
    );
  });

  it('refuses a missing data file, naming where it looked', async () => {
    const loaded = await loadCollectionFile(path.join(fixtures, 'orders.kafka.json'));
    loaded.collection.messages[1].value = { file: 'data/missing.jsonl' };
    await assert.rejects(
      new MessagePreparer(new TemplateEngine(), loaded).prepare(1),
      /message "from jsonl" messages\[1\]\.value\.file: data file data\/missing\.jsonl not found/,
    );
  });

  it('builds a connection from an environment, with --bootstrap overriding and the SASL password from a secret', async () => {
    const env = await loadEnvironmentFile(path.join(fixtures, 'dev.kafka-env.json'));
    assert.deepEqual(await environmentConnection(env, envSecretResolver({})), {
      brokers: ['127.0.0.1:9092'],
      clientId: 'workbench-test',
    });
    assert.deepEqual((await environmentConnection(env, envSecretResolver({}), 'a:1,b:2')).brokers, ['a:1', 'b:2']);
    env.environment.connection!.sasl = { mechanism: 'plain', username: 'u', password: '{{$secret:kafka-pw}}' };
    assert.deepEqual(
      (await environmentConnection(env, envSecretResolver({ KAFKA_WORKBENCH_SECRET_KAFKA_PW: 'pw' }))).sasl,
      { mechanism: 'plain', username: 'u', password: 'pw' },
    );
    await assert.rejects(
      environmentConnection(env, envSecretResolver({})),
      /SASL password secret "kafka-pw" is not set: set it with "Kafka: Set Collection Secret" in VS Code, or the environment variable KAFKA_WORKBENCH_SECRET_KAFKA_PW for the CLI/,
    );
    await assert.rejects(
      environmentConnection(undefined, envSecretResolver({})),
      /no cluster to send to: pass --bootstrap HOST:PORT or --env FILE\.kafka-env\.json/,
    );
    assert.deepEqual(parseVarFlags(['a=1', 'b=x=y']), { a: '1', b: 'x=y' });
    assert.throws(() => parseVarFlags(['=1']), /--var must be NAME=VALUE/);
  });

  it('accepts SASL mechanisms as Kafka spells them (PLAIN, SCRAM-SHA-256)', async () => {
    const env = await loadEnvironmentFile(path.join(fixtures, 'dev.kafka-env.json'));
    env.environment.connection!.sasl = { mechanism: 'SCRAM-SHA-256', username: 'u', password: '{{$secret:pw}}' };
    assert.equal((await environmentConnection(env, async () => 'secret')).sasl?.mechanism, 'scram-sha-256');
  });

  it('reads a comma-separated bootstrap string in an environment, and names the file when an address is wrong', async () => {
    const env = await loadEnvironmentFile(path.join(fixtures, 'dev.kafka-env.json'));
    env.environment.connection!.bootstrap = 'h1:9092, h2:9093,[::1]:9094';
    assert.deepEqual((await environmentConnection(env, envSecretResolver({}))).brokers, [
      'h1:9092',
      'h2:9093',
      '[::1]:9094',
    ]);
    env.environment.connection!.bootstrap = ['h1:9092', 'localhost'];
    await assert.rejects(
      environmentConnection(env, envSecretResolver({})),
      /dev\.kafka-env\.json connection\.bootstrap: 'localhost' is not HOST:PORT \(IPv6 as \[HOST\]:PORT\), for example 127\.0\.0\.1:9092/,
    );
    await assert.rejects(
      environmentConnection(env, envSecretResolver({}), 'h:70000'),
      /--bootstrap: 'h:70000': the port must be from 1 to 65535/,
    );
  });
});

describe('collections: reading collection and environment files', () => {
  let dir = '';
  tempDirEachTest('kw-load-', (d) => (dir = d));

  it('reads files that start with a UTF-8 byte order mark, with error columns as the editor shows them', async () => {
    const collection = path.join(dir, 'c.kafka.json');
    await fs.writeFile(collection, '\uFEFF{"name":"x","messages":[{"name":"a","topic":"t"}]}');
    assert.deepEqual(
      (await loadCollectionFile(collection)).collection.messages.map((m) => m.name),
      ['a'],
    );
    const env = path.join(dir, 'e.kafka-env.json');
    await fs.writeFile(env, '\uFEFF{"variables":{"a":"b"}}');
    assert.deepEqual((await loadEnvironmentFile(env)).environment.variables, { a: 'b' });
    await fs.writeFile(collection, '\uFEFF{"name":5,"messages":[]}');
    await assert.rejects(loadCollectionFile(collection), /^DocumentError: c\.kafka\.json:1:9: name: /);
  });
});

describe('collections: --var flags', () => {
  it('keeps every name as a variable, __proto__ and constructor too, and the last of a repeated name', () => {
    const vars = parseVarFlags(['__proto__=x', 'constructor=y', 'a=1', 'a=2']);
    assert.deepEqual(Object.entries(vars), [
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['a', '2'],
    ]);
    const engine = new TemplateEngine();
    const compiled = engine.compile('{{__proto__}}-{{constructor}}', [{ label: '--var', variables: vars }], {
      fileName: 'c.kafka.json',
      path: [],
    });
    assert.equal(compiled.constant, 'x-y');
  });
});
