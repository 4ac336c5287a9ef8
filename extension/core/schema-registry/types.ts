/**
 * What the schema registry, the serializers and the sandbox's registry share: schema types as Confluent names them,
 * references, a schema with its references resolved, and the errors a value or a schema can have.
 */
import { InvalidInputError, WorkbenchError } from '../util/errors';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

/** `{name, subject, version}` as Confluent writes a reference: `name` is how the schema imports it. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A schema with every reference resolved to its text, recursively: all a parser needs, no registry calls. */
export interface ResolvedSchema {
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

export interface ResolvedReference extends SchemaReference {
  resolved: ResolvedSchema;
}

/** A value (written as JSON) that does not fit its schema: `path` is where, `expected` what the schema wants there. */
export class SchemaValueError extends InvalidInputError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }

  /** The same problem under a longer path (`value` + `.customer.id`). */
  under(prefix: string): SchemaValueError {
    return new SchemaValueError(joinPath(prefix, this.path), this.problem);
  }
}

/** A schema text that does not parse or resolve; the registry answers it with 42201 Invalid schema. */
export class InvalidSchemaError extends InvalidInputError {}

/**
 * A registry that answered with an error, or could not be reached. `errorCode` is Confluent's (40401 subject not
 * found, 40403 schema not found, 409 incompatible, 42201 invalid schema, 401 unauthorized...); 0 when unreachable.
 */
export class SchemaRegistryError extends WorkbenchError {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: number,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** `customer` + `id` → `customer.id`; `items` + `[2]` → `items[2]`; an empty part disappears. */
export function joinPath(base: string, rest: string): string {
  if (!rest) return base;
  if (!base) return rest.startsWith('.') ? rest.slice(1) : rest;
  return rest.startsWith('[') ? base + rest : `${base}.${rest.startsWith('.') ? rest.slice(1) : rest}`;
}

/** A path segment for a key: `.name`, or `["odd key"]` when it is not an identifier. */
export function keySegment(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A value as the error shows it: short JSON. */
export function shownValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  if (text === undefined) return String(v);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}
