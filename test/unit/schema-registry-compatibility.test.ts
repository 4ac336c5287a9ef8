import { strict as assert } from 'node:assert';
import { compatibilityProblems, type CompatibilityLevel } from '../../extension/core/schema-registry/compatibility';
import { parseSchema, type ParsedSchema } from '../../extension/core/schema-registry/formats';
import type { SchemaType } from '../../extension/core/schema-registry/types';

const parse = (schemaType: SchemaType, schema: unknown) =>
  parseSchema({ schemaType, schema: typeof schema === 'string' ? schema : JSON.stringify(schema), references: [] });
const check = (level: CompatibilityLevel, next: ParsedSchema, ...previous: ParsedSchema[]) =>
  compatibilityProblems(
    level,
    next,
    previous.map((schema, i) => ({ version: i + 1, schema })),
  );

describe('schema compatibility', () => {
  describe("Avro (the Avro specification's schema resolution, by avsc)", () => {
    const v1 = parse('AVRO', { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] });
    const addedWithDefault = parse('AVRO', {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string', default: '' },
      ],
    });
    const addedNoDefault = parse('AVRO', {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
      ],
    });
    const promoted = parse('AVRO', { type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }] });

    it('BACKWARD: a field added with a default is fine, without one it is not', () => {
      assert.deepEqual(check('BACKWARD', addedWithDefault, v1), []);
      const problems = check('BACKWARD', addedNoDefault, v1);
      assert.equal(problems.length, 1);
      assert.match(problems[0], /the new schema cannot read data written with version 1 \(BACKWARD\): .*R\.b/);
    });

    it('FORWARD: the old schema must read the new; int may become long only backward', () => {
      assert.deepEqual(check('BACKWARD', promoted, v1), []);
      assert.match(
        check('FORWARD', promoted, v1)[0],
        /version 1 cannot read data written with the new schema \(FORWARD\): cannot read "long" as "int"/,
      );
      assert.equal(check('FULL', promoted, v1).length, 1);
      assert.deepEqual(check('NONE', addedNoDefault, v1), []);
    });

    it('an enum that loses a symbol cannot read old data', () => {
      const e2 = parse('AVRO', { type: 'enum', name: 'E', symbols: ['A', 'B'] });
      const e1 = parse('AVRO', { type: 'enum', name: 'E', symbols: ['A'] });
      assert.equal(check('BACKWARD', e1, e2).length, 1);
      assert.deepEqual(check('BACKWARD', e2, e1), []);
    });

    it('_TRANSITIVE checks every earlier version, the plain level only the latest', () => {
      // v3 drops the default of b: it cannot read v1 (no b), but can read v2 (which always writes b).
      const v3 = parse('AVRO', { type: 'record', name: 'R', fields: [{ name: 'b', type: 'string' }] });
      assert.deepEqual(check('BACKWARD', v3, v1, addedWithDefault), []);
      assert.match(check('BACKWARD_TRANSITIVE', v3, v1, addedWithDefault)[0], /version 1/);
    });
  });

  describe('JSON Schema (the reader must accept every value the writer accepts)', () => {
    const open = parse('JSON', { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
    const closed = parse('JSON', {
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
      additionalProperties: false,
    });
    const closedMore = parse('JSON', {
      type: 'object',
      properties: { id: { type: 'string' }, n: { type: 'integer' } },
      required: ['id'],
      additionalProperties: false,
    });

    it('a required property added is not backward compatible; an optional one in a closed model is', () => {
      const required = parse('JSON', {
        type: 'object',
        properties: { id: { type: 'string' }, n: { type: 'integer' } },
        required: ['id', 'n'],
      });
      assert.match(check('BACKWARD', required, open).join('\n'), /REQUIRED_PROPERTY_ADDED.*"n"/);
      assert.deepEqual(check('BACKWARD', closedMore, closed), []);
    });

    it('a property added to an open content model narrows what the writer could put there', () => {
      const narrowed = parse('JSON', {
        type: 'object',
        properties: { id: { type: 'string' }, n: { type: 'integer' } },
        required: ['id'],
      });
      assert.match(
        check('BACKWARD', narrowed, open).join('\n'),
        /PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL at #\/properties\/n/,
      );
    });

    it('a property removed from a closed model cannot read what the old schema wrote', () => {
      assert.match(
        check('BACKWARD', closed, closedMore).join('\n'),
        /PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at #\/properties\/n/,
      );
      assert.deepEqual(check('FORWARD', closed, closedMore), []);
    });

    it('types may widen (integer to number) but not narrow; enums likewise', () => {
      const int = parse('JSON', { type: 'integer' });
      const num = parse('JSON', { type: 'number' });
      assert.deepEqual(check('BACKWARD', num, int), []);
      assert.match(check('BACKWARD', int, num)[0], /TYPE_NARROWED/);
      const ab = parse('JSON', { enum: ['a', 'b'] });
      const a = parse('JSON', { enum: ['a'] });
      assert.deepEqual(check('BACKWARD', ab, a), []);
      assert.match(check('BACKWARD', a, ab)[0], /ENUM_ARRAY_NARROWED.*"b"/);
    });

    it('follows local $refs', () => {
      const refd = parse('JSON', {
        definitions: { id: { type: 'integer' } },
        type: 'object',
        properties: { id: { $ref: '#/definitions/id' } },
      });
      const plain = parse('JSON', { type: 'object', properties: { id: { type: 'string' } } });
      assert.match(
        check('BACKWARD', refd, plain)[0],
        /TYPE_NARROWED at #\/properties\/id: the writer allows string, the reader only integer/,
      );
    });
  });

  describe("Protobuf (Confluent's rules)", () => {
    const proto = (body: string) => parse('PROTOBUF', `syntax = "proto3";\npackage acme;\n${body}`);
    const v1 = proto('message M { string id = 1; int32 n = 2; }');

    it('adding, removing and renaming fields is compatible both ways', () => {
      const next = proto('message M { string ident = 1; int64 count = 3; }');
      assert.deepEqual(check('FULL', next, v1), []);
    });

    it('a field number that changes kind or scalar group is not', () => {
      const kind = proto('message M { string id = 1; Sub n = 2; }\nmessage Sub { int32 x = 1; }');
      assert.match(
        check('BACKWARD', kind, v1).join('\n'),
        /FIELD_KIND_CHANGED: acme\.M\.n \(field 2\) was a scalar, is a message/,
      );
      const scalar = proto('message M { string id = 1; string n = 2; }');
      assert.match(
        check('BACKWARD', scalar, v1).join('\n'),
        /FIELD_SCALAR_KIND_CHANGED: acme\.M\.n \(field 2\) was int32, is string/,
      );
      const sameGroup = proto('message M { string id = 1; int64 n = 2; }');
      assert.deepEqual(check('BACKWARD', sameGroup, v1), []);
    });

    it('a message removed, or the package changed, is not', () => {
      const two = proto('message M { string id = 1; int32 n = 2; }\nmessage Other { bool ok = 1; }');
      assert.deepEqual(check('FORWARD', v1, two), []);
      assert.match(check('BACKWARD', v1, two).join('\n'), /MESSAGE_REMOVED: message acme\.Other/);
      const moved = parseSchema({
        schemaType: 'PROTOBUF',
        schema: 'syntax = "proto3";\npackage other;\nmessage M { string id = 1; }',
        references: [],
      });
      assert.match(check('BACKWARD', moved, v1).join('\n'), /PACKAGE_CHANGED/);
    });

    it('a field moved into an existing oneof is not', () => {
      const before = proto('message M { string id = 1; oneof pay { string card = 3; } string iban = 4; }');
      const after = proto('message M { string id = 1; oneof pay { string card = 3; string iban = 4; } }');
      assert.match(check('BACKWARD', after, before).join('\n'), /FIELD_MOVED_TO_EXISTING_ONEOF: acme\.M\.iban/);
    });
  });

  it('a schema of another type is never compatible', () => {
    const avro = parse('AVRO', { type: 'record', name: 'R', fields: [] });
    const json = parse('JSON', { type: 'object' });
    assert.match(check('BACKWARD', json, avro)[0], /version 1 is a AVRO schema, the new one JSON/);
  });
});
