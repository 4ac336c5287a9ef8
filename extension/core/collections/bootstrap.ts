/** Broker addresses as users write them: "h1:9092,h2:9092" or a list; checked the same when linting and sending. */

/** The addresses in one bootstrap string, split on commas. */
export function bootstrapAddresses(text: string): string[] {
  return text.split(',').map((a) => a.trim()).filter(Boolean);
}

/** Why `address` is not HOST:PORT (IPv6 as [host]:port), or undefined when it is. */
export function bootstrapAddressProblem(address: string): string | undefined {
  const m = /^(\[[^\]\s]+\]|[^\s:]+):(\d{1,5})$/.exec(address);
  if (!m) return `'${address}' must be HOST:PORT, for example 127.0.0.1:9092`;
  const port = Number(m[2]);
  return port < 1 || port > 65535 ? `'${address}': the port must be from 1 to 65535` : undefined;
}

/**
 * Where a running Local sandbox publishes its address: `npm start` puts it in the environment of VS Code (and so of
 * its terminals), the extension in its terminals' environment. The CLI uses it when given no cluster.
 */
export const SANDBOX_BOOTSTRAP_ENV = 'KAFKA_WORKBENCH_SANDBOX_BOOTSTRAP';

/** The sandbox's address from the environment, when it holds a usable one. */
export function sandboxBootstrapFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[SANDBOX_BOOTSTRAP_ENV]?.trim();
  if (!value) return undefined;
  const addresses = bootstrapAddresses(value);
  return addresses.length && addresses.every((a) => bootstrapAddressProblem(a) === undefined) ? addresses.join(',') : undefined;
}
