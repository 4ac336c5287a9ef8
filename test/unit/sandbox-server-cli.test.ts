import { strict as assert } from 'node:assert';
import { sandboxOptionsFromArgs } from '../../extension/cli/commands/sandbox';

describe('sandbox CLI flags', () => {
  it('maps every flag to its sandbox option, repeated --topic with and without a partition count', () => {
    const o = sandboxOptionsFromArgs([
      '--brokers', '5', '--port', '0', '--partitions', '7', '--replication-factor', '2', '--min-insync-replicas', '1',
      '--topic', 'orders:12', '--topic', 'audit.log', '--control-port', '8080', '--no-auto-create', '--election-delay-ms', '10',
    ]);
    assert.deepEqual(o, {
      brokers: 5, port: 0, partitions: 7, replicationFactor: 2, minInsyncReplicas: 1,
      topics: [{ name: 'orders', partitions: 12 }, { name: 'audit.log' }], controlPort: 8080, autoCreateTopics: false, electionDelayMs: 10,
    });
  });

  it('leaves unset flags to the sandbox defaults', () => {
    const o = sandboxOptionsFromArgs([]);
    assert.equal(o.brokers, undefined);
    assert.equal(o.autoCreateTopics, undefined);
    assert.deepEqual(o.topics, []);
  });

  it('refuses bad values naming the flag', () => {
    assert.throws(() => sandboxOptionsFromArgs(['--brokers', '0']), /--brokers must be between 1 and 16, got 0/);
    assert.throws(() => sandboxOptionsFromArgs(['--port', '70000']), /--port must be between 0 and 65535/);
    assert.throws(() => sandboxOptionsFromArgs(['--topic', 'orders:x']), /--topic orders:x: the partition count after ':' must be a whole number/);
    assert.throws(() => sandboxOptionsFromArgs(['--brokerz', '3']), /unknown option --brokerz/);
    assert.throws(() => sandboxOptionsFromArgs(['extra']), /unexpected argument 'extra'/);
  });
});
