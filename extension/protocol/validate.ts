/**
 * Checks every message that crosses postMessage: `unknown` in, a typed message or a plain-words error out.
 * Also checks a draft before it is sent (JSON, base64, partition range), so both sides report the same errors.
 */
import {
  ACKS,
  CHART_FILE_FORMATS,
  COMPRESSIONS,
  KEY_FORMATS,
  MAX_REPEAT,
  PARTITIONERS,
  SEND_MODES,
  VALUE_FORMATS,
  type ComposerDraft,
  type DraftHeader,
  type DraftOrigin,
  type DraftProducerSettings,
  type DraftSchemaRef,
  type DraftTransaction,
  type SandboxAction,
  type TopicSummary,
  type WebviewError,
  type WebviewToHost,
} from './messages';
import { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from '../core/kafka/rules/topic-name';
import { VIEWER_FORMATS, type ViewerToHost } from './topic-viewer-messages';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

class Invalid extends Error {}

const MAX_TEXT = 1024 * 1024 * 8; // a value bigger than this is not typed into a form

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(`${where} must be an object`);
  return v as Record<string, unknown>;
}
function str(v: unknown, where: string, max = MAX_TEXT): string {
  if (typeof v !== 'string') throw new Invalid(`${where} must be a string`);
  if (v.length > max) throw new Invalid(`${where} is longer than ${max} characters`);
  return v;
}
function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new Invalid(`${where} must be a whole number from ${min} to ${max}`);
  return v;
}
function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Invalid(`${where} must be true or false`);
  return v;
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new Invalid(`${where} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function parseSettings(v: unknown): DraftProducerSettings {
  const s = obj(v, 'settings');
  return {
    acks: oneOf(s.acks, ACKS, 'settings.acks'),
    'compression.type': oneOf(s['compression.type'], COMPRESSIONS, 'settings.compression.type'),
    'linger.ms': int(s['linger.ms'], 'settings.linger.ms', 0, 3_600_000),
    'batch.size': int(s['batch.size'], 'settings.batch.size', 0, 64 * 1024 * 1024),
    retries: int(s.retries, 'settings.retries', 0, 2147483647),
    'delivery.timeout.ms': int(s['delivery.timeout.ms'], 'settings.delivery.timeout.ms', 1, 2147483647),
    'enable.idempotence': bool(s['enable.idempotence'], 'settings.enable.idempotence'),
    partitioner: oneOf(s.partitioner, PARTITIONERS, 'settings.partitioner'),
    'partitioner.failover': bool(s['partitioner.failover'], 'settings.partitioner.failover'),
  };
}

function parseHeader(v: unknown, i: number): DraftHeader {
  const h = obj(v, `headers[${i}]`);
  return {
    key: str(h.key, `headers[${i}].key`, 32 * 1024),
    value: str(h.value, `headers[${i}].value`),
    binary: bool(h.binary, `headers[${i}].binary`),
  };
}

function parseSchemaRef(v: unknown, where: string): DraftSchemaRef {
  const r = obj(v, where);
  return {
    subject: str(r.subject, `${where}.subject`, 1000),
    version: r.version === null ? null : int(r.version, `${where}.version`, 1, 2 ** 31 - 1),
    recordName: str(r.recordName, `${where}.recordName`, 1000),
  };
}

export function parseDraft(v: unknown): ComposerDraft {
  const d = obj(v, 'draft');
  const schemas: Pick<ComposerDraft, 'keySchema' | 'valueSchema'> = {};
  if (d.keySchema !== undefined) schemas.keySchema = parseSchemaRef(d.keySchema, 'draft.keySchema');
  if (d.valueSchema !== undefined) schemas.valueSchema = parseSchemaRef(d.valueSchema, 'draft.valueSchema');
  if (!Array.isArray(d.headers)) throw new Invalid('draft.headers must be a list');
  if (d.headers.length > 1000) throw new Invalid('draft.headers has more than 1000 entries');
  return {
    topic: str(d.topic, 'draft.topic', 1000),
    keyFormat: oneOf(d.keyFormat, KEY_FORMATS, 'draft.keyFormat'),
    key: str(d.key, 'draft.key'),
    valueFormat: oneOf(d.valueFormat, VALUE_FORMATS, 'draft.valueFormat'),
    value: str(d.value, 'draft.value'),
    headers: d.headers.map(parseHeader),
    partition: d.partition === null ? null : int(d.partition, 'draft.partition', 0, 1_000_000),
    timestamp: d.timestamp === null ? null : int(d.timestamp, 'draft.timestamp', 0, 8_640_000_000_000_000),
    settings: parseSettings(d.settings),
    sendMode: oneOf(d.sendMode, SEND_MODES, 'draft.sendMode'),
    repeat: int(d.repeat, 'draft.repeat', 1, MAX_REPEAT),
    ...schemas,
    ...(d.transaction === undefined || d.transaction === null ? {} : { transaction: parseTransaction(d.transaction) }),
  };
}

function parseTransaction(v: unknown): DraftTransaction {
  const t = obj(v, 'draft.transaction');
  return { id: str(t.id, 'draft.transaction.id', 1000), abort: bool(t.abort, 'draft.transaction.abort') };
}

function parseOrigin(v: unknown): DraftOrigin | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, 'origin');
  const file = str(o.file, 'origin.file', 4096);
  if (!file.endsWith('.kafka.json')) throw new Invalid('origin.file must be a *.kafka.json file');
  return { file, name: str(o.name, 'origin.name', 1000) };
}

function parseSandboxAction(v: unknown): SandboxAction {
  const c = obj(v, 'command');
  const action = oneOf(
    c.action,
    ['stopBroker', 'startBroker', 'moveLeader', 'injectError', 'addLatency', 'clearFaults'] as const,
    'command.action',
  );
  switch (action) {
    case 'stopBroker':
    case 'startBroker':
      return { action, broker: int(c.broker, 'command.broker', 0, 1_000_000) };
    case 'moveLeader':
      return {
        action,
        topic: str(c.topic, 'command.topic', MAX_TOPIC_NAME_LENGTH),
        partition: int(c.partition, 'command.partition', 0, 1_000_000),
        broker: int(c.broker, 'command.broker', 0, 1_000_000),
      };
    case 'injectError':
      return {
        action,
        errorCode: int(c.errorCode, 'command.errorCode', -1, 32767),
        count: int(c.count, 'command.count', 1, 1000),
        ...(c.topic === undefined ? {} : { topic: str(c.topic, 'command.topic', MAX_TOPIC_NAME_LENGTH) }),
      };
    case 'addLatency':
      return {
        action,
        latencyMs: int(c.latencyMs, 'command.latencyMs', 1, 600_000),
        count: int(c.count, 'command.count', 1, 1000),
      };
    case 'clearFaults':
      return { action };
  }
}

/** Validates one message from the webview. Anything unexpected is refused with a reason; nothing throws. */
export function parseWebviewMessage(data: unknown): Parsed<WebviewToHost> {
  try {
    const m = obj(data, 'message');
    const type = oneOf(
      m.type,
      [
        'ready',
        'draftChanged',
        'clearResults',
        'cancelSend',
        'send',
        'refreshMetadata',
        'getTrace',
        'readBack',
        'getBatches',
        'exportTrace',
        'previewPartition',
        'sandbox',
        'connect',
        'previewRecord',
        'schemaSubjects',
        'schemaDetails',
        'checkSchemaValue',
        'getRunCharts',
        'saveChart',
      ] as const,
      'message.type',
    );
    if (type === 'ready' || type === 'clearResults' || type === 'cancelSend') return { ok: true, value: { type } };
    if (type === 'draftChanged')
      return { ok: true, value: { type, draft: parseDraft(m.draft), origin: parseOrigin(m.origin) } };
    const requestId = int(m.requestId, 'message.requestId', 0, Number.MAX_SAFE_INTEGER);
    switch (type) {
      case 'send':
        return { ok: true, value: { type, requestId, draft: parseDraft(m.draft) } };
      case 'refreshMetadata':
      case 'getBatches':
      case 'schemaSubjects':
      case 'getRunCharts':
        return { ok: true, value: { type, requestId } };
      case 'saveChart': {
        const name = str(m.name, 'message.name', 100);
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
          throw new Invalid('message.name must be a plain file name (letters, digits, ".", "_", "-")');
        return {
          ok: true,
          value: {
            type,
            requestId,
            format: oneOf(m.format, CHART_FILE_FORMATS, 'message.format'),
            name,
            data: str(m.data, 'message.data'),
          },
        };
      }
      case 'schemaDetails':
      case 'checkSchemaValue': {
        const part = oneOf(m.part, ['key', 'value'] as const, 'message.part');
        const base = {
          requestId,
          topic: str(m.topic, 'message.topic', MAX_TOPIC_NAME_LENGTH),
          part,
          ref: parseSchemaRef(m.ref, 'message.ref'),
        };
        return {
          ok: true,
          value: type === 'schemaDetails' ? { type, ...base } : { type, ...base, text: str(m.text, 'message.text') },
        };
      }
      case 'getTrace':
      case 'readBack':
        return { ok: true, value: { type, requestId, recordId: str(m.recordId, 'message.recordId', 200) } };
      case 'exportTrace': {
        if (m.recordIds !== null && !Array.isArray(m.recordIds))
          throw new Invalid('message.recordIds must be a list or null');
        const ids =
          m.recordIds === null
            ? null
            : (m.recordIds as unknown[]).map((r, i) => str(r, `message.recordIds[${i}]`, 200));
        return { ok: true, value: { type, requestId, recordIds: ids } };
      }
      case 'previewPartition':
        return {
          ok: true,
          value: {
            type,
            requestId,
            topic: str(m.topic, 'message.topic', MAX_TOPIC_NAME_LENGTH),
            keyFormat: oneOf(m.keyFormat, KEY_FORMATS, 'message.keyFormat'),
            key: str(m.key, 'message.key'),
          },
        };
      case 'sandbox':
        return { ok: true, value: { type, requestId, command: parseSandboxAction(m.command) } };
      case 'connect':
        return { ok: true, value: { type, requestId, connectionId: str(m.connectionId, 'message.connectionId', 200) } };
      case 'previewRecord':
        return { ok: true, value: { type, requestId, draft: parseDraft(m.draft), origin: parseOrigin(m.origin) } };
    }
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    throw e;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(text: string): boolean {
  return BASE64.test(text.replace(/\s+/g, ''));
}

/**
 * Problems a draft has before it can be sent, each tied to its field, in plain words. `topics` (from metadata) lets
 * the partition be checked against the topic's partition count; an unknown topic is left to the broker (auto-create).
 */
export function checkDraft(draft: ComposerDraft, topics: TopicSummary[] = []): WebviewError[] {
  const errors: WebviewError[] = [];
  if (!draft.topic) errors.push({ field: 'topic', message: 'Type or pick a topic to send to.' });
  else {
    // A templated topic ("orders-{{region}}") is checked once rendered, like a collection message's.
    const problem = draft.topic.includes('{{') ? null : topicNameProblem(draft.topic);
    if (problem) errors.push({ field: 'topic', kafkaError: 'INVALID_TOPIC_EXCEPTION', message: `The ${problem}.` });
  }
  if (draft.keyFormat === 'json') {
    const problem = jsonProblem(draft.key);
    if (problem) errors.push({ field: 'key', message: `The key is not valid JSON: ${problem}` });
  }
  if (draft.keyFormat === 'base64' && !isBase64(draft.key))
    errors.push({ field: 'key', message: 'The key is not valid base64 (A-Z, a-z, 0-9, +, / and = padding).' });
  if (draft.valueFormat === 'json') {
    const problem = jsonProblem(draft.value);
    if (problem) errors.push({ field: 'value', message: `The value is not valid JSON: ${problem}` });
  }
  if (draft.valueFormat === 'base64' && !isBase64(draft.value))
    errors.push({ field: 'value', message: 'The value is not valid base64 (A-Z, a-z, 0-9, +, / and = padding).' });
  // A value for a schema is JSON; whether it fits the schema the host checks (it has the registry).
  if (draft.valueFormat === 'schema') {
    const problem = jsonProblem(draft.value);
    if (problem)
      errors.push({
        field: 'value',
        message: `The value is written as JSON for its schema, and is not valid JSON: ${problem}`,
      });
  }
  draft.headers.forEach((h, i) => {
    if (!h.key) errors.push({ field: `headers.${i}`, message: `Header ${i + 1} has no key.` });
    if (h.binary && !isBase64(h.value))
      errors.push({
        field: `headers.${i}`,
        message: `Header "${h.key}" is marked binary but its value is not base64.`,
      });
  });
  const topic = topics.find((t) => t.name === draft.topic);
  if (draft.partition !== null && topic && draft.partition >= topic.partitions.length) {
    errors.push({
      field: 'partition',
      kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION',
      message: `Partition ${draft.partition} is out of range: "${topic.name}" has partitions 0 to ${topic.partitions.length - 1}.`,
    });
  }
  if (draft.repeat < 1 || draft.repeat > MAX_REPEAT)
    errors.push({ field: 'repeat', message: `Repeat must be from 1 to ${MAX_REPEAT}.` });
  if (draft.transaction) {
    if (!draft.transaction.id.trim())
      errors.push({
        field: 'transaction',
        message:
          'Give the transaction a transactional.id (one producer at a time may use it), or untick "Send as one transaction".',
      });
    else if (!draft.settings['enable.idempotence'] || draft.settings.acks !== 'all') {
      errors.push({
        field: 'transaction',
        message:
          'A transaction needs an idempotent producer: set acks to all and tick enable.idempotence in Producer settings.',
      });
    }
  }
  return errors;
}

/** Why `text` is not JSON (with the position JSON.parse reports), or null when it is. */
export function jsonProblem(text: string): string | null {
  if (text.trim() === '') return 'it is empty';
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Checks a message from the topic viewer webview. */
export function parseViewerMessage(data: unknown): Parsed<ViewerToHost> {
  try {
    const m = obj(data, 'message');
    const type = oneOf(
      m.type,
      ['ready', 'start', 'loadMore', 'tail', 'format', 'filter', 'export'] as const,
      'message.type',
    );
    switch (type) {
      case 'start':
        return { ok: true, value: { type, from: str(m.from, 'from', 200) } };
      case 'tail':
        return { ok: true, value: { type, on: bool(m.on, 'on') } };
      case 'format':
        return {
          ok: true,
          value: {
            type,
            keyFormat: oneOf(m.keyFormat, VIEWER_FORMATS, 'keyFormat'),
            valueFormat: oneOf(m.valueFormat, VIEWER_FORMATS, 'valueFormat'),
          },
        };
      case 'filter':
        return { ok: true, value: { type, text: str(m.text, 'text', 10_000) } };
      default:
        return { ok: true, value: { type } };
    }
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    throw e;
  }
}
