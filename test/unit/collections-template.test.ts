import assert from 'node:assert/strict';
import { base, en, Faker } from '@faker-js/faker';
import { FakeClock } from '../../extension/core/util/clock';
import {
  envSecretResolver,
  secretEnvName,
  TemplateEngine,
  TemplateError,
  type VariableLayer,
} from '../../extension/core/collections/template';

const site = {
  fileName: 'c.kafka.json',
  path: ['messages', 0, 'value'],
  messageName: 'm',
  range: { start: { line: 4, character: 9, offset: 0 }, end: { line: 4, character: 20, offset: 0 } },
};

function layers(...vars: Record<string, string | number | boolean>[]): VariableLayer[] {
  return vars.map((variables, i) => ({ label: `layer${i}`, variables }));
}

function render(
  text: string,
  opts: { seed?: number; layers?: VariableLayer[]; seq?: number; clock?: FakeClock } = {},
): string {
  const engine = new TemplateEngine({ seed: opts.seed, clock: opts.clock });
  return engine.render(engine.compile(text, opts.layers ?? [], site), engine.recordContext(opts.seq ?? 1));
}

describe('collections: templates', () => {
  it('leaves text without templates as is, as a constant', () => {
    const engine = new TemplateEngine();
    const t = engine.compile('plain {text} }}', [], site);
    assert.equal(t.constant, 'plain {text} }}');
  });

  it('looks variables up message first, then collection, then environment, then --var', () => {
    const chain = layers(
      { a: 'msg' },
      { a: 'coll', b: 'coll' },
      { a: 'env', b: 'env', c: 'env' },
      { a: 'cli', b: 'cli', c: 'cli', d: 'cli' },
    );
    assert.equal(render('{{a}} {{b}} {{c}} {{ d }}', { layers: chain }), 'msg coll env cli');
  });

  it('renders numbers and booleans, and templates inside variable values per record', () => {
    const chain = layers({ n: 3, flag: false, id: 'order-{{$seq}}' });
    assert.equal(render('{{n}}/{{flag}}/{{id}}', { layers: chain, seq: 7 }), '3/false/order-7');
  });

  it('names an unknown variable, where it is and the variables that exist', () => {
    assert.throws(
      () => render('{{regoin}}', { layers: layers({ region: 'eu' }) }),
      (e: unknown) =>
        e instanceof TemplateError &&
        e.message ===
          'c.kafka.json:5:10: message "m" messages[0].value: unknown variable {{regoin}}; known variables: region. Define it in "variables" (message, collection or environment) or pass --var regoin=VALUE',
    );
  });

  it('refuses a variable that refers to itself', () => {
    assert.throws(
      () => render('{{a}}', { layers: layers({ a: 'x{{b}}', b: '{{a}}' }) }),
      /variable \{\{a\}\} refers to itself: a -> b -> a/,
    );
  });

  it('gives the same random output for the same seed, and different output for another seed', () => {
    const text = '{{$uuid}} {{$randomInt 1 1000000}} {{$faker.person.fullName}}';
    assert.equal(render(text, { seed: 42 }), render(text, { seed: 42 }));
    assert.notEqual(render(text, { seed: 42 }), render(text, { seed: 43 }));
    assert.match(
      render('{{$uuid}}', { seed: 1 }),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('keeps $randomInt within MIN..MAX, both ends included', () => {
    const engine = new TemplateEngine({ seed: 5 });
    const t = engine.compile('{{$randomInt -2 2}}', [], site);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(engine.render(t, engine.recordContext(i)));
    assert.deepEqual([...seen].sort(), ['-1', '-2', '0', '1', '2']);
  });

  it('uses one time per record for $timestamp (ms) and $isoTimestamp, and the record number for $seq', () => {
    const clock = new FakeClock(1_700_000_000_123);
    assert.equal(
      render('{{$seq}} {{$timestamp}} {{$isoTimestamp}}', { clock, seq: 4 }),
      '4 1700000000123 2023-11-14T22:13:20.123Z',
    );
  });

  it('knows the longest a template of dynamic values renders, and has no such bound with faker text or variables', () => {
    const engine = new TemplateEngine({ clock: new FakeClock(8_640_000_000_000_000) });
    const longest = (text: string, vars: VariableLayer[] = []) => engine.compile(text, vars, site).maxLength;
    assert.equal(longest('id-{{$randomInt -5 100}}'), 3 + 3);
    assert.equal(longest('{{$uuid}}/{{$seq}}'), 36 + 1 + 17);
    // The farthest date JavaScript has renders 27 characters: the bound holds it.
    const iso = engine.compile('{{$isoTimestamp}}', [], site);
    assert.equal(iso.maxLength, 27);
    assert.equal(engine.render(iso, engine.recordContext(0)).length, 27);
    assert.equal(longest('{{$faker.lorem.word}}'), undefined);
    assert.equal(longest('{{v}}-{{$seq}}', layers({ v: 'x' })), undefined);
  });

  it('refuses unknown faker paths and bad $randomInt arguments, naming them', () => {
    assert.throws(
      () => render('{{$faker.person.fullNam}}'),
      /unknown faker path \{\{\$faker\.person\.fullNam\}\}.*person has: .*fullName/,
    );
    assert.throws(() => render('{{$faker.person}}'), /unknown faker path \{\{\$faker\.person\}\}/);
    assert.throws(
      () => render('{{$faker.constructor.name}}'),
      /\{\{\$faker\.constructor\.name\}\}: "constructor" belongs to every JavaScript object, it is not a faker function/,
    );
    assert.throws(
      () => render('{{$randomInt 5}}'),
      /\{\{\$randomInt 5\}\} needs two whole numbers: \{\{\$randomInt MIN MAX\}\}/,
    );
    assert.throws(() => render('{{$randomInt 5 1}}'), /MIN \(5\) is greater than MAX \(1\)/);
    assert.throws(() => render('{{$nope}}'), /unknown dynamic variable \{\{\$nope\}\}; known: \{\{\$uuid\}\}/);
    assert.throws(() => render('a {{b'), /"\{\{" at character 3 is never closed/);
  });

  it('refuses faker paths through Object.prototype names (constructor, toString, hasOwnProperty...), naming the name', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf']) {
      assert.throws(
        () => render(`{{$faker.person.${name}}}`),
        (e: unknown) =>
          e instanceof TemplateError &&
          e.detail.startsWith(
            `{{$faker.person.${name}}}: "${name}" belongs to every JavaScript object, it is not a faker function; use MODULE.FUNCTION`,
          ) &&
          /person has: .*fullName/.test(e.detail),
      );
    }
  });

  it('refuses, when compiling, faker functions that need arguments, suggesting ones that take none', () => {
    assert.throws(
      () => render('{{$faker.helpers.arrayElement}}'),
      (e: unknown) =>
        e instanceof TemplateError &&
        e.message ===
          'c.kafka.json:5:10: message "m" messages[0].value: {{$faker.helpers.arrayElement}} needs arguments, which templates cannot pass; use a function that takes none, such as $faker.person.fullName, $faker.number.int, $faker.string.uuid',
    );
    assert.throws(
      () => render('{{$faker.date.between}}'),
      /\{\{\$faker\.date\.between\}\} needs arguments, which templates cannot pass; use a function that takes none, such as \$faker\.date\.anytime/,
    );
    for (const path of ['helpers.mustache', 'helpers.multiple', 'helpers.maybe', 'string.fromCharacters']) {
      assert.throws(() => render(`{{$faker.${path}}}`), /needs arguments/, path);
    }
    const engine = new TemplateEngine();
    assert.throws(() => engine.compileTyped('{{$faker.helpers.arrayElement}}', [], site), /needs arguments/);
  });

  it('tries faker functions on a faker of its own, so a seed gives the same values as before', () => {
    const engine = new TemplateEngine({ seed: 7 });
    // Nothing here depends on the clock (faker.date.* would read Date.now() and make the comparison flaky).
    const t = engine.compile('{{$faker.person.fullName}} {{$faker.string.uuid}} {{$faker.number.int}}', [], site);
    const plain = new Faker({ locale: [en, base] });
    plain.seed(7);
    assert.equal(
      engine.render(t, engine.recordContext(0)),
      `${plain.person.fullName()} ${plain.string.uuid()} ${plain.number.int()}`,
    );
  });

  it('turns a faker function that throws while rendering into an error naming the template and where it is', () => {
    const engine = new TemplateEngine();
    const boom = () => {
      throw new Error('boom');
    };
    Object.defineProperty(engine.faker.person, 'fullName', { value: boom });
    for (const render of [
      () => engine.render(engine.compile('{{$faker.person.fullName}}', [], site), engine.recordContext(0)),
      () => engine.compileTyped('{{$faker.person.fullName}}', [], site)!.render(engine.recordContext(0)),
    ]) {
      assert.throws(
        render,
        (e: unknown) =>
          e instanceof TemplateError &&
          e.message ===
            'c.kafka.json:5:10: message "m" messages[0].value: {{$faker.person.fullName}} failed: boom; use another faker function',
      );
    }
  });

  it('refuses $randomInt bounds beyond Number.MAX_SAFE_INTEGER, which could not keep values within MIN..MAX', () => {
    assert.throws(
      () => render('{{$randomInt 0 9007199254740993}}'),
      (e: unknown) =>
        e instanceof TemplateError &&
        e.detail ===
          '{{$randomInt 0 9007199254740993}}: MAX (9007199254740993) is out of range; MIN and MAX must be whole numbers from -9007199254740991 to 9007199254740991',
    );
    assert.throws(() => render('{{$randomInt -9007199254740992 0}}'), /MIN \(-9007199254740992\) is out of range/);
    const engine = new TemplateEngine({ seed: 9 });
    const widest = engine.compile('{{$randomInt -9007199254740991 9007199254740991}}', [], site);
    for (let i = 0; i < 200; i++)
      assert.ok(Number.isSafeInteger(Number(engine.render(widest, engine.recordContext(i)))));
  });

  it('resolves secrets through the injected resolver, and says which env var to set when one is missing', async () => {
    const engine = new TemplateEngine({ secrets: envSecretResolver({ KAFKA_WORKBENCH_SECRET_API_TOKEN: 's3cret' }) });
    const t = engine.compile('Bearer {{$secret:api-token}}', [], site);
    await engine.resolveSecrets();
    assert.equal(engine.render(t, engine.recordContext(1)), 'Bearer s3cret');
    const missing = new TemplateEngine({ secrets: envSecretResolver({}) });
    missing.compile('{{$secret:db.pass}}', [], site);
    await assert.rejects(
      missing.resolveSecrets(),
      /secret "db.pass" is not set; set it with "Kafka: Set Collection Secret" in VS Code, or the environment variable KAFKA_WORKBENCH_SECRET_DB_PASS for the CLI/,
    );
    assert.equal(secretEnvName('a-b.c'), 'KAFKA_WORKBENCH_SECRET_A_B_C');
  });
});
