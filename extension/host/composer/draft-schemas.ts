/**
 * The composer's "Schema Registry" key and value format, on the host (it has the registry): the subjects to pick
 * from, a subject's schema with an example value, a typed value checked as the user types, and the draft's key and
 * value encoded for sending. Serializers are kept a few seconds per client, so typing does not fetch each time.
 */
import type { SchemaRegistryClient } from '../../core/schema-registry/client';
import type { SchemaSerializer, SchemaUsed } from '../../core/schema-registry/serializer';
import { InvalidInputError } from '../../core/util/errors';
import { prettyJson } from '../../protocol/json-text';
import { defaultSchemaRef, type ComposerDraft, type DraftSchemaRef, type SchemaDetails } from '../../protocol/messages';
import { loadSchemaRegistry } from '../kafka/core';

const SERIALIZER_TTL_MS = 10_000;
const MAX_CACHED = 50;
const cache = new WeakMap<SchemaRegistryClient, Map<string, { at: number; serializer: Promise<SchemaSerializer> }>>();

/** The active connection's registry, or an error saying how to get one. */
export type RegistrySource = () => Promise<SchemaRegistryClient | undefined>;

async function requireRegistry(registry: RegistrySource): Promise<SchemaRegistryClient> {
  const client = await registry();
  if (!client)
    throw new InvalidInputError(
      'The active connection has no schema registry: connect to the Local sandbox (it has one), or edit the connection and give its schema registry URL.',
    );
  return client;
}

function serializer(
  client: SchemaRegistryClient,
  topic: string,
  part: 'key' | 'value',
  ref: DraftSchemaRef,
): Promise<SchemaSerializer> {
  let perClient = cache.get(client);
  if (!perClient) cache.set(client, (perClient = new Map()));
  const key = JSON.stringify([topic, part, ref]);
  const now = Date.now();
  const hit = perClient.get(key);
  if (hit && now - hit.at < SERIALIZER_TTL_MS) return hit.serializer;
  // Typing a topic asks for a new subject at each key: old entries go, so the cache stays small.
  for (const [k, v] of perClient)
    if (now - v.at >= SERIALIZER_TTL_MS || perClient.size > MAX_CACHED) perClient.delete(k);
  if (!ref.subject && !topic)
    return Promise.reject(
      new InvalidInputError(`Type a topic first: the ${part}'s subject is <topic>-${part} unless you pick one.`),
    );
  const selection = {
    ...(ref.subject ? { subject: ref.subject } : {}),
    ...(ref.version !== null ? { version: ref.version } : {}),
    ...(ref.recordName ? { recordName: ref.recordName } : {}),
  };
  const made = loadSchemaRegistry().createSerializer(client, topic, part, selection);
  made.catch(() => perClient!.delete(key));
  perClient.set(key, { at: now, serializer: made });
  return made;
}

export async function schemaSubjects(
  registry: RegistrySource,
): Promise<{ registry: string | null; subjects: string[] }> {
  const client = await registry();
  if (!client) return { registry: null, subjects: [] };
  return { registry: client.url, subjects: await client.subjects() };
}

export async function schemaDetails(
  registry: RegistrySource,
  topic: string,
  part: 'key' | 'value',
  ref: DraftSchemaRef,
): Promise<SchemaDetails> {
  const s = await serializer(await requireRegistry(registry), topic, part, ref);
  const text = s.schema.canonical;
  // A .proto text is shown as stored; Avro and JSON Schema are JSON (shown as stored if that is not so).
  const shown = s.used.schemaType === 'PROTOBUF' ? text : (prettyJson(text) ?? text);
  return {
    subject: s.used.subject ?? null,
    version: s.used.version ?? null,
    id: s.used.id,
    schemaType: s.used.schemaType,
    schema: shown,
    recordNames: s.schema.recordNames(),
    example: JSON.stringify(s.schema.example(ref.recordName || undefined), null, 2),
  };
}

/** Whether the typed text fits: the problem in words (path and what the schema expects), or null. */
export async function checkSchemaValue(
  registry: RegistrySource,
  topic: string,
  part: 'key' | 'value',
  ref: DraftSchemaRef,
  text: string,
): Promise<{ problem: string | null }> {
  const s = await serializer(await requireRegistry(registry), topic, part, ref);
  try {
    encodePart(s, part, text);
    return { problem: null };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

function encodePart(s: SchemaSerializer, part: 'key' | 'value', text: string): Buffer {
  return part === 'key' ? s.encode(loadSchemaRegistry().keyTextValue(text)) : s.encodeText(text);
}

/**
 * The draft's key and value, encoded where their format is 'schema': a value that does not fit is an error on its
 * field, before anything is sent.
 */
export async function encodeDraftSchemas(
  registry: RegistrySource,
  draft: ComposerDraft,
): Promise<{ key?: Buffer; value?: Buffer; used: SchemaUsed[] }> {
  const out: { key?: Buffer; value?: Buffer; used: SchemaUsed[] } = { used: [] };
  for (const part of ['key', 'value'] as const) {
    if ((part === 'key' ? draft.keyFormat : draft.valueFormat) !== 'schema') continue;
    const ref = (part === 'key' ? draft.keySchema : draft.valueSchema) ?? defaultSchemaRef();
    try {
      const s = await serializer(await requireRegistry(registry), draft.topic, part, ref);
      out[part] = encodePart(s, part, part === 'key' ? draft.key : draft.value);
      out.used.push(s.used);
    } catch (e) {
      throw Object.assign(new InvalidInputError(e instanceof Error ? e.message : String(e), { cause: e }), {
        field: part,
      });
    }
  }
  return out;
}
