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
