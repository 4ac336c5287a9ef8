/**
 * Golden request frames, per client, API and version, captured from real clients (kcat/librdkafka and kafkajs)
 * talking to the sandbox by scripts/capture-protocol-fixtures.ts: each decodes to the object its fixture records
 * and encodes back to the client's very bytes.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import {
  decodeRequestBody,
  decodeRequestHeader,
  encodeRequest,
  isFlexible,
  type ApiKeyNumber,
} from '../../extension/core/kafka/protocol';

const DIR = path.resolve(__dirname, '../fixtures/protocol');

interface Fixture {
  client: string;
  api: string;
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null; bodyOffset: number };
  body: unknown;
  frame: string;
}

/** {"$hex": "..."} back to Buffers. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$hex === 'string' && Object.keys(o).length === 1) return Buffer.from(o.$hex, 'hex');
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

const fixtures = fs.readdirSync(DIR).flatMap((client) =>
  fs.readdirSync(path.join(DIR, client)).map((file) => ({
    file: `${client}/${file}`,
    fixture: JSON.parse(fs.readFileSync(path.join(DIR, client, file), 'utf8')) as Fixture,
  })),
);

describe('golden request frames from real clients', () => {
  it("cover both clients, the producer's and the consumer group's APIs, and a flexible version", () => {
    const clients = new Set(fixtures.map((f) => f.fixture.client.split(' ')[0]));
    assert.deepEqual([...clients].sort(), ['kafkajs', 'kcat']);
    const apis = new Set(fixtures.map((f) => f.fixture.api));
    for (const api of [
      'Produce',
      'Fetch',
      'Metadata',
      'InitProducerId',
      'JoinGroup',
      'SyncGroup',
      'OffsetCommit',
      'ApiVersions',
      'CreateTopics',
    ])
      assert.ok(apis.has(api), api);
    assert.ok(
      fixtures.some((f) => isFlexible(f.fixture.header.apiKey, f.fixture.header.apiVersion)),
      "a flexible version (librdkafka's ApiVersions v3)",
    );
  });

  for (const { file, fixture } of fixtures) {
    it(`${file}: ${fixture.client}'s ${fixture.api} v${fixture.header.apiVersion} decodes to the recorded object and re-encodes to the same bytes`, () => {
      const frame = Buffer.from(fixture.frame, 'hex');
      const header = decodeRequestHeader(frame);
      assert.deepEqual({ ...header }, fixture.header);
      const key = header.apiKey as ApiKeyNumber;
      const body = decodeRequestBody(key, header.apiVersion, frame, header.bodyOffset);
      assert.deepEqual(body, revive(fixture.body));
      const again = encodeRequest(key, header.apiVersion, header, body);
      assert.equal(again.readInt32BE(0), frame.length, 'size prefix');
      assert.equal(again.subarray(4).toString('hex'), fixture.frame);
    });
  }
});
