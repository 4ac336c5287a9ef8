import * as assert from 'node:assert/strict';
import { brokerRows } from '../../extension/host/explorer/broker-nodes';

const broker = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 19090 + nodeId });
const summary = (id: number, up: boolean) => ({ id, address: `127.0.0.1:${19090 + id}`, up });
const describe_ = (rows: ReturnType<typeof brokerRows>) =>
  rows.map((r) => `${r.broker.nodeId}:${r.up ? 'up' : 'stopped'}${r.controller ? ':controller' : ''}`);

describe("explorer: brokerRows (the Clusters view's brokers)", () => {
  it('shows every sandbox broker stopped when all are, even the controller still in the last (stale) metadata', () => {
    // All three stopped: the metadata cannot be fetched again, so the last one up (the controller) stays in it.
    const rows = brokerRows([broker(3)], 3, [summary(1, false), summary(2, false), summary(3, false)]);
    assert.deepEqual(describe_(rows), ['1:stopped', '2:stopped', '3:stopped']);
    assert.equal(rows[0].broker.port, 19091, 'a broker gone from metadata is listed from the sandbox, address and all');
  });

  it('lists brokers gone from metadata from the sandbox, stopped, and marks the running controller', () => {
    const rows = brokerRows([broker(1), broker(3)], 1, [summary(1, true), summary(2, false), summary(3, true)]);
    assert.deepEqual(describe_(rows), ['1:up:controller', '2:stopped', '3:up']);
  });

  it('believes the sandbox over metadata both ways (a broker started again shows up before the next metadata)', () => {
    assert.deepEqual(describe_(brokerRows([broker(1)], 1, [summary(1, true), summary(2, true)])), [
      '1:up:controller',
      '2:up',
    ]);
  });

  it("for other clusters, lists the metadata's brokers as up", () => {
    assert.deepEqual(describe_(brokerRows([broker(2), broker(1)], 2)), ['1:up', '2:up:controller']);
  });

  it('reads IPv6 addresses of stopped sandbox brokers', () => {
    const [row] = brokerRows([], -1, [{ id: 1, address: '[::1]:9092', up: false }]);
    assert.deepEqual(row.broker, { nodeId: 1, host: '::1', port: 9092 });
  });
});
