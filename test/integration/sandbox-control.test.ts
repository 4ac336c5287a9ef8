import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { partitionsOf } from './sandbox-helpers';

describe('sandbox control server over HTTP', function () {
  this.timeout(10_000);
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({
      port: 0,
      controlPort: 0,
      electionDelayMs: 20,
      topics: [{ name: 'ctl', partitions: 2 }],
    });
  });
  after(() => sandbox.stop());

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(sandbox.controlUrl + path, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('reports brokers, topics with partition leaders, replicas, ISR and offsets, and faults', async () => {
    const r = await call('GET', '/state');
    assert.equal(r.status, 200);
    const state = r.body as {
      brokers: { id: number; port: number; up: boolean }[];
      topics: { name: string }[];
      faults: unknown[];
    };
    assert.deepEqual(
      state.brokers.map((b) => [b.id, b.port, b.up]),
      sandbox.brokers.map((b) => [b.id, b.port, true]),
    );
    assert.ok(state.topics.some((t) => t.name === 'ctl'));
    assert.deepEqual(state.faults, []);
    const [p0] = partitionsOf(sandbox, 'ctl');
    assert.equal(p0.replicas.length, 3);
    assert.equal(p0.highWatermark, 0);
  });

  it('stops and starts a broker, moves a leader, adds and clears a fault', async () => {
    assert.equal((await call('POST', '/brokers/2/stop')).status, 200);
    assert.equal(sandbox.brokers[1].up, false);
    assert.equal((await call('POST', '/brokers/2/start')).status, 200);
    assert.equal(sandbox.brokers[1].up, true);

    const target = partitionsOf(sandbox, 'ctl')[0].replicas.find((b) => b !== partitionsOf(sandbox, 'ctl')[0].leader)!;
    assert.equal((await call('POST', '/partitions/ctl/0/leader', { broker: target })).status, 200);
    assert.equal(partitionsOf(sandbox, 'ctl')[0].leader, target);

    const added = await call('POST', '/faults', { api: 'Produce', errorCode: 6, count: 2, broker: 1 });
    assert.equal(added.status, 201);
    assert.equal((sandbox.state() as unknown as { faults: unknown[] }).faults.length, 1);
    assert.equal((await call('DELETE', '/faults')).status, 200);
    assert.equal((sandbox.state() as unknown as { faults: unknown[] }).faults.length, 0);
  });

  it('answers 400 with a message saying what was wrong, and changes nothing', async () => {
    const before = JSON.stringify(sandbox.state());
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/faults', '{not json', /not valid JSON/],
      ['POST', '/faults', { api: 'NoSuchApi', errorCode: 6 }, /NoSuchApi/],
      ['POST', '/faults', { api: 'Produce', errorCode: 100000 }, /errorCode/],
      ['POST', '/faults', { api: 'Produce', count: -1, errorCode: 6 }, /count/],
      ['POST', '/faults', { api: 'Produce' }, /effect|errorCode|latencyMs|dropResponse/i],
      ['POST', '/brokers/7/stop', undefined, /broker 7/],
      ['POST', '/brokers/one/stop', undefined, /whole number/],
      ['POST', '/partitions/nosuch/0/leader', { broker: 1 }, /nosuch/],
      ['POST', '/partitions/ctl/9/leader', { broker: 1 }, /9/],
      ['POST', '/partitions/ctl/0/leader', { broker: 42 }, /42/],
      ['POST', '/partitions/ctl/0/leader', {}, /broker/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await call(method, path, body);
      assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)} -> ${JSON.stringify(r.body)}`);
      assert.match(String(r.body.error), message, `${method} ${path}`);
    }
    assert.equal(JSON.stringify(sandbox.state()), before);
  });

  it('answers 404 for an unknown route', async () => {
    const r = await call('GET', '/topics/ctl/nothing');
    assert.equal(r.status, 404);
    assert.match(String(r.body.error), /no such route/);
  });
});

describe('startSandbox refusals', () => {
  it('refuses a taken broker or control port with a message naming it, and refuses bad options naming the option', async () => {
    const net = await import('node:net');
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as import('node:net').AddressInfo).port;
    try {
      await assert.rejects(
        startSandbox({ brokers: 1, port, controlPort: 0 }),
        new RegExp(`broker 1 cannot listen on 127\\.0\\.0\\.1:${port} .*EADDRINUSE.*Choose another port`),
      );
      await assert.rejects(
        startSandbox({ brokers: 1, port: 0, controlPort: port }),
        new RegExp(`control server cannot listen on 127\\.0\\.0\\.1:${port}`),
      );
    } finally {
      taken.close();
    }
    await assert.rejects(
      startSandbox({ port: 0, replicationFactor: 5, brokers: 3 }),
      /replicationFactor must be a whole number from 1 to 3/,
    );
    await assert.rejects(startSandbox({ port: 0, host: '0.0.0.0' }), /host must be a loopback address/);
  });
});
