/** Reading back what a transaction left, as a read_committed consumer this project did not write sees it. */
import { spawn, spawnSync } from 'node:child_process';
import type { Sandbox } from '../../extension/core/sandbox';
import { kafkaFor, waitFor } from './sandbox-helpers';

export const hasKcat = spawnSync('kcat', ['-V']).status === 0;

/** Values in `topic` from the start to its end, read by kcat (librdkafka) with the given isolation level, sorted. */
export function kcatValues(
  sandbox: Sandbox,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', [
      '-b',
      sandbox.bootstrap,
      '-C',
      '-t',
      topic,
      '-e',
      '-q',
      '-o',
      'beginning',
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      '%s\\n',
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out.split('\n').filter(Boolean).sort()) : reject(new Error(`kcat exited ${code}: ${err}`)),
    );
  });
}

/**
 * The committed values of `topic`, sorted: read to the end by kcat (read_committed), so an aborted record would show;
 * without kcat, by a kafkajs consumer (read_committed by default) until `expected` arrived.
 */
export async function committedValues(sandbox: Sandbox, topic: string, expected: number): Promise<string[]> {
  if (hasKcat) return kcatValues(sandbox, topic);
  const consumer = kafkaFor(sandbox).kafka.consumer({
    groupId: `committed-${topic}-${Date.now()}`,
    maxWaitTimeInMs: 100,
  });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') });
    await waitFor(() => values.length >= expected, `${expected} committed records from ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return values.sort();
}
