import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
  const prepared = await new MessagePreparer(new TemplateEngine(), {
    filePath: path.join(dir, 'c.kafka.json'),
    collection,
  }).prepare(0);
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
    await fs.writeFile(
      path.join(dir, 'r.jsonl'),
      '{"key": {"base64": "AAE="}, "value": "ok"}\n{"key": {"base64": "hello world!"}, "value": "x"}\n',
    );
    const { records, error } = await readUntilError(dir, { file: 'r.jsonl', lines: 'record' });
    assert.deepEqual(
      records.map((r) => r.key),
      [Buffer.from([0, 1])],
    );
    assert.match(String(error?.message), /r\.jsonl:2: key\.base64 must be base64 text/);
  });

  it('says a data file path that is a directory is a folder, not a regular file', async () => {
    await fs.mkdir(path.join(dir, 'dir.jsonl'));
    await assert.rejects(
      readUntilError(dir, { file: 'dir.jsonl' }),
      /data file dir\.jsonl is a folder, not a regular file/,
    );
  });

  it('names a data file that is a device (a link to /dev/null was called "a directory") or a named pipe as such', async function () {
    if (process.platform === 'win32') this.skip();
    await fs.symlink('/dev/null', path.join(dir, 'null.jsonl'));
    await assert.rejects(
      readUntilError(dir, { file: 'null.jsonl' }),
      /data file null\.jsonl is a device, not a regular file \(.*null\.jsonl\); point "file" at a \.jsonl or \.csv file/,
    );
    const fifo = spawnSync('mkfifo', [path.join(dir, 'pipe.csv')]);
    if (fifo.status !== 0) throw new Error(`mkfifo (coreutils) is needed for this test: ${fifo.stderr}`);
    await assert.rejects(
      readUntilError(dir, { file: 'pipe.csv' }),
      /data file pipe\.csv is a named pipe \(FIFO\), not a regular file/,
    );
  });

  it('refuses a CSV without a value column (key,partition rows went out as tombstones) before anything is read, naming its columns and the one it needs', async () => {
    await fs.writeFile(path.join(dir, 'keys.csv'), 'key,partition\nk1,0\nk2,1\n');
    const collection: Collection = { name: 'c', messages: [{ name: 'm', topic: 't', value: { file: 'keys.csv' } }] };
    await assert.rejects(
      new MessagePreparer(new TemplateEngine(), { filePath: path.join(dir, 'c.kafka.json'), collection }).prepare(0),
      (e: Error) => {
        assert.equal(
          e.message,
          'keys.csv:1: no "value" column (the columns are "key", "partition"); a CSV needs a value column, and may have key, partition, timestamp and header.NAME. To send tombstones (null values), use a .jsonl file with "lines": "record" and "value": null',
        );
        return true;
      },
    );
  });

  it('counts a message named twice in the plan twice, as the run sends it twice', () => {
    const collection: Collection = {
      name: 'c',
      messages: [
        { name: 'slow', topic: 't', value: 'x', count: 20 },
        { name: 'other', topic: 't', value: 'y' },
      ],
    };
    assert.equal(plannedRecords(collection, ['slow', 'slow']), 40);
  });

  it('refuses a secret in a topic, directly or through a variable, in Problems and before sending', async () => {
    const secrets = async () => 's3cr3t';
    for (const [topic, variables] of [
      ['t-{{$secret:TOKEN}}', {}],
      ['t-{{tenant}}', { tenant: '{{$secret:TOKEN}}' }],
    ] as const) {
      const collection: Collection = {
        name: 'c',
        variables,
        messages: [{ name: 'm', topic, value: 'v {{$secret:TOKEN}}' }],
      };
      const loaded = { filePath: path.join(dir, 'c.kafka.json'), collection };
      const preparer = new MessagePreparer(new TemplateEngine({ secrets }), loaded);
      const problems = preparer.checkTemplates(0);
      assert.equal(problems.length, 1, 'only the topic: a secret in the value is fine');
      assert.match(problems[0].error.message, /\{\{\$secret:TOKEN\}\} is not allowed in a topic/);
      await assert.rejects(preparer.prepare(0), /is not allowed in a topic/);
    }
  });

  it('flags a topic that a variable makes invalid, in Problems and before sending', async () => {
    const collection: Collection = {
      name: 'c',
      variables: { t: 'a b' },
      messages: [{ name: 'm', topic: '{{t}}', value: 'x' }],
    };
    const preparer = new MessagePreparer(new TemplateEngine(), {
      filePath: path.join(dir, 'c.kafka.json'),
      collection,
    });
    assert.deepEqual(
      preparer.checkTemplates(0).map((p) => p.error.detail),
      ["topic name 'a b' has characters Kafka does not allow; use only letters, digits, '.', '_' and '-'"],
    );
    await assert.rejects(
      preparer.prepare(0),
      /messages\[0\]\.topic: topic name 'a b' has characters Kafka does not allow/,
    );
  });

  it('stops at the first CSV line that is not UTF-8, naming it, instead of sending replacement characters', async () => {
    await fs.writeFile(
      path.join(dir, 'latin.csv'),
      Buffer.concat([Buffer.from('key,value\nk1,ok\nk2,caf'), Buffer.from([0xe9]), Buffer.from('\nk3,fine\n')]),
    );
    // The file is one read chunk, so the bytes are checked (and refused) before its first row is handed over.
    await assert.rejects(
      readUntilError(dir, { file: 'latin.csv' }),
      /latin\.csv:3: not valid UTF-8 text; save the file as UTF-8/,
    );
  });

  it('counts lines across read chunks when a CSV line far into the file is not UTF-8', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `key-${i},value-${i}`).join('\n');
    await fs.writeFile(
      path.join(dir, 'big.csv'),
      Buffer.concat([Buffer.from(`key,value\n${rows}\nbad,`), Buffer.from([0xff]), Buffer.from('\n')]),
    );
    const { records, error } = await readUntilError(dir, { file: 'big.csv' });
    assert.ok(
      records.length > 0 && records.length < 10_000,
      `the rows of earlier chunks went first (${records.length})`,
    );
    assert.match(String(error?.message), /big\.csv:10002: not valid UTF-8 text/);
  });

  it('checks a CSV header before anything is sent', async () => {
    await fs.writeFile(path.join(dir, 'typo.csv'), 'key,valeu\nk,v\n');
    const collection: Collection = { name: 'c', messages: [{ name: 'm', topic: 't', value: { file: 'typo.csv' } }] };
    await assert.rejects(
      new MessagePreparer(new TemplateEngine(), { filePath: path.join(dir, 'c.kafka.json'), collection }).prepare(0),
      /typo\.csv:1: unknown column "valeu"/,
    );
  });

  it('refuses a collection file that is not UTF-8, naming the line', async () => {
    const file = path.join(dir, 'latin.kafka.json');
    await fs.writeFile(
      file,
      Buffer.concat([
        Buffer.from('{"name": "x",\n"messages": [{"name": "m", "topic": "t", "value": "caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}]}\n'),
      ]),
    );
    await assert.rejects(
      loadCollectionFile(file),
      /latin\.kafka\.json:2: not valid UTF-8 text; save the collection file as UTF-8/,
    );
  });

  it('reads a collection file of over 1 MB whole, and names a folder or a missing file given as one', async () => {
    // Bigger than fs.readFile's 512 KB chunks, so a one-request read that stopped short would break the JSON.
    const messages = Array.from({ length: 10_000 }, (_, i) => ({ name: `m${i}`, topic: 't', value: 'v'.repeat(100) }));
    const file = path.join(dir, 'big.kafka.json');
    await fs.writeFile(file, JSON.stringify({ name: 'big', messages }, null, 2));
    assert.ok((await fs.stat(file)).size > 1024 * 1024);
    const loaded = await loadCollectionFile(file);
    assert.deepEqual(loaded.collection.messages.at(-1), messages.at(-1));
    assert.equal(loaded.collection.messages.length, 10_000);

    await fs.mkdir(path.join(dir, 'folder.kafka.json'));
    await assert.rejects(
      loadCollectionFile(path.join(dir, 'folder.kafka.json')),
      /^InvalidInputError: collection file .*folder\.kafka\.json is a directory, not a file$/,
    );
    await assert.rejects(
      loadCollectionFile(path.join(dir, 'missing.kafka.json')),
      /^InvalidInputError: collection file .*missing\.kafka\.json not found$/,
    );
  });

  it('reads a collection from a named pipe, as `run <(generate-collection)` gives one', async () => {
    const pipe = path.join(dir, 'piped.kafka.json');
    const fifo = spawnSync('mkfifo', [pipe]);
    if (fifo.status !== 0) throw new Error(`mkfifo (coreutils) is needed for this test: ${fifo.stderr}`);
    const text = JSON.stringify({ name: 'piped', messages: [{ name: 'm', topic: 't', value: 'v' }] });
    const [loaded] = await Promise.all([loadCollectionFile(pipe), fs.writeFile(pipe, text)]);
    assert.deepEqual(
      loaded.collection.messages.map((m) => m.name),
      ['m'],
    );
  });
  it('writes a number variable into text as the file writes it (1.50 stays 1.50), and as a number in JSON', async () => {
    const text =
      '{\n  "name": "c",\n  "variables": { "f": 1.50, "e": 1e2 },\n  "messages": [\n    { "name": "m", "topic": "t", "key": "v{{f}}-{{e}}", "value": { "price": "{{f}}" } }\n  ]\n}\n';
    const doc = parseCollectionText(text, 'c.kafka.json');
    const loaded = { filePath: path.join(dir, 'c.kafka.json'), collection: requireValid(doc), source: doc.source };
    const [record] = await collect((await new MessagePreparer(new TemplateEngine(), loaded).prepare(0)).records());
    assert.equal(record.key, 'v1.50-1e2');
    assert.equal(record.value, '{"price":1.5}');
  });
});

describe('collections: a big collection file lets its text go once checked', () => {
  let dir = '';
  tempDirEachTest('kw-bigtext-', (d) => (dir = d));

  /** A collection of over 1 MiB whose message 2,500 names an undefined variable; its line in the file. */
  async function writeBig(file: string): Promise<number> {
    const messages = Array.from({ length: 3000 }, (_, i) => ({
      name: `m${i}`,
      topic: 't',
      ...(i === 2500 ? { key: '{{nope}}' } : {}),
      value: { note: 'x'.repeat(400) },
    }));
    const text = JSON.stringify({ name: 'big', messages }, null, 2);
    await fs.writeFile(file, text);
    return text.split('\n').findIndex((l) => l.includes('{{nope}}')) + 1;
  }

  it('reads the file again to place an error, at the same line', async () => {
    const file = path.join(dir, 'big.kafka.json');
    const line = await writeBig(file);
    const loaded = await loadCollectionFile(file);
    assert.equal(loaded.source!.hasText, true);
    await assert.rejects(new MessagePreparer(new TemplateEngine(), loaded).check(2500), (e: Error) =>
      e.message.includes(`big.kafka.json:${line}:`),
    );
  });

  it('gives no line rather than a wrong one when the file changed after it was checked', async () => {
    const file = path.join(dir, 'big.kafka.json');
    await writeBig(file);
    const loaded = await loadCollectionFile(file);
    await fs.writeFile(file, '\n\n' + (await fs.readFile(file, 'utf8')));
    await assert.rejects(new MessagePreparer(new TemplateEngine(), loaded).check(2500), (e: Error) => {
      assert.doesNotMatch(e.message, /big\.kafka\.json:\d+:/);
      assert.match(e.message, /big\.kafka\.json/);
      assert.match(e.message, /nope/);
      return true;
    });
    assert.equal(loaded.source!.hasText, false);
  });

  it('gives no line when the file was rewritten at the same length after it was checked', async () => {
    const file = path.join(dir, 'big.kafka.json');
    await writeBig(file);
    const loaded = await loadCollectionFile(file);
    const text = await fs.readFile(file, 'utf8');
    // Two lines joined and one split further down: the same length, every line in between moved.
    const joined = text.replace('\n', ' ').replace('"m2400",', '"m2400",\n').slice(0, text.length);
    assert.equal(joined.length, text.length);
    await fs.writeFile(file, joined);
    await assert.rejects(new MessagePreparer(new TemplateEngine(), loaded).check(2500), (e: Error) => {
      assert.doesNotMatch(e.message, /big\.kafka\.json:\d+:/);
      assert.match(e.message, /nope/);
      return true;
    });
    assert.equal(loaded.source!.hasText, false);
  });
});

describe('collections: values larger than a record may be', () => {
  let dir = '';
  tempDirEachTest('kw-big-', (d) => (dir = d));

  /** Variables that each repeat the next ten times: `levels` deep they expand to 10^levels times `base`. */
  function laughs(levels: number, base: string): Record<string, string> {
    const vars: Record<string, string> = { [`v${levels}`]: base };
    for (let i = levels - 1; i >= 0; i--) vars[`v${i}`] = `{{v${i + 1}}}`.repeat(10);
    return vars;
  }

  function preparerOf(collection: Collection): MessagePreparer {
    const text = JSON.stringify(collection, null, 2);
    const doc = parseCollectionText(text, 'big.kafka.json');
    return new MessagePreparer(new TemplateEngine(), {
      filePath: path.join(dir, 'big.kafka.json'),
      collection: requireValid(doc),
      source: doc.source,
    });
  }

  it('stops a value that variables expand to 1 GB at max.request.size, naming the file, message and variable (it ran 112 s and 3.3 GB into "Invalid string length")', async () => {
    const preparer = preparerOf({
      name: 'c',
      variables: laughs(8, 'x'.repeat(10)),
      messages: [{ name: 'bomb', topic: 't', value: { text: 'see {{v0}}' } }],
    });
    const expected =
      /big\.kafka\.json:\d+:\d+: message "bomb" messages\[0\]\.value\.text: the value would be longer than max\.request\.size \(1,048,576 bytes\) once \{\{v0\}\} is expanded \(through \{\{v1\}\} -> \{\{v2\}\}.*\); no record may be larger/;
    await assert.rejects(preparer.prepare(0), expected);
    await assert.rejects(preparer.check(0), expected, 'the check before a run finds it too');
    assert.match(preparer.checkTemplates(0)[0]?.error.message ?? '', expected, "and the editor's Problems");
  });

  it('refuses a value that expands to 2 MB before sending (the producer refused it as "Record too large", naming neither file nor message)', async () => {
    const preparer = preparerOf({
      name: 'c',
      variables: { kb: 'x'.repeat(1024), big: '{{kb}}'.repeat(2048) },
      messages: [{ name: 'two mb', topic: 't', value: '{{big}}', key: 'k' }],
    });
    await assert.rejects(
      preparer.prepare(0),
      /message "two mb" messages\[0\]\.value: the value would be longer than max\.request\.size \(1,048,576 bytes\) once \{\{big\}\} is expanded/,
    );
  });

  it("takes the limit from the message's max.request.size, for keys and headers too, and for a JSON value whose strings fit one by one but not together", async () => {
    const producer = { 'max.request.size': 1000 };
    const refused: [unknown, RegExp][] = [
      [
        { name: 'key', topic: 't', value: 'v', key: '{{k}}{{k}}', producer },
        /messages\[0\]\.key: the value would be longer than max\.request\.size \(1,000 bytes\) once \{\{k\}\} is expanded/,
      ],
      [
        { name: 'header', topic: 't', value: 'v', headers: [['h', '{{k}}{{k}}']], producer },
        /messages\[0\]\.headers\[0\]\[1\]: the value would be longer than max\.request\.size \(1,000 bytes\)/,
      ],
      [
        { name: 'json', topic: 't', value: { a: '{{k}}', b: '{{k}}' }, producer },
        /messages\[0\]\.value: the value would be 1,2\d\d characters, more than max\.request\.size \(1,000 bytes\)/,
      ],
    ];
    for (const [message, expected] of refused) {
      const preparer = preparerOf({
        name: 'c',
        variables: { k: 'y'.repeat(600) },
        messages: [message as Collection['messages'][number]],
      });
      await assert.rejects(preparer.prepare(0), expected);
    }
    const fits = preparerOf({
      name: 'c',
      variables: { k: 'y'.repeat(600) },
      messages: [{ name: 'ok', topic: 't', value: '{{k}}', producer: { 'max.request.size': 2000 } }],
    });
    assert.equal(((await collect((await fits.prepare(0)).records()))[0].value as string).length, 600);
  });

  it('stops rendering faker text that a variable repeats past max.request.size, naming the record (each paragraph is dynamic, so only rendering knows its length)', async () => {
    const preparer = preparerOf({
      name: 'c',
      variables: { p: '{{$faker.lorem.paragraph}} '.repeat(50) },
      messages: [{ name: 'essay', topic: 't', value: '{{p}}', count: 2, producer: { 'max.request.size': 1000 } }],
    });
    const prepared = await preparer.prepare(0);
    await assert.rejects(
      collect(prepared.records()),
      /message "essay" messages\[0\]\.value: the value would be longer than max\.request\.size \(1,000 bytes\) for record 0/,
    );
  });

  it('checks per record a key or value whose dynamic values can render past max.request.size though its text fits, naming the field', async () => {
    // 8 uuids: 72 characters as written, 8 at least, 288 rendered.
    const ids = '{{$uuid}}'.repeat(8);
    const producer = { 'max.request.size': 100 };
    const preparer = preparerOf({
      name: 'c',
      messages: [
        { name: 'in json', topic: 't', value: { ids }, producer },
        { name: 'as key', topic: 't', key: ids, value: 'v', producer },
        { name: 'short', topic: 't', key: '{{$uuid}}', value: { id: '{{$uuid}}' }, producer },
      ],
    });
    const tooLong = (field: string) =>
      new RegExp(`${field}: the (key|value) would be longer than max\\.request\\.size \\(100 bytes\\) for record 0`);
    await assert.rejects(
      collect((await preparer.prepare(0)).records()),
      tooLong('message "in json" messages\\[0\\]\\.value\\.ids'),
    );
    await assert.rejects(
      collect((await preparer.prepare(1)).records()),
      tooLong('message "as key" messages\\[1\\]\\.key'),
    );
    const [record] = await collect((await preparer.prepare(2)).records());
    assert.match(String(record.key), /^[0-9a-f-]{36}$/);
  });

  it('stops reading a JSONL line longer than a record can hold, naming the file and line, without reading the rest of it (a 190 MB line said only "Record too large" after 4.5 times its size in memory)', async () => {
    await fs.writeFile(path.join(dir, 'd.jsonl'), `"ok"\n"${'z'.repeat(3_000_000)}"\n"never read"\n`);
    const preparer = preparerOf({
      name: 'c',
      messages: [{ name: 'lines', topic: 't', value: { file: 'd.jsonl' }, producer: { 'max.request.size': 1024 } }],
    });
    const { records, error } = await readAll(await preparer.prepare(0));
    assert.deepEqual(
      records.map((r) => r.value),
      ['ok'],
    );
    assert.equal(
      error?.message,
      'd.jsonl:2: the line is longer than 6,144 bytes, more than a record can hold (see max.request.size); split it, or raise max.request.size in "producer"',
    );
  });

  it('refuses a data line whose value is over max.request.size though its line fits, naming the line; and a CSV row past the limit', async () => {
    await fs.writeFile(path.join(dir, 'r.jsonl'), `{"value": "a"}\n{"value": "${'b'.repeat(1500)}"}\n`);
    const jsonl = preparerOf({
      name: 'c',
      messages: [
        {
          name: 'rec',
          topic: 't',
          value: { file: 'r.jsonl', lines: 'record' },
          producer: { 'max.request.size': 1024 },
        },
      ],
    });
    const fromJsonl = await readAll(await jsonl.prepare(0));
    assert.equal(fromJsonl.records.length, 1);
    assert.match(
      String(fromJsonl.error?.message),
      /^r\.jsonl:2: the value is 1,500 characters, more than max\.request\.size \(1,024 bytes\)/,
    );
    await fs.writeFile(path.join(dir, 'rows.csv'), `key,value\nk1,small\nk2,${'c'.repeat(7000)}\n`);
    const csv = preparerOf({
      name: 'c',
      messages: [{ name: 'rows', topic: 't', value: { file: 'rows.csv' }, producer: { 'max.request.size': 1024 } }],
    });
    const fromCsv = await readAll(await csv.prepare(0));
    assert.deepEqual(
      fromCsv.records.map((r) => r.key),
      ['k1'],
    );
    assert.match(
      String(fromCsv.error?.message),
      /^rows\.csv:3: the row is longer than 6,144 bytes, more than a record can hold/,
    );
  });
});

/** A prepared message's records until it stops, and what stopped it. */
async function readAll(
  prepared: Awaited<ReturnType<MessagePreparer['prepare']>>,
): Promise<{ records: ProducerRecord[]; error?: Error }> {
  const records: ProducerRecord[] = [];
  try {
    for await (const r of prepared.records()) records.push(r);
    return { records };
  } catch (e) {
    return { records, error: e as Error };
  }
}

describe('collections: text that cannot go out as written', () => {
  let dir = '';
  tempDirEachTest('kw-surrogate-', (d) => (dir = d));

  /** A collection as its file text: "\ud800" escapes are how a lone surrogate gets into one. */
  function preparerOfText(text: string): MessagePreparer {
    const doc = parseCollectionText(text, 's.kafka.json');
    return new MessagePreparer(new TemplateEngine(), {
      filePath: path.join(dir, 's.kafka.json'),
      collection: requireValid(doc),
      source: doc.source,
    });
  }

  it('refuses a lone surrogate in a key, a value, a header name or value, naming the field (it went out as U+FFFD, so the key landed on another partition)', async () => {
    const fields: [string, RegExp][] = [
      [
        '"key": "user-\\ud83d"',
        /messages\[0\]\.key: the key holds a lone UTF-16 surrogate \(\\ud83d at character 6\) that UTF-8 cannot encode; it would be sent as U\+FFFD \(Java sends "\?"\)/,
      ],
      [
        '"value": "\\udc00 tail"',
        /messages\[0\]\.value: the value holds a lone UTF-16 surrogate \(\\udc00 at character 1\)/,
      ],
      [
        '"headers": [["h\\ud800", "v"]]',
        /messages\[0\]\.headers\[0\]\[0\]: the name of header 1 holds a lone UTF-16 surrogate/,
      ],
      [
        '"headers": [["h", "{{half}}"]]',
        /messages\[0\]\.headers\[0\]\[1\]: header "h" holds a lone UTF-16 surrogate \(\\ud83d at character 1\)/,
      ],
    ];
    for (const [field, expected] of fields) {
      const preparer = preparerOfText(
        `{"name": "c", "variables": {"half": "\\ud83d"}, "messages": [{"name": "m", "topic": "t", "value": "v", ${field}}]}`.replace(
          '"value": "v", "value"',
          '"value"',
        ),
      );
      await assert.rejects(preparer.prepare(0), expected, field);
      await assert.rejects(preparer.check(0), expected, `${field}: the check before a run`);
    }
    // A whole pair is fine, and inside a JSON value a lone one is sent escaped (\ud83d), as written.
    const ok = preparerOfText(
      '{"name": "c", "messages": [{"name": "m", "topic": "t", "key": "\\ud83d\\ude00", "value": {"text": "\\ud83d"}}]}',
    );
    const [record] = await collect((await ok.prepare(0)).records());
    assert.equal(record.key, '😀');
    assert.equal(record.value, '{"text":"\\ud83d"}');
  });

  it('refuses a lone surrogate in a JSONL line, naming the file, line and field', async () => {
    await fs.writeFile(path.join(dir, 'r.jsonl'), '{"key": "a", "value": "ok"}\n{"key": "b\\ud800", "value": "x"}\n');
    const records = preparerOfText(
      '{"name": "c", "messages": [{"name": "m", "topic": "t", "value": {"file": "r.jsonl", "lines": "record"}}]}',
    );
    const { records: sent, error } = await readAll(await records.prepare(0));
    assert.deepEqual(
      sent.map((r) => r.key),
      ['a'],
    );
    assert.match(String(error?.message), /^r\.jsonl:2: key holds a lone UTF-16 surrogate \(\\ud800 at character 2\)/);
    await fs.writeFile(path.join(dir, 'v.jsonl'), '"fine"\n"\\udfff"\n');
    const values = preparerOfText(
      '{"name": "c", "messages": [{"name": "m", "topic": "t", "value": {"file": "v.jsonl"}}]}',
    );
    assert.match(
      String((await readAll(await values.prepare(0))).error?.message),
      /^v\.jsonl:2: the value holds a lone UTF-16 surrogate/,
    );
  });
});
