/**
 * Protobuf schemas (.proto text) with protobufjs: references parsed into one root (google/protobuf well-known types
 * built in, as Confluent has them), JSON values checked field by field and encoded with Confluent's message indexes,
 * decoding by those indexes, examples, and compatibility following Confluent's Protobuf rules.
 */
import protobuf from 'protobufjs';
import { InvalidInputError } from '../../util/errors';
import { InvalidSchemaError, SchemaValueError, keySegment, shownValue, type ResolvedSchema } from '../types';
import { readMessageIndexes, writeMessageIndexes } from '../wire-format';
import type { ParsedSchema } from './format';
import { protobufReadProblems } from './protobuf-compatibility';

const PARSE_OPTIONS = { keepCase: true };

export function parseProtobuf(resolved: ResolvedSchema): ParsedSchema {
  const root = new protobuf.Root();
  const loaded = new Set<string>();
  const wellKnown = (imports: string[] | undefined, given: Set<string>) => {
    for (const name of imports ?? []) {
      if (given.has(name) || loaded.has(name)) continue;
      const json = protobuf.common.get(name) as { nested: protobuf.INamespace['nested'] } | null;
      if (!json) continue; // an import with no reference: resolveAll names the type it lacks
      loaded.add(name);
      root.addJSON(json.nested ?? {});
    }
  };
  const load = (schema: ResolvedSchema, what: string): protobuf.IParserResult => {
    for (const r of schema.references) {
      const key = `${r.subject}/${r.version}`;
      if (loaded.has(key) || loaded.has(r.name)) continue;
      loaded.add(key);
      loaded.add(r.name);
      load(r.resolved, `reference ${r.name}`);
    }
    try {
      const parsed = protobuf.parse(schema.schema, root, PARSE_OPTIONS);
      wellKnown(parsed.imports, new Set(schema.references.map((r) => r.name)));
      return parsed;
    } catch (e) {
      throw new InvalidSchemaError(`${what} is not valid .proto text: ${(e as Error).message}`);
    }
  };
  const main = load(resolved, 'the schema');
  try {
    root.resolveAll();
  } catch (e) {
    throw new InvalidSchemaError(`the schema does not resolve: ${(e as Error).message} (is a reference missing?)`);
  }
  // The file on its own, for the order of its messages: message indexes count declarations in this file only.
  const fileRoot = protobuf.parse(resolved.schema, new protobuf.Root(), PARSE_OPTIONS).root;
  const top = main.package ? fileRoot.lookup(main.package) : fileRoot;
  const fileMessages = top instanceof protobuf.Namespace ? messagesIn(top) : [];
  if (!fileMessages.length) throw new InvalidSchemaError('the schema declares no message');
  const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(resolved.schema)?.[1] ?? 'proto2';
  return new ProtobufSchema(
    root,
    main.package ?? '',
    syntax,
    fileMessages.map((t) => t.fullName.replace(/^\./, '')),
    resolved.schema.trim(),
  );
}

function messagesIn(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

export class ProtobufSchema implements ParsedSchema {
  readonly schemaType = 'PROTOBUF' as const;

  constructor(
    readonly root: protobuf.Root,
    readonly packageName: string,
    readonly syntax: string,
    /** Full names of the file's top-level messages, in declaration order. */
    readonly topLevel: string[],
    readonly canonical: string,
  ) {}

  /** Every message of the file (nested ones too), full names, in declaration order. */
  recordNames(): string[] {
    const out: string[] = [];
    const walk = (t: protobuf.Type) => {
      out.push(t.fullName.replace(/^\./, ''));
      messagesIn(t).forEach(walk);
    };
    this.topLevel.forEach((name) => walk(this.root.lookupType(name)));
    return out;
  }

  /** The message a name picks: its full name, or the name without the package; the first message by default. */
  messageType(name?: string): protobuf.Type {
    const names = this.recordNames();
    if (name === undefined || name === '') return this.root.lookupType(names[0]);
    const full = names.find((n) => n === name || n === `${this.packageName}.${name}`.replace(/^\./, ''));
    if (!full)
      throw new InvalidInputError(`message "${name}" is not in the schema; its messages are ${names.join(', ')}`);
    return this.root.lookupType(full);
  }

  /** Confluent's message indexes: the message's position among its file's (or parent's) messages, outermost first. */
  indexesOf(type: protobuf.Type): number[] {
    const path: number[] = [];
    let t: protobuf.ReflectionObject | null = type;
    while (t instanceof protobuf.Type) {
      const parent: protobuf.Namespace | null = t.parent;
      if (parent instanceof protobuf.Type) path.unshift(messagesIn(parent).indexOf(t));
      else path.unshift(this.topLevel.indexOf(t.fullName.replace(/^\./, '')));
      t = parent;
    }
    return path;
  }

  encode(value: unknown, recordName?: string): Buffer {
    const type = this.messageType(recordName);
    const checked = messageFromJson(type, value, '');
    const bytes = type.encode(type.fromObject(checked)).finish();
    return Buffer.concat([writeMessageIndexes(this.indexesOf(type)), Buffer.from(bytes)]);
  }

  decode(payload: Buffer): { value: unknown; recordName: string } {
    const { indexes, offset } = readMessageIndexes(payload);
    let list = this.topLevel.map((n) => this.root.lookupType(n));
    let type: protobuf.Type | undefined;
    for (const i of indexes) {
      type = list[i];
      if (!type)
        throw new InvalidInputError(
          `message index ${indexes.join(',')} names no message of the schema (it has ${this.recordNames().join(', ')})`,
        );
      list = messagesIn(type);
    }
    const message = type!.decode(payload.subarray(offset));
    const value = type!.toObject(message, {
      longs: String,
      enums: String,
      bytes: String,
      defaults: true,
      oneofs: false,
    });
    return { value, recordName: type!.fullName.replace(/^\./, '') };
  }

  example(recordName?: string): unknown {
    return exampleOf(this.messageType(recordName), 0);
  }

  readProblems(writer: ParsedSchema): string[] {
    if (!(writer instanceof ProtobufSchema))
      return [`cannot compare a Protobuf schema with a ${writer.schemaType} schema`];
    return protobufReadProblems(this, writer);
  }
}

const INT32 = ['int32', 'sint32', 'sfixed32'];
const UINT32 = ['uint32', 'fixed32'];
const INT64 = ['int64', 'sint64', 'sfixed64'];
const UINT64 = ['uint64', 'fixed64'];

export function describeField(f: protobuf.Field): string {
  const one = (type: string, resolved: protobuf.Type | protobuf.Enum | null): string => {
    if (resolved instanceof protobuf.Enum)
      return `enum ${resolved.name} (one of ${Object.keys(resolved.values).join(', ')})`;
    if (resolved instanceof protobuf.Type) return `message ${resolved.fullName.replace(/^\./, '')} (an object)`;
    if (INT32.includes(type)) return `${type} (a whole number from -2147483648 to 2147483647)`;
    if (UINT32.includes(type)) return `${type} (a whole number from 0 to 4294967295)`;
    if (INT64.includes(type) || UINT64.includes(type)) return `${type} (a whole number, or one as a string)`;
    if (type === 'bytes') return 'bytes (base64 text)';
    if (type === 'bool') return 'bool (true or false)';
    if (type === 'float' || type === 'double') return `${type} (a number)`;
    return type;
  };
  if (f.map) return `a map (an object) of ${one(f.type, f.resolvedType)}`;
  if (f.repeated) return `a list of ${one(f.type, f.resolvedType)}`;
  return one(f.type, f.resolvedType);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON object as protobufjs' plain object for `type`: every field checked, JSON names (camelCase) accepted. */
function messageFromJson(type: protobuf.Type, v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v))
    throw new SchemaValueError(
      path,
      `expected message ${type.fullName.replace(/^\./, '')} (an object), got ${shownValue(v)}`,
    );
  const out: Record<string, unknown> = {};
  const byName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(jsonName(f.name), f);
  }
  for (const [k, item] of Object.entries(v)) {
    const f = byName.get(k);
    const at = path + keySegment(k);
    if (!f)
      throw new SchemaValueError(
        at,
        `message ${type.name} has no field "${k}"; its fields are ${type.fieldsArray.map((x) => x.name).join(', ')}`,
      );
    if (item === null) continue; // JSON null: the field's default
    out[f.name] = fieldFromJson(f, item, at);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => out[f.name] !== undefined);
    if (set.length > 1)
      throw new SchemaValueError(
        path,
        `fields ${set.map((f) => f.name).join(' and ')} are one of oneof "${oneof.name}": set at most one`,
      );
  }
  for (const f of type.fieldsArray) {
    if (f.required && out[f.name] === undefined)
      throw new SchemaValueError(
        path + keySegment(f.name),
        `missing required field "${f.name}": expected ${describeField(f)}`,
      );
  }
  return out;
}

function jsonName(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fieldFromJson(f: protobuf.Field, v: unknown, path: string): unknown {
  const fail = (): never => {
    throw new SchemaValueError(path, `expected ${describeField(f)}, got ${shownValue(v)}`);
  };
  if (f.map) {
    if (!isObject(v)) fail();
    const keyType = (f as unknown as protobuf.MapField).keyType;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v as object)) {
      if (keyType === 'bool' ? k !== 'true' && k !== 'false' : keyType !== 'string' && !/^-?\d+$/.test(k)) {
        throw new SchemaValueError(path + keySegment(k), `map key "${k}" is not a ${keyType}`);
      }
      out[k] = singleFromJson(f, item, path + keySegment(k));
    }
    return out;
  }
  if (f.repeated) {
    if (!Array.isArray(v)) fail();
    return (v as unknown[]).map((item, i) => singleFromJson(f, item, `${path}[${i}]`));
  }
  return singleFromJson(f, v, path);
}

function singleFromJson(f: protobuf.Field, v: unknown, path: string): unknown {
  const fail = (): never => {
    throw new SchemaValueError(
      path,
      `expected ${describeField({ ...f, map: false, repeated: false } as protobuf.Field)}, got ${shownValue(v)}`,
    );
  };
  const resolved = f.resolvedType;
  if (resolved instanceof protobuf.Type) return messageFromJson(resolved, v, path);
  if (resolved instanceof protobuf.Enum) {
    if (typeof v === 'string') {
      if (!(v in resolved.values))
        throw new SchemaValueError(
          path,
          `${shownValue(v)} is not a value of enum ${resolved.name}; expected one of ${Object.keys(resolved.values).join(', ')}`,
        );
      return v;
    }
    if (typeof v === 'number' && Object.values(resolved.values).includes(v)) return v;
    return fail();
  }
  const type = f.type;
  const whole = (min: number, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail();
  if (INT32.includes(type)) return whole(-2147483648, 2147483647);
  if (UINT32.includes(type)) return whole(0, 4294967295);
  if (INT64.includes(type) || UINT64.includes(type)) {
    const unsigned = UINT64.includes(type);
    if (typeof v === 'string' && (unsigned ? /^\d+$/ : /^-?\d+$/).test(v)) return v;
    if (typeof v === 'number' && Number.isInteger(v) && (!unsigned || v >= 0)) {
      if (!Number.isSafeInteger(v))
        throw new SchemaValueError(
          path,
          `${shownValue(v)} is beyond 2^53 and cannot be sent exactly; write it as a string ("${BigInt(v)}")`,
        );
      return v;
    }
    return fail();
  }
  switch (type) {
    case 'double':
    case 'float':
      return typeof v === 'number' ? v : fail();
    case 'bool':
      return typeof v === 'boolean' ? v : fail();
    case 'string':
      return typeof v === 'string' ? v : fail();
    case 'bytes': {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}$/.test(v)) return fail();
      return v;
    }
    default:
      return fail();
  }
}

function exampleOf(type: protobuf.Type, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seenOneofs = new Set<string>();
  for (const f of type.fieldsArray) {
    if (f.partOf) {
      if (seenOneofs.has(f.partOf.name)) continue;
      seenOneofs.add(f.partOf.name);
    }
    const one = (): unknown => {
      const r = f.resolvedType;
      if (r instanceof protobuf.Type) return depth > 8 ? {} : exampleOf(r, depth + 1);
      if (r instanceof protobuf.Enum) return Object.keys(r.values)[0];
      if (f.type === 'string') return 'text';
      if (f.type === 'bool') return false;
      if (f.type === 'bytes') return '';
      return 0;
    };
    if (f.map)
      out[f.name] =
        depth > 8
          ? {}
          : {
              [(f as unknown as protobuf.MapField).keyType === 'string'
                ? 'key'
                : (f as unknown as protobuf.MapField).keyType === 'bool'
                  ? 'true'
                  : '0']: one(),
            };
    else if (f.repeated) out[f.name] = depth > 8 ? [] : [one()];
    else out[f.name] = one();
  }
  return out;
}
