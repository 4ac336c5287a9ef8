/**
 * The Kafka wire protocol, one module for the client (transport) and the sandbox: message specs, the codec
 * compiled from them, the types generated from them, and the one error catalogue.
 */
export * from './codec';
export * from './errors';
export * from './messages.generated';
export { Reader } from './reader';
export { Writer } from './writer';
export type { ApiSpec, VersionRange } from './spec';
