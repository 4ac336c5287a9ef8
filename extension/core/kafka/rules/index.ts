/**
 * The one home of Kafka's naming and addressing rules and the producer defaults. Plain data and functions with no
 * imports outside this folder, so both bundles use it: the extension and CLI directly, the webview through
 * extension/protocol/.
 */
export * from './topic-name';
export * from './broker-address';
export * from './client-id';
export * from './compression-names';
export * from './producer-defaults';
