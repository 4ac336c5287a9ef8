/**
 * The control API refuses web pages (Host and Origin checks); the extension drives an external sandbox (the one
 * `npm start` runs) through it with the extension host's own fetch, which VS Code may wrap. This checks that client
 * still gets through, inside real VS Code.
 */
import * as assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../extension/core/sandbox';
import { externalSandbox } from '../../extension/host/kafka/sandbox-manager';

describe("The extension's client of an external sandbox's control API", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox({ brokers: 3, port: 0, controlPort: 0, topics: [{ name: 'ctl-ext', partitions: 1 }] });
  });
  after(() => sandbox?.stop());

  it('stops and starts a broker, adds and clears a fault and reads the state from the extension host, past the Host/Origin checks', async () => {
    const handle = externalSandbox(sandbox.bootstrap, sandbox.controlUrl);
    await handle.stopBroker(2);
    assert.equal(sandbox.brokers[1].up, false);
    await handle.startBroker(2);
    assert.equal(sandbox.brokers[1].up, true);
    await handle.addFault({ api: 'Produce', errorCode: 6, count: 1 });
    assert.equal(sandbox.state().faults.length, 1);
    await handle.clearFaults();
    const state = await handle.state();
    assert.deepEqual(state.faults, []);
    assert.ok(state.topics.some((t) => t.name === 'ctl-ext'));
  });
});
