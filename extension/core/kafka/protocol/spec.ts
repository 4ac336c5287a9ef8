/**
 * The language the message specs in ./specs are written in: Kafka's JSON message-spec model (fields with
 * `versions`, `nullableVersions`, tagged fields, defaults), as compact TypeScript data. The codec compiles a layout
 * per API, version and direction from it, and scripts/generate-protocol.ts writes the request and response types
 * (messages.generated.ts) from the same data, so a type cannot drift from its encoding.
 */

/** Kafka's primitive types. int64 values are JS numbers (exact to 2^53, beyond any offset, id or timestamp). */
export type Primitive =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

/** A primitive, an array of primitives (`'[]int32'`), an array of structs (their fields) or one struct. */
export type FieldType = Primitive | `[]${Primitive}` | FieldSpec[] | { struct: FieldSpec[] };

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** Kafka's "versions": '0+', '3-5', '7'. */
  v: string;
  /** Kafka's "nullableVersions". */
  nullable?: string;
  /** A tagged field (flexible versions only): its tag and its "taggedVersions". */
  tag?: number;
  tagged?: string;
  /** The value a version without the field decodes to, and the value a tagged field is left out at. */
  default?: number | string | boolean | null;
}

export interface FieldOptions {
  v?: string;
  nullable?: string;
  tag?: number;
  tagged?: string;
  default?: number | string | boolean | null;
}

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export interface ApiSpec {
  key: number;
  /** Kafka's name of the API ('Produce'). */
  name: string;
  /** The versions this project encodes and decodes (a broker or client may speak fewer). */
  versions: VersionRange;
  /** First flexible version (KIP-482: compact lengths, tagged fields, request header v2, response header v1). */
  flexible: number | null;
  /** First version whose throttleTimeMs the client must honour itself (KIP-219), where the client sends it. */
  clientThrottle: number | null;
  request: FieldSpec[];
  response: FieldSpec[];
}

export function f(name: string, type: FieldType, options: FieldOptions = {}): FieldSpec {
  return { name, type, v: options.v ?? '0+', ...options };
}

export function api(spec: {
  key: number;
  name: string;
  versions: string;
  flexible?: number;
  clientThrottle?: number;
  request: FieldSpec[];
  response: FieldSpec[];
}): ApiSpec {
  const [min, max] = spec.versions.split('-').map(Number);
  return {
    ...spec,
    versions: { min: min!, max: max ?? min! },
    flexible: spec.flexible ?? null,
    clientThrottle: spec.clientThrottle ?? null,
  };
}

/** Whether `version` is in a spec version string ('0+', '2-4', '3'); undefined (none given) is never. */
export function inVersions(spec: string | undefined, version: number): boolean {
  if (spec === undefined || spec === 'none') return false;
  if (spec.endsWith('+')) return version >= Number(spec.slice(0, -1));
  const [lo, hi] = spec.split('-');
  return version >= Number(lo) && version <= Number(hi ?? lo);
}

/** Whether the field exists at every version of `range` (otherwise some version decodes it to its default). */
export function inEveryVersion(spec: string, range: VersionRange): boolean {
  for (let v = range.min; v <= range.max; v++) if (!inVersions(spec, v)) return false;
  return true;
}

export function inSomeVersion(spec: string | undefined, range: VersionRange): boolean {
  for (let v = range.min; v <= range.max; v++) if (inVersions(spec, v)) return true;
  return false;
}
