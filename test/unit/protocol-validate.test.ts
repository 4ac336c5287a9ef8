import * as assert from 'node:assert/strict';
import { defaultDraft, type ComposerDraft } from '../../extension/protocol/messages';
import { checkDraft, isBase64, jsonProblem, parseWebviewMessage } from '../../extension/protocol/validate';

const draft = (over: Partial<ComposerDraft> = {}): ComposerDraft => ({
  ...defaultDraft(),
  topic: 'orders',
  value: 'v',
  ...over,
});

describe('protocol: parseWebviewMessage', () => {
  it('accepts a well-formed send request and returns it typed', () => {
    const r = parseWebviewMessage({
      type: 'send',
      requestId: 7,
      draft: draft({
        headers: [
          { key: 'a', value: 'AQI=', binary: true },
          { key: 'a', value: 'dup', binary: false },
        ],
      }),
    });
    assert.equal(r.ok, true);
    if (r.ok && r.value.type === 'send') {
      assert.equal(r.value.requestId, 7);
      assert.equal(r.value.draft.headers.length, 2, 'duplicate header keys are kept');
    } else assert.fail('expected a send message');
  });

  it('accepts ready, clearResults and the sandbox actions', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
    assert.deepEqual(parseWebviewMessage({ type: 'clearResults' }), { ok: true, value: { type: 'clearResults' } });
    const r = parseWebviewMessage({ type: 'sandbox', requestId: 1, command: { action: 'stopBroker', broker: 2 } });
    assert.deepEqual(r, {
      ok: true,
      value: { type: 'sandbox', requestId: 1, command: { action: 'stopBroker', broker: 2 } },
    });
  });

  it('accepts a connect request naming a connection, and refuses one without', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'connect', requestId: 3, connectionId: 'sandbox' }), {
      ok: true,
      value: { type: 'connect', requestId: 3, connectionId: 'sandbox' },
    });
    assert.deepEqual(parseWebviewMessage({ type: 'connect', requestId: 3 }), {
      ok: false,
      error: 'message.connectionId must be a string',
    });
  });

  it('refuses non-objects and unknown message types, naming what was wrong', () => {
    assert.deepEqual(parseWebviewMessage(null), { ok: false, error: 'message must be an object' });
    assert.deepEqual(parseWebviewMessage('send'), { ok: false, error: 'message must be an object' });
    const r = parseWebviewMessage({ type: 'runShell', requestId: 1 });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /message.type must be one of ready, draftChanged/);
  });

  it('refuses a request without a whole-number request id', () => {
    const r = parseWebviewMessage({ type: 'getTrace', requestId: '1', recordId: 'r' });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /message.requestId must be a whole number/);
  });

  it('refuses a draft with a wrong field type or an out-of-range setting and names the field', () => {
    const bad = { ...draft(), settings: { ...defaultDraft().settings, acks: 'most' } };
    const r = parseWebviewMessage({ type: 'send', requestId: 1, draft: bad });
    assert.deepEqual(r, { ok: false, error: 'settings.acks must be one of all, 1, 0' });
    const r2 = parseWebviewMessage({ type: 'send', requestId: 1, draft: { ...draft(), repeat: 0 } });
    assert.deepEqual(r2, { ok: false, error: 'draft.repeat must be a whole number from 1 to 10000' });
    const r3 = parseWebviewMessage({
      type: 'draftChanged',
      draft: { ...draft(), headers: [{ key: 1, value: 'x', binary: false }] },
    });
    assert.deepEqual(r3, { ok: false, error: 'headers[0].key must be a string' });
  });

  it('refuses an unknown sandbox action and a negative latency', () => {
    assert.equal(parseWebviewMessage({ type: 'sandbox', requestId: 1, command: { action: 'format-disk' } }).ok, false);
    const r = parseWebviewMessage({
      type: 'sandbox',
      requestId: 1,
      command: { action: 'addLatency', latencyMs: -5, count: 1 },
    });
    assert.deepEqual(r, { ok: false, error: 'command.latencyMs must be a whole number from 1 to 600000' });
  });

  it('never throws on hostile input', () => {
    const inputs: unknown[] = [
      undefined,
      0,
      [],
      { type: 'send' },
      { type: 'send', requestId: 1, draft: [] },
      { type: 'exportTrace', requestId: 1, recordIds: 'all' },
    ];
    for (const input of inputs) assert.equal(parseWebviewMessage(input).ok, false, JSON.stringify(input));
  });
});

describe('protocol: checkDraft', () => {
  it('passes a complete draft', () => {
    assert.deepEqual(checkDraft(draft()), []);
  });

  it("asks for a topic and rejects an invalid topic name with Kafka's error name", () => {
    assert.equal(checkDraft(draft({ topic: '' }))[0].field, 'topic');
    const [e] = checkDraft(draft({ topic: 'has space' }));
    assert.equal(e.kafkaError, 'INVALID_TOPIC_EXCEPTION');
    assert.match(e.message, /topic name 'has space' has characters Kafka does not allow/);
  });

  it("reports invalid JSON in the value next to the value field, with the parser's reason", () => {
    const [e] = checkDraft(draft({ valueFormat: 'json', value: '{"a":' }));
    assert.equal(e.field, 'value');
    assert.match(e.message, /^The value is not valid JSON: /);
  });

  it('reports invalid base64 keys and binary header values', () => {
    assert.equal(checkDraft(draft({ keyFormat: 'base64', key: 'not base64!' }))[0].field, 'key');
    const [h] = checkDraft(draft({ headers: [{ key: 'bin', value: '@@', binary: true }] }));
    assert.equal(h.field, 'headers.0');
  });

  it('reports a partition out of range for a known topic', () => {
    const topics = [
      {
        name: 'orders',
        partitions: [0, 1, 2].map((p) => ({ partition: p, leader: 1, replicas: [1], isr: [1], offline: false })),
      },
    ];
    const [e] = checkDraft(draft({ partition: 3 }), topics);
    assert.equal(e.kafkaError, 'UNKNOWN_TOPIC_OR_PARTITION');
    assert.match(e.message, /Partition 3 is out of range: "orders" has partitions 0 to 2/);
    assert.deepEqual(checkDraft(draft({ partition: 2 }), topics), []);
  });

  it('recognises base64 and JSON', () => {
    assert.equal(isBase64('AQID'), true);
    assert.equal(isBase64('AQI='), true);
    assert.equal(isBase64('AQI'), false);
    assert.equal(jsonProblem('{"a":1}'), null);
    assert.equal(jsonProblem('  '), 'it is empty');
  });
});
describe('protocol: a draft sent as one transaction', () => {
  it('carries the transaction through validation, and refuses a malformed one', () => {
    const r = parseWebviewMessage({
      type: 'send',
      requestId: 1,
      draft: draft({ transaction: { id: 'orders-tx', abort: true } }),
    });
    assert.ok(r.ok && r.value.type === 'send');
    if (r.ok && r.value.type === 'send') assert.deepEqual(r.value.draft.transaction, { id: 'orders-tx', abort: true });
    const bad = parseWebviewMessage({
      type: 'send',
      requestId: 1,
      draft: { ...draft(), transaction: { id: 'x', abort: 'yes' } },
    });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /draft\.transaction\.abort must be true or false/);
  });

  it('asks for a transactional.id and an idempotent producer next to the transaction field', () => {
    const [noId] = checkDraft(draft({ transaction: { id: ' ', abort: false } }));
    assert.equal(noId.field, 'transaction');
    assert.match(noId.message, /Give the transaction a transactional\.id/);
    const [notIdempotent] = checkDraft(
      draft({ transaction: { id: 'tx', abort: false }, settings: { ...defaultDraft().settings, acks: '1' } }),
    );
    assert.match(notIdempotent.message, /needs an idempotent producer: set acks to all/);
    assert.deepEqual(checkDraft(draft({ transaction: { id: 'tx', abort: false } })), []);
  });
});
