/**
 * JSON Schema with ajv: drafts 6, 7, 2019-09 and 2020-12 (by `$schema`, draft 7 when absent), referenced schemas
 * added under their reference names, values checked with errors naming the path and what the schema expects, the
 * payload as compact UTF-8 JSON (Confluent's JSON Schema serializer). Compatibility: see json-compatibility.ts.
 */
import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';
import { InvalidSchemaError, SchemaValueError, keySegment, shownValue, type ResolvedSchema } from '../types';
import type { ParsedSchema } from './format';
import { jsonReadProblems, type JsonNode } from './json-compatibility';

export function parseJsonSchema(resolved: ResolvedSchema): ParsedSchema {
  const root = parseJsonText(resolved.schema, 'the schema');
  const draft = typeof root === 'object' && root !== null ? String((root as { $schema?: unknown }).$schema ?? '') : '';
  if (/draft-0[34]/.test(draft))
    throw new InvalidSchemaError(`JSON Schema ${draft} is not supported; use draft-06, draft-07, 2019-09 or 2020-12`);
  const options = { allErrors: true, verbose: true, strict: false, validateFormats: false } as const;
  const ajv = draft.includes('2020-12')
    ? new Ajv2020(options)
    : draft.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  if (draft.includes('draft-06')) ajv.addMetaSchema(draft6);
  const referenced = new Map<string, JsonNode>();
  const add = (schema: ResolvedSchema) => {
    for (const r of schema.references) {
      if (referenced.has(r.name)) continue;
      const node = parseJsonText(r.resolved.schema, `reference ${r.name}`);
      referenced.set(r.name, node);
      add(r.resolved);
      try {
        ajv.addSchema(node as AnySchema, r.name);
      } catch (e) {
        throw new InvalidSchemaError(`reference ${r.name} is not a valid JSON Schema: ${(e as Error).message}`);
      }
    }
  };
  add(resolved);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(root as AnySchema);
  } catch (e) {
    throw new InvalidSchemaError(`not a valid JSON Schema: ${(e as Error).message}`);
  }
  return new JsonSchema(root, referenced, validate, JSON.stringify(root));
}

function parseJsonText(text: string, what: string): JsonNode {
  let node: unknown;
  try {
    node = JSON.parse(text);
  } catch (e) {
    throw new InvalidSchemaError(`${what} is not JSON: ${(e as Error).message}`);
  }
  if (typeof node !== 'boolean' && (typeof node !== 'object' || node === null || Array.isArray(node))) {
    throw new InvalidSchemaError(`${what} must be a JSON object (or true/false), got ${shownValue(node)}`);
  }
  return node as JsonNode;
}

class JsonSchema implements ParsedSchema {
  readonly schemaType = 'JSON' as const;

  constructor(
    readonly root: JsonNode,
    readonly referenced: Map<string, JsonNode>,
    private readonly validate: ValidateFunction,
    readonly canonical: string,
  ) {}

  recordNames(): string[] {
    const title = typeof this.root === 'object' ? this.root.title : undefined;
    return typeof title === 'string' ? [title] : [];
  }

  encode(value: unknown): Buffer {
    if (!this.validate(value)) throw describeFirst(this.validate.errors ?? []);
    return Buffer.from(JSON.stringify(value), 'utf8');
  }

  decode(payload: Buffer): { value: unknown } {
    return { value: JSON.parse(payload.toString('utf8')) };
  }

  example(): unknown {
    return exampleOf(this.root, this, 0);
  }

  readProblems(writer: ParsedSchema): string[] {
    if (!(writer instanceof JsonSchema)) return [`cannot compare a JSON Schema with a ${writer.schemaType} schema`];
    return jsonReadProblems(this.root, writer.root, (ref, from) => this.deref(ref, from === 'reader' ? this : writer));
  }

  /** A `$ref` within this schema (`#/definitions/x`, `#/$defs/x`) or to a referenced schema by name. */
  deref(ref: string, schema: JsonSchema = this): JsonNode | undefined {
    const [file, pointer = ''] = ref.split('#');
    const base = file ? schema.referenced.get(file) : schema.root;
    if (base === undefined) return undefined;
    let node: unknown = base;
    for (const part of pointer.split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
    return node as JsonNode | undefined;
  }
}

/** ajv's instancePath `/customer/tags/0` as `.customer.tags[0]`. */
function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : keySegment(p)))
    .join('');
}

function typeWords(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any value';
  const s = schema as { type?: unknown; enum?: unknown[]; const?: unknown; $ref?: string };
  if (s.const !== undefined) return shownValue(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => shownValue(v)).join(', ')}`;
  if (s.type !== undefined) return [s.type].flat().map(String).join(' or ');
  if (s.$ref) return s.$ref;
  return 'any value';
}

/**
 * The most useful of ajv's errors as one SchemaValueError. Branch errors of anyOf/oneOf are left out when a more
 * specific one exists; a missing property names what it should have been.
 */
function describeFirst(errors: ErrorObject[]): SchemaValueError {
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'if', 'allOf'].includes(e.keyword));
  const e = specific.sort((a, b) => b.instancePath.length - a.instancePath.length)[0] ?? errors[0];
  if (!e) return new SchemaValueError('', 'does not fit the schema');
  const path = pathOf(e.instancePath);
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
      return new SchemaValueError(
        path + keySegment(missing),
        `missing required property "${missing}": expected ${typeWords(props?.[missing])}`,
      );
    }
    case 'type':
      return new SchemaValueError(
        path,
        `expected ${(e.params as { type: string | string[] }).type}, got ${shownValue(e.data)}`,
      );
    case 'enum':
      return new SchemaValueError(
        path,
        `${shownValue(e.data)} is not allowed; expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => shownValue(v)).join(', ')}`,
      );
    case 'const':
      return new SchemaValueError(
        path,
        `expected ${shownValue((e.params as { allowedValue: unknown }).allowedValue)}, got ${shownValue(e.data)}`,
      );
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return new SchemaValueError(
        path + keySegment(extra),
        `property "${extra}" is not allowed here${known.length ? `; the schema has ${known.join(', ')}` : ''}`,
      );
    }
    default:
      return new SchemaValueError(path, `${e.message ?? 'does not fit the schema'} (got ${shownValue(e.data)})`);
  }
}

/** A value that fits, for "fill example": defaults, examples, const and enum first; every property of an object. */
function exampleOf(node: JsonNode | undefined, schema: JsonSchema, depth: number): unknown {
  if (node === undefined || typeof node === 'boolean' || depth > 12) return null;
  if (node.default !== undefined) return node.default;
  if (Array.isArray(node.examples) && node.examples.length) return node.examples[0];
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum) && node.enum.length) return node.enum[0];
  if (typeof node.$ref === 'string') return exampleOf(schema.deref(node.$ref), schema, depth + 1);
  for (const k of ['oneOf', 'anyOf'] as const) {
    const list = node[k];
    if (Array.isArray(list) && list.length)
      return exampleOf(
        list.find((b) => typeof b !== 'object' || (b as { type?: unknown }).type !== 'null') ?? list[0],
        schema,
        depth + 1,
      );
  }
  if (Array.isArray(node.allOf)) {
    const parts = node.allOf.map((b) => exampleOf(b as JsonNode, schema, depth + 1));
    if (parts.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p)))
      return Object.assign({}, ...parts);
  }
  const type = [node.type].flat().find((t) => t !== 'null') ?? (node.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, JsonNode>))
        out[k] = exampleOf(v, schema, depth + 1);
      return out;
    }
    case 'array': {
      const itemsNode = Array.isArray(node.prefixItems)
        ? node.prefixItems
        : Array.isArray(node.items)
          ? node.items
          : node.items === undefined
            ? []
            : [node.items];
      const min = typeof node.minItems === 'number' ? node.minItems : 1;
      return itemsNode.length
        ? (itemsNode as JsonNode[]).map((i) => exampleOf(i, schema, depth + 1))
        : Array.from({ length: Math.min(min, 0) }, () => null);
    }
    case 'string': {
      const len = typeof node.minLength === 'number' ? node.minLength : 0;
      const text =
        node.format === 'date-time'
          ? new Date(0).toISOString()
          : node.format === 'date'
            ? '1970-01-01'
            : node.format === 'email'
              ? 'someone@example.com'
              : node.format === 'uuid'
                ? '00000000-0000-0000-0000-000000000000'
                : 'text';
      return text.length >= len ? text : text.padEnd(len, 'x');
    }
    case 'integer':
    case 'number':
      return typeof node.minimum === 'number'
        ? node.minimum
        : typeof node.exclusiveMinimum === 'number'
          ? type === 'integer'
            ? Math.floor(node.exclusiveMinimum) + 1
            : node.exclusiveMinimum + 1
          : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}
