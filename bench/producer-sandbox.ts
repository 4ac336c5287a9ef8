/**
 * Runs a sandbox cluster in its own process for the producer benchmark (so the broker's work does not share the
 * producer's event loop) and prints `bootstrap=...` once ready. Stops on SIGTERM or when its parent goes away.
 */
import { startSandbox } from '../extension/core/sandbox';

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    brokers: 3,
    port: 0,
    controlPort: 0,
    partitions: 6,
    replicationFactor: 1,
    minInsyncReplicas: 1,
    // 'bench' for the in-process comparison with kafkajs; 'send-bench' (3 partitions) for the CLI against kcat.
    topics: [
      { name: 'bench', partitions: 6 },
      { name: 'send-bench', partitions: 3 },
    ],
  });
  process.stdout.write(`bootstrap=${sandbox.bootstrap}\n`);
  const stop = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.stdin.on('end', stop); // parent died: its pipe closed
  process.stdin.resume();
}

void main();
