/**
 * Encodes and decodes Kafka request and response bodies for every API and version in SUPPORTED_VERSIONS, driven
 * by the field layouts in schemas.ts (compiled once per API, version and direction). Decoding never copies
 * `records` (a view of the frame) and throws only ProtocolError on malformed or truncated input.
 */
import { ApiKey, SUPPORTED_VERSIONS, apiName, isSupportedApi, supportedApiVersionsList } from './api-keys';
import { ErrorCode } from '../../kafka/protocol/errors';
import { ProtocolError, Reader } from '../../kafka/protocol/reader';
import { Writer } from '../../kafka/protocol/writer';
import { SCHEMAS, type FieldSpec, type FieldType, type Primitive } from './schemas';
import type { RequestByApiKey, ResponseByApiKey } from './messages';

export { ProtocolError } from '../../kafka/protocol/reader';

type Body = Record<string, unknown>;

interface CompiledField {
  name: string;
  present: boolean;
  nullable: boolean;
  /** Value used when the version lacks the field (decode) or the body leaves it out (encode). */
  fallback: () => unknown;
  decode: (r: Reader) => unknown;
  encode: (w: Writer, value: unknown) => void;
}

interface CompiledStruct {
  fields: CompiledField[];
  /** Fewest bytes one instance takes on the wire, to refuse array counts that cannot fit. */
  minBytes: number;
  decode: (r: Reader) => Body;
  encode: (w: Writer, body: Body) => void;
}

function inRange(spec: string | undefined, version: number): boolean {
  if (spec === undefined) return false;
  if (spec.endsWith('+')) return version >= Number(spec.slice(0, -1));
  const [lo, hi] = spec.split('-');
  return version >= Number(lo) && version <= Number(hi ?? lo);
}

const PRIMITIVE_MIN_BYTES: Record<Primitive, number> = { int8: 1, bool: 1, int16: 2, int32: 4, int64: 8, string: 2, bytes: 4, records: 4 };

function primitiveDecoder(p: Primitive, nullable: boolean): (r: Reader) => unknown {
  switch (p) {
    case 'int8':
      return (r) => r.int8();
    case 'bool':
      return (r) => r.bool();
    case 'int16':
      return (r) => r.int16();
    case 'int32':
      return (r) => r.int32();
    case 'int64':
      return (r) => r.int64();
    case 'string':
      return nullable ? (r) => r.string(true) : (r) => r.string(false);
    case 'bytes':
    case 'records':
      return nullable ? (r) => r.bytes(true) : (r) => r.bytes(false);
  }
}

function primitiveEncoder(p: Primitive, nullable: boolean): (w: Writer, v: unknown) => void {
  switch (p) {
    case 'int8':
      return (w, v) => w.int8(Number(v ?? 0));
    case 'bool':
      return (w, v) => w.bool(Boolean(v));
    case 'int16':
      return (w, v) => w.int16(Number(v ?? 0));
    case 'int32':
      return (w, v) => w.int32(Number(v ?? 0));
    case 'int64':
      return (w, v) => w.int64(Number(v ?? 0));
    case 'string':
      return (w, v) => w.string(v === null || v === undefined ? (nullable ? null : '') : String(v));
    case 'bytes':
    case 'records':
      return (w, v) => w.bytes(v === null || v === undefined ? (nullable ? null : EMPTY) : (v as Buffer));
  }
}

const EMPTY = Buffer.alloc(0);

function typeDefault(type: FieldType): () => unknown {
  if (typeof type === 'object') return () => [];
  switch (type) {
    case 'bool':
      return () => false;
    case 'string':
      return () => '';
    case 'bytes':
      return () => EMPTY;
    case 'records':
      return () => null;
    default:
      return () => 0;
  }
}

function compileField(spec: FieldSpec, version: number): CompiledField {
  const present = inRange(spec.v ?? '0+', version);
  const nullable = inRange(spec.nullable, version);
  const fallback = spec.default !== undefined ? () => spec.default : typeDefault(spec.type);
  let decode: (r: Reader) => unknown;
  let encode: (w: Writer, v: unknown) => void;
  const type = spec.type;
  if (typeof type === 'string') {
    decode = primitiveDecoder(type, nullable);
    encode = primitiveEncoder(type, nullable);
  } else {
    const element = 'array' in type
      ? { minBytes: PRIMITIVE_MIN_BYTES[type.array], decode: primitiveDecoder(type.array, false), encode: primitiveEncoder(type.array, false) }
      : compileStruct(type.structs, version);
    decode = (r) => {
      const n = r.arrayLength(nullable, element.minBytes);
      if (n === null) return null;
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = element.decode(r);
      return out;
    };
    encode = (w, v) => {
      if (v === null || v === undefined) {
        w.int32(nullable ? -1 : 0);
        return;
      }
      const items = v as unknown[];
      w.int32(items.length);
      for (const item of items) (element.encode as (w: Writer, v: unknown) => void)(w, item);
    };
  }
  return { name: spec.name, present, nullable, fallback, decode, encode };
}

function compileStruct(specs: FieldSpec[], version: number): CompiledStruct {
  const fields = specs.map((s) => compileField(s, version));
  let minBytes = 0;
  for (const s of specs) {
    if (!inRange(s.v ?? '0+', version)) continue;
    minBytes += typeof s.type === 'string' ? PRIMITIVE_MIN_BYTES[s.type] : 4;
  }
  return {
    fields,
    minBytes,
    decode(r) {
      const body: Body = {};
      for (const field of fields) body[field.name] = field.present ? field.decode(r) : field.fallback();
      return body;
    },
    encode(w, body) {
      for (const field of fields) {
        if (!field.present) continue;
        const value = body[field.name];
        field.encode(w, value === undefined ? field.fallback() : value);
      }
    },
  };
}

const compiled = new Map<string, CompiledStruct>();

function structFor(apiKey: number, version: number, direction: 'request' | 'response'): CompiledStruct {
  const cacheKey = `${apiKey}/${version}/${direction}`;
  let s = compiled.get(cacheKey);
  if (!s) {
    if (!isSupportedApi(apiKey)) throw new ProtocolError(`Unknown API key ${apiKey}.`);
    const range = SUPPORTED_VERSIONS[apiKey];
    if (version < range.min || version > range.max) {
      throw new ProtocolError(`${apiName(apiKey)} v${version} is not supported (supported: v${range.min}-v${range.max}).`);
    }
    s = compileStruct(SCHEMAS[apiKey]![direction], version);
    compiled.set(cacheKey, s);
  }
  return s;
}

function decodeBody(apiKey: number, version: number, buf: Buffer, offset: number, direction: 'request' | 'response'): Body {
  const struct = structFor(apiKey, version, direction);
  try {
    return struct.decode(new Reader(buf, offset));
  } catch (e) {
    if (e instanceof ProtocolError) throw new ProtocolError(`Malformed ${apiName(apiKey)} v${version} ${direction}: ${e.message}`);
    throw new ProtocolError(`Malformed ${apiName(apiKey)} v${version} ${direction}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Decodes a request body starting at `offset` of `buf` (the frame; `offset` is RequestHeader.bodyOffset).
 * Metadata v0's "empty list = all topics" decodes as `topics: null`, the meaning later versions give null.
 */
export function decodeRequest<K extends keyof RequestByApiKey>(apiKey: K, version: number, buf: Buffer, offset: number): RequestByApiKey[K];
export function decodeRequest(apiKey: number, version: number, buf: Buffer, offset: number): unknown;
export function decodeRequest(apiKey: number, version: number, buf: Buffer, offset: number): unknown {
  const body = decodeBody(apiKey, version, buf, offset, 'request');
  if (apiKey === ApiKey.Metadata && version === 0 && Array.isArray(body.topics) && body.topics.length === 0) body.topics = null;
  return body;
}

/** Decodes a response body (after the correlation id). The sandbox never needs it; tests and tools do. */
export function decodeResponse<K extends keyof ResponseByApiKey>(apiKey: K, version: number, buf: Buffer, offset: number): ResponseByApiKey[K];
export function decodeResponse(apiKey: number, version: number, buf: Buffer, offset: number): unknown;
export function decodeResponse(apiKey: number, version: number, buf: Buffer, offset: number): unknown {
  return decodeBody(apiKey, version, buf, offset, 'response');
}

/** The whole response frame: 4-byte size, correlation id (response header v0), body. */
export function encodeResponse(apiKey: number, version: number, correlationId: number, body: unknown): Buffer {
  const struct = structFor(apiKey, version, 'response');
  const w = new Writer();
  w.int32(0).int32(correlationId);
  struct.encode(w, (body ?? {}) as Body);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/** The whole request frame (size, header v1, body), as a client sends it. For tests, tools and the fuzzer. */
export function encodeRequest(apiKey: number, version: number, header: { correlationId: number; clientId: string | null }, body: unknown): Buffer {
  const struct = structFor(apiKey, version, 'request');
  const w = new Writer();
  w.int32(0).int16(apiKey).int16(version).int32(header.correlationId).string(header.clientId);
  const b = (body ?? {}) as Body;
  struct.encode(w, apiKey === ApiKey.Metadata && version === 0 && b.topics === null ? { ...b, topics: [] } : b);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/**
 * What a broker answers to an ApiVersions request of a version it does not support: a v0 response with
 * UNSUPPORTED_VERSION and the versions it does support, so the client can retry with one of them.
 */
export function encodeApiVersionsUnsupported(correlationId: number, withSasl = false): Buffer {
  return encodeResponse(ApiKey.ApiVersions, 0, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: supportedApiVersionsList(withSasl) });
}
