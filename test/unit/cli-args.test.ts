import { strict as assert } from 'node:assert';
import { parseArgs, intFlag, flag } from '../../extension/cli/args';

describe('CLI argument parsing', () => {
  const spec = { known: ['topic', 'header', 'json', 'count'], booleans: ['json'], repeatable: ['header'] };

  it('keeps every value of a repeated flag in order', () => {
    const args = parseArgs(['--header', 'a=1', '--header=b=2', '--json'], spec);
    assert.deepEqual(args.flags.get('header'), ['a=1', 'b=2']);
    assert.equal(flag(args, 'json'), 'true');
  });

  it('treats everything after -- as positional, even when it looks like a flag', () => {
    const args = parseArgs(['--topic', 't', '--', '--json', '-k'], spec);
    assert.deepEqual(args.positionals, ['--json', '-k']);
    assert.equal(flag(args, 'topic'), 't');
  });

  it('refuses an unknown flag, naming it and the known ones', () => {
    assert.throws(() => parseArgs(['--topc', 't'], spec), /unknown option --topc; known options: --topic/);
  });

  it('refuses a flag without its value', () => {
    assert.throws(() => parseArgs(['--topic'], spec), /--topic needs a value/);
  });

  it('checks integer flags against their range', () => {
    assert.equal(intFlag(parseArgs(['--count', '7'], spec), 'count', 1, 1, 10), 7);
    assert.throws(
      () => intFlag(parseArgs(['--count', 'x'], spec), 'count', 1),
      /--count must be a whole number, got 'x'/,
    );
    assert.throws(() => intFlag(parseArgs(['--count', '0'], spec), 'count', 1, 1, 10), /between 1 and 10, got 0/);
  });

  it('refuses a value on a flag that takes none, so --json=false cannot turn it on', () => {
    assert.throws(
      () => parseArgs(['--json=false'], spec),
      /option --json takes no value \(got 'false'\); give --json to turn it on, leave it out for off/,
    );
  });

  it('refuses another option where a value belongs, and says how to pass a value starting with --', () => {
    assert.throws(
      () => parseArgs(['--topic', '--json'], spec),
      /option --topic needs a value, but the next argument is the option --json; write --topic=VALUE/,
    );
    assert.equal(flag(parseArgs(['--topic=--odd'], spec), 'topic'), '--odd');
  });

  it('refuses a single-value flag given twice, instead of silently taking the last', () => {
    assert.throws(
      () => parseArgs(['--topic', 'a', '--topic', 'b'], spec),
      /option --topic is given twice \('a', then 'b'\); give it once/,
    );
  });
});
