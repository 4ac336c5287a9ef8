/**
 * Encodes and decodes Kafka request and response frames for every API and version in ./specs, for the client
 * (transport) and the sandbox alike. A field layout is compiled once per API, version and direction from the spec;
 * flexible versions get compact lengths and tagged fields. Decoding never copies `records` or `bytes` (views of the
 * frame) and throws only ProtocolError on malformed or truncated input; encoding keeps record batches as chunks of
 * their own.
 */
import { ProtocolError, Reader } from './reader';
import { Writer, type Chunks } from './writer';
import { inVersions, type ApiSpec, type FieldSpec, type Primitive, type VersionRange } from './spec';
import { API_SPECS } from './specs';
import type { ApiKeyNumber, RequestByKey, ResponseByKey } from './messages.generated';

export { ProtocolError } from './reader';
export type { Chunks } from './writer';

type Body = Record<string, unknown>;
type Direction = 'request' | 'response';

const SPECS_BY_KEY = new Map<number, ApiSpec>(API_SPECS.map((s) => [s.key, s]));

/** The spec of an API key, or undefined for one this project does not know. */
export function apiSpec(apiKey: number): ApiSpec | undefined {
  return SPECS_BY_KEY.get(apiKey);
}

/** The API's Kafka name, or `ApiKey(<n>)` for a key this project does not know. */
export function apiName(apiKey: number): string {
  return SPECS_BY_KEY.get(apiKey)?.name ?? `ApiKey(${apiKey})`;
}

/** The versions of an API the codec encodes and decodes. */
export function codecVersions(apiKey: number): VersionRange | undefined {
  return SPECS_BY_KEY.get(apiKey)?.versions;
}

/** Flexible versions (KIP-482) have compact lengths and tagged fields, and headers with tagged fields. */
export function isFlexible(apiKey: number, apiVersion: number): boolean {
  const first = SPECS_BY_KEY.get(apiKey)?.flexible;
  return first !== undefined && first !== null && apiVersion >= first;
}

/** Request header v2 (tagged fields after the client id) for flexible versions, else v1. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** Response header v1 (tagged fields after the correlation id) for flexible versions, except ApiVersions (KIP-511). */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  return isFlexible(apiKey, apiVersion) && apiKey !== API_VERSIONS_KEY ? 1 : 0;
}

const API_VERSIONS_KEY = 18;

/** Whether the client itself must hold back after a response's throttleTimeMs (KIP-219), at this version. */
export function throttlesClientSide(apiKey: number, apiVersion: number): boolean {
  const from = SPECS_BY_KEY.get(apiKey)?.clientThrottle;
  return from !== undefined && from !== null && apiVersion >= from;
}

// ---- compiled layouts -------------------------------------------------------------------------------------------

interface CompiledField {
  name: string;
  present: boolean;
  /** The tag, when the field is a tagged field in this version. */
  tag: number | undefined;
  /** Value used when the version lacks the field (decode) or the body leaves it out (encode). */
  fallback: () => unknown;
  /** A tagged field equal to its default is left out. */
  isDefault: (value: unknown) => boolean;
  minBytes: number;
  decode: (r: Reader) => unknown;
  encode: (w: Writer, value: unknown) => void;
}

interface Compiled {
  /** Fewest bytes one instance takes on the wire, to refuse array counts that cannot fit. */
  minBytes: number;
  decode: (r: Reader) => unknown;
  encode: (w: Writer, value: unknown) => void;
}

const EMPTY = Buffer.alloc(0);
/** Fewest bytes a value takes: its size, or its length prefix's (1 when compact). */
const MIN_BYTES: Record<Primitive, number> = {
  int8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
  string: 2,
  bytes: 4,
  records: 4,
};

function primitive(p: Primitive, nullable: boolean, compact: boolean): Compiled {
  const minBytes = compact && (p === 'string' || p === 'bytes' || p === 'records') ? 1 : MIN_BYTES[p];
  const num = (v: unknown): number => Number(v ?? 0);
  switch (p) {
    case 'int8':
      return { minBytes, decode: (r) => r.int8(), encode: (w, v) => w.int8(num(v)) };
    case 'bool':
      return { minBytes, decode: (r) => r.bool(), encode: (w, v) => w.bool(Boolean(v)) };
    case 'int16':
      return { minBytes, decode: (r) => r.int16(), encode: (w, v) => w.int16(num(v)) };
    case 'uint16':
      return { minBytes, decode: (r) => r.uint16(), encode: (w, v) => w.uint16(num(v)) };
    case 'int32':
      return { minBytes, decode: (r) => r.int32(), encode: (w, v) => w.int32(num(v)) };
    case 'uint32':
      return { minBytes, decode: (r) => r.uint32(), encode: (w, v) => w.uint32(num(v)) };
    case 'int64':
      return { minBytes, decode: (r) => r.int64(), encode: (w, v) => w.int64(num(v)) };
    case 'float64':
      return { minBytes, decode: (r) => r.float64(), encode: (w, v) => w.float64(num(v)) };
    case 'uuid':
      return {
        minBytes,
        decode: (r) => r.uuid(),
        encode: (w, v) => w.raw(Buffer.isBuffer(v) && v.length === 16 ? v : Buffer.alloc(16)),
      };
    case 'string':
      return {
        minBytes,
        decode: (r) => r.string(nullable, compact),
        encode: (w, v) => w.string(v === null || v === undefined ? (nullable ? null : '') : String(v), compact),
      };
    case 'bytes':
    case 'records':
      return {
        minBytes,
        decode: (r) => r.bytes(nullable, compact),
        encode: (w, v) => w.bytes(v === null || v === undefined ? (nullable ? null : EMPTY) : (v as Buffer), compact),
      };
  }
}

function typeDefault(spec: FieldSpec, version: number, flexible: boolean): () => unknown {
  if (spec.default !== undefined) return () => spec.default;
  const type = spec.type;
  if (Array.isArray(type) || (typeof type === 'string' && type.startsWith('[]'))) return () => [];
  if (typeof type === 'object') {
    const inner = compileStruct(type.struct, version, flexible);
    return () => inner.decodeDefaults();
  }
  switch (type) {
    case 'bool':
      return () => false;
    case 'string':
      return () => '';
    case 'bytes':
      return () => EMPTY;
    case 'records':
      return () => null;
    case 'uuid':
      return () => Buffer.alloc(16);
    default:
      return () => 0;
  }
}

function compileField(spec: FieldSpec, version: number, flexible: boolean): CompiledField {
  const present = inVersions(spec.v, version);
  const tag = flexible && spec.tag !== undefined && inVersions(spec.tagged, version) ? spec.tag : undefined;
  const nullable = inVersions(spec.nullable, version);
  const fallback = typeDefault(spec, version, flexible);
  const compiled = compileType(spec, version, flexible, nullable);
  const defaultValue = fallback();
  const isDefault = (v: unknown): boolean =>
    v === undefined || v === defaultValue || (Array.isArray(v) && v.length === 0 && Array.isArray(defaultValue));
  return {
    name: spec.name,
    present,
    tag,
    fallback,
    isDefault,
    minBytes: compiled.minBytes,
    decode: compiled.decode,
    encode: compiled.encode,
  };
}

function compileType(spec: FieldSpec, version: number, flexible: boolean, nullable: boolean): Compiled {
  const type = spec.type;
  if (typeof type === 'string' && !type.startsWith('[]')) return primitive(type as Primitive, nullable, flexible);
  if (!Array.isArray(type) && typeof type === 'object') {
    const struct = compileStruct(type.struct, version, flexible);
    return { minBytes: struct.minBytes, decode: struct.decode, encode: struct.encode };
  }
  const element: Compiled = Array.isArray(type)
    ? compileStruct(type, version, flexible)
    : primitive(type.slice(2) as Primitive, false, flexible);
  return {
    minBytes: flexible ? 1 : 4,
    decode: (r) => {
      const n = r.arrayLength(nullable, element.minBytes, flexible);
      if (n === null) return null;
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = element.decode(r);
      return out;
    },
    encode: (w, v) => {
      if (v === null || v === undefined) {
        w.arrayLength(nullable ? null : 0, flexible);
        return;
      }
      const items = v as unknown[];
      w.arrayLength(items.length, flexible);
      for (const item of items) element.encode(w, item);
    },
  };
}

interface CompiledStruct extends Compiled {
  decodeDefaults(): Body;
}

function compileStruct(specs: FieldSpec[], version: number, flexible: boolean): CompiledStruct {
  const fields = specs.map((s) => compileField(s, version, flexible));
  const inline = fields.filter((f) => f.present && f.tag === undefined);
  const tagged = fields.filter((f) => f.present && f.tag !== undefined).sort((a, b) => a.tag! - b.tag!);
  const byTag = new Map(tagged.map((f) => [f.tag!, f]));
  const minBytes = inline.reduce((n, f) => n + f.minBytes, flexible ? 1 : 0);
  const decodeDefaults = (): Body => {
    const body: Body = {};
    for (const field of fields) body[field.name] = field.fallback();
    return body;
  };
  return {
    minBytes,
    decodeDefaults,
    decode(r) {
      const body: Body = {};
      for (const field of fields)
        body[field.name] = field.present && field.tag === undefined ? field.decode(r) : field.fallback();
      if (flexible) readTaggedFields(r, byTag, body);
      return body;
    },
    encode(w, value) {
      const body = (value ?? {}) as Body;
      for (const field of inline) {
        const v = body[field.name];
        field.encode(w, v === undefined ? field.fallback() : v);
      }
      if (flexible) writeTaggedFields(w, tagged, body);
    },
  };
}

/** A tagged-field section: a count, then per field its tag, its size and its bytes. Unknown tags are skipped. */
function readTaggedFields(r: Reader, byTag: ReadonlyMap<number, CompiledField>, body: Body): void {
  const count = r.uvarint();
  let lastTag = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    if (tag <= lastTag) throw new ProtocolError(`Tagged fields out of order: tag ${tag} after tag ${lastTag}.`);
    lastTag = tag;
    const size = r.uvarint();
    const field = byTag.get(tag);
    if (!field) {
      r.skip(size, `tagged field ${tag}`);
      continue;
    }
    const end = r.at + size;
    if (size > r.remaining)
      throw new ProtocolError(`Tagged field ${tag} declares ${size} bytes but ${r.remaining} remain.`);
    const outerEnd = r.end;
    r.end = end;
    try {
      body[field.name] = field.decode(r);
      if (r.at !== end)
        throw new ProtocolError(
          `Tagged field ${tag} declares ${size} bytes but its value takes ${size - (end - r.at)}.`,
        );
    } finally {
      r.end = outerEnd;
    }
  }
}

function writeTaggedFields(w: Writer, tagged: readonly CompiledField[], body: Body): void {
  const present = tagged.filter((f) => !f.isDefault(body[f.name]));
  w.uvarint(present.length);
  for (const field of present) {
    const value = new Writer(64);
    field.encode(value, body[field.name]);
    const bytes = value.toBuffer();
    w.uvarint(field.tag!).uvarint(bytes.length).raw(bytes);
  }
}

const compiled = new Map<string, CompiledStruct>();

function layout(apiKey: number, version: number, direction: Direction): CompiledStruct {
  const cacheKey = `${apiKey}/${version}/${direction}`;
  let s = compiled.get(cacheKey);
  if (!s) {
    const spec = SPECS_BY_KEY.get(apiKey);
    if (!spec) throw new ProtocolError(`Unknown API key ${apiKey}.`);
    if (version < spec.versions.min || version > spec.versions.max) {
      throw new ProtocolError(
        `${spec.name} v${version} is not supported (supported: v${spec.versions.min}-v${spec.versions.max}).`,
      );
    }
    s = compileStruct(spec[direction], version, isFlexible(apiKey, version));
    compiled.set(cacheKey, s);
  }
  return s;
}

function decodeBody(apiKey: number, version: number, r: Reader, direction: Direction): unknown {
  const struct = layout(apiKey, version, direction);
  try {
    return struct.decode(r);
  } catch (e) {
    const reason = e instanceof ProtocolError ? e.message : (e as Error).message;
    throw new ProtocolError(`Malformed ${apiName(apiKey)} v${version} ${direction}: ${reason}`, { cause: e });
  }
}

// ---- bodies -----------------------------------------------------------------------------------------------------

/** A request body (what follows the request header) as chunks: record batches are chunks of their own. */
export function encodeRequestBody<K extends ApiKeyNumber>(apiKey: K, version: number, body: RequestByKey[K]): Chunks {
  const w = new Writer();
  layout(apiKey, version, 'request').encode(w, body);
  return w.toChunks();
}

/** Decodes a request body starting at `offset` of `frame` (RequestHeader.bodyOffset). */
export function decodeRequestBody<K extends ApiKeyNumber>(
  apiKey: K,
  version: number,
  frame: Buffer,
  offset: number,
): RequestByKey[K] {
  return decodeBody(apiKey, version, new Reader(frame, offset), 'request') as RequestByKey[K];
}

/**
 * Decodes a response from what follows its correlation id (what a connection hands over): the response header's
 * tagged fields (header v1) are skipped, then the body is read.
 */
export function decodeResponse<K extends ApiKeyNumber>(
  apiKey: K,
  version: number,
  payload: Buffer,
  offset = 0,
): ResponseByKey[K] {
  const r = new Reader(payload, offset);
  if (responseHeaderVersion(apiKey, version) === 1) skipTaggedFields(r, 'response header');
  return decodeBody(apiKey, version, r, 'response') as ResponseByKey[K];
}

function skipTaggedFields(r: Reader, what: string): void {
  try {
    readTaggedFields(r, new Map(), {});
  } catch (e) {
    throw new ProtocolError(`Malformed ${what}: ${(e as Error).message}`, { cause: e });
  }
}

// ---- headers and frames -----------------------------------------------------------------------------------------

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Where the request body starts in the frame. */
  bodyOffset: number;
}

/**
 * Decodes the header of a request frame (the bytes after the 4-byte size): v1, or v2 with tagged fields for
 * flexible versions of the APIs the codec knows. The client id is a classic nullable string in both.
 */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(true);
  if (apiVersion < 0) throw new ProtocolError(`Negative API version ${apiVersion} for API key ${apiKey}.`);
  if (requestHeaderVersion(apiKey, apiVersion) === 2) skipTaggedFields(r, 'request header');
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.at };
}

/** The frame's size and the request header (v1 or v2), for a body of `bodyLength` bytes that follows. */
export function encodeRequestHeader(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  bodyLength: number,
): Buffer {
  const w = new Writer(64).int32(0).int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId);
  if (requestHeaderVersion(apiKey, apiVersion) === 2) w.uvarint(0);
  const header = w.toBuffer();
  header.writeInt32BE(header.length - 4 + bodyLength, 0);
  return header;
}

/** A whole request frame (size, header, body) as one buffer: for tests, tools and the fuzzer. */
export function encodeRequest<K extends ApiKeyNumber>(
  apiKey: K,
  version: number,
  header: { correlationId: number; clientId: string | null },
  body: RequestByKey[K],
): Buffer {
  const encoded = encodeRequestBody(apiKey, version, body);
  return Buffer.concat([
    encodeRequestHeader(apiKey, version, header.correlationId, header.clientId, encoded.length),
    ...encoded.chunks,
  ]);
}

/** A whole response frame: size, response header (v0, or v1 with tagged fields), body. */
export function encodeResponse<K extends ApiKeyNumber>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ResponseByKey[K],
): Buffer {
  const w = new Writer().int32(0).int32(correlationId);
  if (responseHeaderVersion(apiKey, version) === 1) w.uvarint(0);
  layout(apiKey, version, 'response').encode(w, body);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/** Whether a version of an API is in a range (a broker's, the codec's, the sandbox's). */
export function inRange(range: VersionRange | undefined, version: number): boolean {
  return range !== undefined && version >= range.min && version <= range.max;
}

/** The highest version both sides speak, or undefined when the ranges do not meet. */
export function highestCommonVersion(ours: VersionRange, theirs: VersionRange): number | undefined {
  const v = Math.min(ours.max, theirs.max);
  return v >= Math.max(ours.min, theirs.min) ? v : undefined;
}
