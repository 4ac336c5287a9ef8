import { brokerAddressProblem, splitBrokerList } from '../kafka/rules/broker-address';

/**
 * Where a running Local sandbox publishes its address: `npm start` puts it in the environment of VS Code (and so of
 * its terminals), the extension in its terminals' environment. The CLI uses it when given no cluster.
 */
export const SANDBOX_BOOTSTRAP_ENV = 'KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP';

/** The sandbox's address from the environment, when it holds a usable one. */
export function sandboxBootstrapFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[SANDBOX_BOOTSTRAP_ENV]?.trim();
  if (!value) return undefined;
  const addresses = splitBrokerList(value);
  return addresses.length && addresses.every((a) => brokerAddressProblem(a) === undefined)
    ? addresses.join(',')
    : undefined;
}
