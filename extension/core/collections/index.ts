/**
 * Saved collections (`*.kafka.json`), environments (`*.kafka-env.json`), templates, data files, importers and the
 * runner. Everything here is plain Node (no vscode): the extension and the CLI use the same functions.
 *
 * Editor: parseCollectionText / parseEnvironmentText (text -> model + diagnostics with ranges + message ranges for
 * CodeLens); appendMessageText / replaceMessageText (edits that keep the rest of the text); addMessageToCollectionFile
 * / updateCollectionFile / saveCollection (atomic writes that refuse to overwrite a file with errors).
 * Sending: loadCollectionFile + runCollection (progress through `listener`, cancel through `signal`).
 */
export type * from './model';
export {
  parseCollectionText,
  parseEnvironmentText,
  requireValid,
  formatDiagnostic,
  DocumentError,
  isTopicName,
} from './parse';
export type { ParsedCollection, ParsedEnvironment, MessageLocation } from './parse';
export {
  formatJson,
  createCollectionText,
  appendMessageText,
  replaceMessageText,
  writeFileAtomic,
  updateCollectionFile,
  saveCollection,
  addMessageToCollectionFile,
} from './save';
export {
  loadCollectionFile,
  loadEnvironmentFile,
  environmentConnection,
  environmentSchemaRegistry,
  parseVarFlags,
} from './load';
export { setMessageFields } from './message-edit';
export { MessagePreparer } from './prepare';
export type { LoadedCollection, LoadedEnvironment, MessagePlan, PreparedMessage } from './prepare';
export { TemplateEngine, TemplateError, envSecretResolver, secretEnvName } from './template';
export type { SecretResolver } from './template';
export { runCollection } from './runner';
export { templateDiagnostics } from './lint';
export { schemaDiagnostics } from './schema-lint';
export type { RunOptions, RunSummary, MessageSummary, RecordOutcome, RunListener, RunTargets } from './runner';
export { RunProgress } from './progress';
export type { ProgressView } from './progress';
export { createReporter, REPORTERS, describeRun, describeCancel, plannedRecords, formatCount } from './reporters';
export type { Reporter, ReporterName, ReporterOptions } from './reporters';
export { importToolsForKafkaFile } from './importers/tools-for-kafka';
export type { ImportResult } from './importers/tools-for-kafka';
export { importConfluentMessageFile } from './importers/confluent';
export { DataFileError } from './data-sources';
export { starterCollectionText, environmentFromConnection } from './starter';
export type { ConnectionOutline, EnvironmentDraft } from './starter';
export { checkTopicsWritable } from './cluster-check';
export { describeExpectation, type ExpectationResult } from './expectations';
