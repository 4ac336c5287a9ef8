import { strict as assert } from 'node:assert';
import http from 'node:http';
import { ControlServer, SandboxControls } from '../../extension/core/sandbox/control-server';
import { InvalidInputError } from '../../extension/core/util/errors';

/** Records what the control server asked for; refuses what a real sandbox would refuse. */
class RecordingControls implements SandboxControls {
  calls: unknown[][] = [];
  state() {
    return { brokers: [{ id: 1, up: true }] };
  }
  async stopBroker(id: number) {
    if (id !== 1) throw new InvalidInputError(`no broker ${id}; brokers are 1..1`);
    this.calls.push(['stopBroker', id]);
  }
  async startBroker(id: number) {
    this.calls.push(['startBroker', id]);
  }
  setAutoLeaderRebalance(enabled: boolean) {
    this.calls.push(['setAutoLeaderRebalance', enabled]);
  }
  moveLeader(topic: string, partition: number, broker: number) {
    this.calls.push(['moveLeader', topic, partition, broker]);
  }
  addFault(spec: unknown) {
    if ((spec as { api?: unknown }).api === 'Nope')
      throw new InvalidInputError("api 'Nope' is not a Kafka API the sandbox serves");
    this.calls.push(['addFault', spec]);
    return { id: 1, ...(spec as object) };
  }
  clearFaults() {
    this.calls.push(['clearFaults']);
  }
  createTopic(name: string, partitions?: number, rf?: number, configs?: Record<string, string>) {
    this.calls.push(['createTopic', name, partitions, rf, configs]);
  }
}

describe('sandbox control server', () => {
  let controls: RecordingControls;
  let server: ControlServer;
  let url: string;
  let logged: string[];
  beforeEach(async () => {
    controls = new RecordingControls();
    logged = [];
    server = new ControlServer(controls, { host: '127.0.0.1', port: 0, log: (line) => logged.push(line) });
    url = await server.start();
  });
  afterEach(() => server.stop());

  async function call(method: string, path: string, body?: string) {
    const res = await fetch(url + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('serves the state as JSON', async () => {
    const r = await call('GET', '/state');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { brokers: [{ id: 1, up: true }] });
  });

  it('stops and starts brokers, moves leaders, adds and clears faults, creates topics', async () => {
    assert.equal((await call('POST', '/brokers/1/stop')).status, 200);
    assert.equal((await call('POST', '/brokers/1/start')).status, 200);
    assert.equal((await call('POST', '/partitions/my.topic/2/leader', '{"broker": 3}')).status, 200);
    const fault = await call('POST', '/faults', '{"api": "Produce", "errorCode": 6, "count": 2}');
    assert.equal(fault.status, 201);
    assert.equal(fault.body.errorCode, 6);
    assert.equal((await call('DELETE', '/faults')).status, 200);
    assert.equal(
      (
        await call(
          'POST',
          '/topics',
          '{"name": "t", "partitions": 4, "configs": {"message.timestamp.type": "LogAppendTime"}}',
        )
      ).status,
      201,
    );
    assert.deepEqual(controls.calls, [
      ['stopBroker', 1],
      ['startBroker', 1],
      ['moveLeader', 'my.topic', 2, 3],
      ['addFault', { api: 'Produce', errorCode: 6, count: 2 }],
      ['clearFaults'],
      ['createTopic', 't', 4, undefined, { 'message.timestamp.type': 'LogAppendTime' }],
    ]);
  });

  it('answers 400 naming the problem for bad JSON, bad path numbers, bad bodies and refused values', async () => {
    const cases: [string, string, string | undefined, RegExp][] = [
      ['POST', '/faults', '{"api": ', /not valid JSON/],
      ['POST', '/faults', '[1,2]', /must be a JSON object/],
      ['POST', '/faults', '{"api": "Nope", "errorCode": 6}', /api 'Nope' is not a Kafka API/],
      ['POST', '/brokers/x/stop', undefined, /broker id in the path must be a whole number, got 'x'/],
      ['POST', '/brokers/9/stop', undefined, /no broker 9/],
      ['POST', '/partitions/t/zero/leader', '{"broker": 1}', /partition in the path must be a whole number/],
      ['POST', '/partitions/t/0/leader', '{"broker": "one"}', /\{"broker": <broker id>\}/],
      ['POST', '/topics', '{"partitions": 3}', /body.name must be the topic name/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await call(method, path, body);
      assert.equal(r.status, 400, `${method} ${path} ${body}`);
      assert.match(String(r.body.error), message);
    }
    assert.deepEqual(controls.calls, []);
  });

  it('answers 404 listing the routes for an unknown route, and 405 for a wrong method', async () => {
    const missing = await call('GET', '/nope');
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.error), /no such route: GET \/nope; routes: GET \/state/);
    const wrong = await call('PUT', '/faults');
    assert.equal(wrong.status, 405);
    assert.match(String(wrong.body.error), /PUT is not allowed on \/faults; use POST or DELETE/);
  });

  it('refuses a body over the size limit with 413', async () => {
    const r = await call('POST', '/faults', JSON.stringify({ pad: 'x'.repeat(100_000) }));
    assert.equal(r.status, 413);
  });

  /** A request with exactly these headers (fetch would not let a test set Host). */
  function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
    return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, method, path, headers, setHost: false },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('refuses with 403 and logs a DNS-rebinding read of /state (Host: attacker.example), a missing Host and another port', async () => {
    for (const host of [
      'attacker.example',
      `attacker.example:${server.port}`,
      '127.0.0.1:1',
      'localhost.attacker.example',
    ]) {
      const r = await raw('GET', '/state', { Host: host });
      assert.equal(r.status, 403, host);
      assert.match(String(r.body.error), /is not this server's address .*DNS rebinding/, host);
      assert.equal(r.body.brokers, undefined, 'the state must not leak');
    }
    assert.equal((await raw('GET', '/state', {})).status, 403, 'no Host header at all');
    assert.equal(logged.length, 5);
    assert.match(logged[0], /^control: refused GET \/state: Host "attacker.example"/);
  });

  it("refuses with 403 a page's no-cors POSTs to stop a broker and inject a fault (Origin of another site, Origin null, Sec-Fetch-Site cross-site), and does nothing", async () => {
    const host = `127.0.0.1:${server.port}`;
    const attempts: [string, string, Record<string, string>][] = [
      ['/brokers/1/stop', '', { Origin: 'http://attacker.example' }],
      [
        '/faults',
        '{"api": "Produce", "errorCode": 6, "count": 2}',
        { Origin: 'http://127.0.0.1:8080', 'Content-Type': 'text/plain' },
      ],
      ['/faults', '{"api": "Produce", "errorCode": 6}', { Origin: `http://localhost:${server.port + 1}` }],
      ['/brokers/1/stop', '', { Origin: 'null' }],
      ['/brokers/1/stop', '', { 'Sec-Fetch-Site': 'cross-site' }],
      ['/brokers/1/stop', '', { 'Sec-Fetch-Site': 'same-site' }],
    ];
    for (const [path, body, headers] of attempts) {
      const r = await raw('POST', path, { Host: host, ...headers }, body);
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.match(String(r.body.error), /web page|Origin/, JSON.stringify(headers));
    }
    assert.deepEqual(controls.calls, []);
    assert.equal(logged.length, attempts.length);
    assert.match(
      logged[0],
      /^control: refused POST \/brokers\/1\/stop: Origin "http:\/\/attacker.example" is a web page/,
    );
  });

  it('still answers curl-style requests (no Origin) by 127.0.0.1, localhost and [::1], and its own Origin', async () => {
    for (const host of ['127.0.0.1', 'localhost', 'LocalHost', '[::1]']) {
      const r = await raw('GET', '/state', { Host: `${host}:${server.port}` });
      assert.equal(r.status, 200, host);
    }
    const own = await raw('POST', '/brokers/1/stop', {
      Host: `localhost:${server.port}`,
      Origin: `http://localhost:${server.port}`,
      'Sec-Fetch-Site': 'same-origin',
    });
    assert.equal(own.status, 200);
    assert.deepEqual(controls.calls, [['stopBroker', 1]]);
    assert.deepEqual(logged, []);
  });
});
