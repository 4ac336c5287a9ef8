import assert from 'node:assert/strict';
import { isJsonBytes } from '../../extension/core/collections/json-syntax';

/** The check on the UTF-8 bytes of a text (or of its part from..to, counted in bytes). */
function isJsonText(text: string, from?: number, to?: number): boolean {
  return isJsonBytes(Buffer.from(text, 'utf8'), from, to);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('collections: isJsonBytes (data-file line check without JSON.parse)', () => {
  it('accepts every kind of JSON value, nested, with whitespace', () => {
    for (const text of [
      '0',
      '-0',
      '12.5e+3',
      '-1E-2',
      'true',
      'false',
      'null',
      '""',
      '"a\\"b\\\\\\/\\b\\f\\n\\r\\t\\u00e9"',
      '[]',
      '{}',
      ' [1, [2, {"a": [ ]}], {"b":{}} ] ',
      '{"id":1,"sku":"sku-1","qty":2,"note":"xx"}',
      '"\ud800"',
      '[[[[[[[[[[1]]]]]]]]]]',
    ]) {
      assert.equal(isJsonText(text), true, text);
    }
  });

  it('refuses what JSON.parse refuses', () => {
    for (const text of [
      '',
      ' ',
      '01',
      '1.',
      '.5',
      '-',
      '1e',
      '+1',
      'tru',
      'nul',
      'True',
      "'a'",
      '"a',
      '"\\x"',
      '"\\u12g4"',
      '"tab\there"',
      '[1,]',
      '[,1]',
      '{"a":1,}',
      '{"a"}',
      '{a:1}',
      '{"a" 1}',
      '[1 2]',
      '1 2',
      '[',
      ']',
      '{"a":1]',
      '[1}',
      'NaN',
      'Infinity',
      '{} {}',
    ]) {
      assert.equal(isJsonText(text), false, text);
      assert.equal(parses(text), false, text);
    }
  });

  it('agrees with JSON.parse on thousands of mutated JSON texts', () => {
    const seeds = [
      '{"id":12,"sku":"sku-3","qty":-4.5e2,"ok":true,"none":null,"tags":["a","b\\n"],"m":{}}',
      '[0,1.25,"\\u0041",[],{"k":[false]}]',
    ];
    const alphabet = '{}[]",:\\ 0123456789-+.eEtrufalsn\t\nabu/';
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let agreed = 0;
    for (let round = 0; round < 20000; round++) {
      let text = seeds[round % seeds.length];
      for (let edits = 1 + rand(3); edits > 0; edits--) {
        const at = rand(text.length + 1);
        const op = rand(3);
        const ch = alphabet[rand(alphabet.length)];
        text =
          op === 0
            ? text.slice(0, at) + ch + text.slice(at)
            : op === 1
              ? text.slice(0, at) + text.slice(at + 1)
              : text.slice(0, at) + ch + text.slice(at + 1);
      }
      assert.equal(isJsonText(text), parses(text), JSON.stringify(text));
      agreed++;
    }
    assert.equal(agreed, 20000);
  });
});

describe('collections: isJsonBytes on part of a text', () => {
  it('checks only the part from..to, whatever surrounds it', () => {
    const s = 'xx{"a":[1,"b\\u0041"]}yy';
    assert.equal(isJsonText(s, 2, s.length - 2), true);
    assert.equal(isJsonText(s, 2, s.length - 3), false);
    assert.equal(isJsonText('[tru]e', 1, 4), false);
    assert.equal(isJsonText('"\\u00e9"', 0, 5), false);
    assert.equal(isJsonText('123456', 1, 3), true);
    assert.equal(isJsonText('1.5e7', 0, 4), false);
  });

  it('takes the bytes of multi-byte characters inside strings, and nowhere else', () => {
    assert.equal(isJsonText('{"name":"Zoë 🚀 ж"}'), true);
    assert.equal(isJsonText('["é"]'), true);
    assert.equal(isJsonText('[é]'), false);
    assert.equal(isJsonText('{"a":1} '), false); // a no-break space is not JSON whitespace
  });
});
