/**
 * Differential harness (development only; CI has no real Kafka): runs every scenario of ./scenarios.ts against a
 * fresh sandbox and against a real Kafka 2.1.1 cluster (see ../../../shared/tools/real-kafka/README.md) and prints
 * where their answers differ.
 *
 *   npx tsx test/differential/sandbox-vs-kafka.ts [--real 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094]
 *       [--only SUBSTRING] [--json FILE] [--sandbox-only]
 *
 * Exit status 0 when every scenario answers alike, 1 otherwise. The sandbox runs with its defaults (3 brokers).
 */
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { startSandbox } from '../../extension/core/sandbox';
import { SCENARIOS, type Scenario, type Target } from './scenarios';
import { FIRST_SCENARIOS, LAST_SCENARIOS } from './scenarios-internal';

/** First those that need a fresh cluster, last those that change it for the rest (they fill or delete). */
const ALL: Scenario[] = [...FIRST_SCENARIOS, ...SCENARIOS, ...LAST_SCENARIOS];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function runAll(target: Target, only: string | undefined): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const s of ALL) {
    if (only && !s.name.includes(only)) continue;
    try {
      out.set(s.name, await s.run(target));
    } catch (e) {
      out.set(s.name, { harnessError: (e as Error).message });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const real = arg('--real') ?? '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094';
  const only = arg('--only');
  const run = Date.now().toString(36);
  const sandbox = await startSandbox({ port: 0, controlPort: 0, schemaRegistry: false });
  let sandboxResults: Map<string, unknown>;
  try {
    sandboxResults = await runAll({ name: 'sandbox', bootstrap: sandbox.bootstrap, run }, only);
  } finally {
    await sandbox.stop();
  }
  const realResults = process.argv.includes('--sandbox-only')
    ? new Map<string, unknown>()
    : await runAll({ name: 'kafka', bootstrap: real, run }, only);

  let same = 0;
  const differ: { name: string; sandbox: unknown; kafka: unknown }[] = [];
  for (const [name, s] of sandboxResults) {
    const k = realResults.get(name);
    if (isDeepStrictEqual(s, k)) same++;
    else differ.push({ name, sandbox: s, kafka: k });
  }
  for (const d of differ) {
    console.log(`DIFFERS  ${d.name}\n  sandbox: ${JSON.stringify(d.sandbox)}\n  kafka:   ${JSON.stringify(d.kafka)}`);
  }
  console.log(`\n${sandboxResults.size} scenarios: ${same} answer alike, ${differ.length} differ`);
  const json = arg('--json');
  if (json)
    writeFileSync(
      json,
      JSON.stringify({ sandbox: Object.fromEntries(sandboxResults), kafka: Object.fromEntries(realResults) }, null, 1),
    );
  process.exitCode = differ.length === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
