/**
 * The collections core (ajv, faker, csv-parse, the runner) is loaded on first use, never at activation: esbuild keeps
 * it in the bundle, and this `require` runs its top level only when a collection is first parsed or sent.
 */
export type CollectionsCore = typeof import('../../core/collections');

let loaded: CollectionsCore | undefined;

export function collectionsCore(): CollectionsCore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at activation
  loaded ??= require('../../core/collections') as CollectionsCore;
  return loaded;
}

export const COLLECTION_GLOB = '**/*.kafka.json';
export const ENVIRONMENT_GLOB = '**/*.kafka-env.json';

export function isCollectionPath(p: string): boolean {
  return p.endsWith('.kafka.json');
}

export function isEnvironmentPath(p: string): boolean {
  return p.endsWith('.kafka-env.json');
}

/** The languages package.json gives these files: VS Code's JSON service leaves them to us (kafka-json-editing.ts). */
export const COLLECTION_LANGUAGE = 'kafka-collection';
export const ENVIRONMENT_LANGUAGE = 'kafka-environment';
export type KafkaJsonLanguage = typeof COLLECTION_LANGUAGE | typeof ENVIRONMENT_LANGUAGE;
