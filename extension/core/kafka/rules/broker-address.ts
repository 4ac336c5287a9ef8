/**
 * Broker addresses as people write them: HOST:PORT, a hostname (underscores included: `kafka_1:9092`, as Docker
 * Compose names services) or an IPv4 address, or an IPv6 address in brackets (`[::1]:9092`); several separated by
 * commas (or spaces). One rule for the connection form, environment files, the CLI and the transport.
 */
export interface BrokerAddress {
  host: string;
  port: number;
}

// A name has no whitespace, ':', ',', '/' or brackets; an IPv6 address is hex digits, ':' and '.' (IPv4-mapped).
const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:,/[\]]+)):(\d{1,5})$/;

/** The addresses in a bootstrap list ("h1:9092, h2:9092"), split on commas and whitespace. */
export function splitBrokerList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The host and port of one address, or why it is not HOST:PORT. */
export function parseBrokerAddress(address: string): BrokerAddress | { problem: string } {
  const m = ADDRESS.exec(address.trim());
  if (!m) return { problem: `'${address}' is not HOST:PORT (IPv6 as [HOST]:PORT), for example 127.0.0.1:9092` };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return { problem: `'${address}': the port must be from 1 to 65535` };
  return { host: m[1] ?? m[2]!, port };
}

/** Why `address` is not HOST:PORT, or undefined when it is. */
export function brokerAddressProblem(address: string): string | undefined {
  const parsed = parseBrokerAddress(address);
  return 'problem' in parsed ? parsed.problem : undefined;
}
