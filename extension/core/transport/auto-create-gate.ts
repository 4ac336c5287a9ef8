/**
 * The producer engine asks for metadata with topic auto-creation on, as Java's producer does: a broker with
 * auto.create.topics.enable then creates any topic a record names, typos included. This gate lets that through only
 * while `allowed()` says so (the CLI's default, a VS Code connection the user turned auto-create on for); otherwise a
 * missing topic stays missing and its records fail instead of creating it.
 */
import type { Transport } from './transport';

export function autoCreateGate<T extends Transport>(transport: T, allowed: () => boolean): T {
  const fetchMetadata: Transport['fetchMetadata'] = (topics, allowAutoCreate) =>
    transport.fetchMetadata(topics, allowAutoCreate && allowed());
  return new Proxy(transport, {
    get: (target, prop) => {
      if (prop === 'fetchMetadata') return fetchMetadata;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
