/**
 * Avro schemas with avsc: parsing (references resolved into one registry of named types), JSON values checked field
 * by field and encoded, decoding to Avro's JSON encoding, examples, and compatibility by avsc's resolver (the Avro
 * specification's schema resolution: promotions, defaults for added fields, aliases, enum symbols).
 */
import * as avro from 'avsc';
import { InvalidSchemaError, SchemaValueError, keySegment, shownValue, type ResolvedSchema } from '../types';
import type { ParsedSchema } from './format';

type AnyType = avro.Type & { typeName: string; name?: string; branchName?: string };

export function parseAvro(resolved: ResolvedSchema): ParsedSchema {
  const registry: Record<string, avro.Type> = {};
  const seen = new Set<string>();
  const load = (schema: ResolvedSchema, name: string): avro.Type => {
    for (const r of schema.references) {
      const key = `${r.subject}/${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      load(r.resolved, r.name);
    }
    let json: unknown;
    try {
      json = JSON.parse(schema.schema);
    } catch (e) {
      throw new InvalidSchemaError(`${name} is not JSON: ${(e as Error).message}`);
    }
    try {
      return avro.Type.forSchema(json as avro.Schema, { registry });
    } catch (e) {
      throw new InvalidSchemaError(`${name} is not a valid Avro schema: ${(e as Error).message}`);
    }
  };
  const type = load(resolved, 'the schema') as AnyType;
  return new AvroSchema(type, JSON.stringify(JSON.parse(resolved.schema)));
}

class AvroSchema implements ParsedSchema {
  readonly schemaType = 'AVRO' as const;

  constructor(
    readonly type: AnyType,
    readonly canonical: string,
  ) {}

  recordNames(): string[] {
    return this.type.name ? [this.type.name] : [];
  }

  encode(value: unknown): Buffer {
    const converted = fromJson(this.type, value, '');
    try {
      return this.type.toBuffer(converted);
    } catch (e) {
      // fromJson checks what avsc checks; anything left (a long beyond 2^53) is named here rather than lost.
      throw new SchemaValueError('', `cannot be encoded: ${(e as Error).message}`);
    }
  }

  decode(payload: Buffer): { value: unknown; recordName?: string } {
    const value = this.type.fromBuffer(payload);
    return { value: JSON.parse(this.type.toString(value)), recordName: this.type.name };
  }

  example(): unknown {
    return exampleOf(this.type, 0);
  }

  readProblems(writer: ParsedSchema): string[] {
    if (!(writer instanceof AvroSchema)) return [`cannot compare an Avro schema with a ${writer.schemaType} schema`];
    try {
      this.type.createResolver(writer.type);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
}

/** What a type accepts, in words, for errors. */
export function describeAvro(t: AnyType): string {
  switch (t.typeName) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'a boolean (true or false)';
    case 'int':
      return 'an int (a whole number from -2147483648 to 2147483647)';
    case 'long':
      return 'a long (a whole number)';
    case 'float':
      return 'a float (a number)';
    case 'double':
      return 'a double (a number)';
    case 'string':
      return 'a string';
    case 'bytes':
      return 'bytes (a string of characters \\u0000-\\u00ff, one per byte)';
    case 'fixed':
      return `fixed ${t.name} (a string of exactly ${(t as unknown as { size: number }).size} characters \\u0000-\\u00ff)`;
    case 'enum':
      return `enum ${t.name} (one of ${symbols(t).join(', ')})`;
    case 'array':
      return `an array of ${describeAvro(items(t))}`;
    case 'map':
      return `a map (an object) of ${describeAvro(values(t))}`;
    case 'record':
    case 'error':
      return `record ${t.name} (an object)`;
    default:
      if (isUnion(t)) return `one of: ${branches(t).map(branchLabel).join(', ')}`;
      return t.typeName;
  }
}

const isUnion = (t: AnyType) => t.typeName === 'union:unwrapped' || t.typeName === 'union:wrapped';
const branches = (t: AnyType) => (t as unknown as { types: AnyType[] }).types;
const symbols = (t: AnyType) => (t as unknown as { symbols: string[] }).symbols;
const items = (t: AnyType) => (t as unknown as { itemsType: AnyType }).itemsType;
const values = (t: AnyType) => (t as unknown as { valuesType: AnyType }).valuesType;
const fields = (t: AnyType) =>
  (t as unknown as { fields: { name: string; type: AnyType; defaultValue(): unknown }[] }).fields;
/** The name Avro's JSON encoding wraps a union branch in: the full name for named types, else the type name. */
const branchLabel = (t: AnyType) => t.branchName ?? t.name ?? t.typeName;

function fail(path: string, t: AnyType, got: unknown): never {
  throw new SchemaValueError(path, `expected ${describeAvro(t)}, got ${shownValue(got)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Avro's JSON encoding of bytes and fixed: each character one byte. */
function byteString(v: unknown, path: string, t: AnyType): Buffer {
  if (typeof v !== 'string' || /[\u0100-\uffff]/.test(v)) fail(path, t, v);
  return Buffer.from(v, 'latin1');
}

/**
 * A JSON value as avsc's value of `t`, checked all the way down. Unions take Avro's JSON encoding (`{"string": "x"}`)
 * or the bare value (the first branch it fits); a record field left out takes its default, or is an error.
 */
function fromJson(t: AnyType, v: unknown, path: string): unknown {
  switch (t.typeName) {
    case 'null':
      if (v !== null) fail(path, t, v);
      return null;
    case 'boolean':
      if (typeof v !== 'boolean') fail(path, t, v);
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) fail(path, t, v);
      return v;
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, t, v);
      if (!Number.isSafeInteger(v))
        throw new SchemaValueError(path, `${shownValue(v)} is beyond 2^53 and cannot be sent exactly as a long`);
      return v;
    case 'float':
    case 'double':
      if (typeof v !== 'number') fail(path, t, v);
      return v;
    case 'string':
      if (typeof v !== 'string') fail(path, t, v);
      return v;
    case 'bytes':
      return byteString(v, path, t);
    case 'fixed': {
      const b = byteString(v, path, t);
      if (b.length !== (t as unknown as { size: number }).size) fail(path, t, v);
      return b;
    }
    case 'enum':
      if (typeof v !== 'string') fail(path, t, v);
      if (!symbols(t).includes(v))
        throw new SchemaValueError(
          path,
          `${shownValue(v)} is not a symbol of enum ${t.name}; expected one of ${symbols(t).join(', ')}`,
        );
      return v;
    case 'array':
      if (!Array.isArray(v)) fail(path, t, v);
      return v.map((item, i) => fromJson(items(t), item, `${path}[${i}]`));
    case 'map': {
      if (!isObject(v)) fail(path, t, v);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = fromJson(values(t), item, path + keySegment(k));
      return out;
    }
    case 'record':
    case 'error': {
      if (!isObject(v)) fail(path, t, v);
      const known = fields(t);
      const names = new Set(known.map((f) => f.name));
      for (const k of Object.keys(v)) {
        if (!names.has(k))
          throw new SchemaValueError(
            path + keySegment(k),
            `record ${t.name} has no field "${k}"; its fields are ${[...names].join(', ')}`,
          );
      }
      const out: Record<string, unknown> = {};
      for (const f of known) {
        if (Object.prototype.hasOwnProperty.call(v, f.name))
          out[f.name] = fromJson(f.type, v[f.name], path + keySegment(f.name));
        else {
          const def = f.defaultValue();
          if (def === undefined)
            throw new SchemaValueError(
              path + keySegment(f.name),
              `missing required field "${f.name}" of record ${t.name}: expected ${describeAvro(f.type)}`,
            );
          out[f.name] = def;
        }
      }
      return t.clone(out);
    }
    default:
      if (isUnion(t)) return unionFromJson(t, v, path);
      throw new SchemaValueError(path, `unsupported Avro type ${t.typeName}`);
  }
}

function unionFromJson(t: AnyType, v: unknown, path: string): unknown {
  const all = branches(t);
  const wrapped = t.typeName === 'union:wrapped';
  const wrap = (b: AnyType, inner: unknown) => (wrapped && b.typeName !== 'null' ? { [branchLabel(b)]: inner } : inner);
  if (v === null) {
    const nullBranch = all.find((b) => b.typeName === 'null');
    if (nullBranch) return null;
    fail(path, t, v);
  }
  // Avro's JSON encoding: {"branch name": value}, the branch named by its full name (or, kindly, its short name).
  if (isObject(v) && Object.keys(v).length === 1) {
    const [label] = Object.keys(v);
    const branch = all.find(
      (b) => branchLabel(b) === label || b.name === label || (b.name && b.name.split('.').pop() === label),
    );
    if (branch) return wrap(branch, fromJson(branch, v[label], `${path}${keySegment(label)}`));
  }
  let closest: SchemaValueError | undefined;
  for (const b of all) {
    if (b.typeName === 'null') continue;
    try {
      return wrap(b, fromJson(b, v, path));
    } catch (e) {
      if (!(e instanceof SchemaValueError)) throw e;
      // A record that got past its own shape says more than "expected one of".
      if (e.path !== path && !closest) closest = e;
    }
  }
  if (closest) throw closest;
  fail(path, t, v);
}

/** A value that fits: defaults where the schema has them, else a plain value of each type. */
function exampleOf(t: AnyType, depth: number): unknown {
  switch (t.typeName) {
    case 'null':
      return null;
    case 'boolean':
      return false;
    case 'int':
    case 'long':
      return 0;
    case 'float':
    case 'double':
      return 0.0;
    case 'string':
      return 'text';
    case 'bytes':
      return '';
    case 'fixed':
      return '\u0000'.repeat((t as unknown as { size: number }).size);
    case 'enum':
      return symbols(t)[0];
    case 'array':
      return depth > 8 ? [] : [exampleOf(items(t), depth + 1)];
    case 'map':
      return depth > 8 ? {} : { key: exampleOf(values(t), depth + 1) };
    case 'record':
    case 'error': {
      const out: Record<string, unknown> = {};
      for (const f of fields(t)) {
        const def = f.defaultValue();
        out[f.name] =
          def !== undefined ? JSON.parse(f.type.toString(def)) : depth > 8 ? null : exampleOf(f.type, depth + 1);
      }
      return out;
    }
    default: {
      if (!isUnion(t)) return null;
      // The first branch that is not null shows the shape; in Avro's JSON encoding it is wrapped in its name.
      const b = branches(t).find((x) => x.typeName !== 'null');
      if (!b || depth > 8) return null;
      return { [branchLabel(b)]: exampleOf(b, depth + 1) };
    }
  }
}
