/**
 * Every command of the Clusters view and the composer, with the arguments it takes. Each accepts them optionally so
 * tests, keybindings and other extensions can run it without prompts; without them it asks. A first argument may
 * also be what VS Code passes on a click in the explorer (an ExplorerNode).
 */
import type * as vscode from 'vscode';
import type { DraftProducerSettings } from '../../protocol/messages';
import type { ConnectionInput } from '../connections/connection-prompts';
import type { ClusterTreeProvider, ExplorerNode } from '../explorer/cluster-tree';
import type { CreateTopicsAnswer } from '../kafka/missing-topics';
import type { WhileSending, WorkbenchService } from '../kafka/workbench-service';

/** A connection by id, or its node in the explorer. */
export type ConnectionArg = string | ExplorerNode;
/** A topic by name, or its node in the explorer. */
export type TopicArg = string | ExplorerNode;
/** A record for `kafkaWorkbench.producer.send`, sent as given (no templates). */
export type SendRecordInput = Parameters<WorkbenchService['sendRecord']>[0];

export interface CommandArgs {
  'kafkaWorkbench.connection.add': [input?: ConnectionInput | ExplorerNode];
  'kafkaWorkbench.connection.edit': [connection?: ConnectionArg, input?: ConnectionInput];
  'kafkaWorkbench.connection.test': [connection?: ConnectionArg];
  'kafkaWorkbench.connection.remove': [connection?: ConnectionArg, confirmed?: boolean];
  'kafkaWorkbench.connection.connect': [connection?: ConnectionArg, whileSending?: WhileSending];
  'kafkaWorkbench.connection.disconnect': [whileSending?: WhileSending];
  'kafkaWorkbench.connection.toggleAutoCreate': [connection?: ConnectionArg, on?: boolean];
  'kafkaWorkbench.explorer.refresh': [];
  'kafkaWorkbench.topic.create': [name?: string, partitions?: number, replicationFactor?: number];
  'kafkaWorkbench.topic.delete': [topic?: TopicArg, confirmed?: boolean];
  'kafkaWorkbench.topic.compose': [topic?: TopicArg];
  'kafkaWorkbench.topic.copyName': [topic?: TopicArg];
  /** A topic, or a partition node; `from` is earliest (the default), latest, an offset or @TIMESTAMP. */
  'kafkaWorkbench.topic.view': [topic?: TopicArg, options?: { partition?: number; from?: string }];
  'kafkaWorkbench.composer.open': [];
  'kafkaWorkbench.producer.send': [
    record?: SendRecordInput,
    settings?: Partial<DraftProducerSettings>,
    options?: { createTopics?: CreateTopicsAnswer },
  ];
  'kafkaWorkbench.results.clear': [];
  /** Without a record id it asks which acknowledged record; `show: false` returns the view without opening it. */
  'kafkaWorkbench.results.readBack': [recordId?: string, options?: { show?: boolean }];
  'kafkaWorkbench.trace.export': [target?: vscode.Uri];
  'kafkaWorkbench.sandbox.stopBroker': [broker?: number | ExplorerNode];
  'kafkaWorkbench.sandbox.startBroker': [broker?: number | ExplorerNode];
  'kafkaWorkbench.sandbox.moveLeader': [topic?: string | ExplorerNode, partition?: number, broker?: number];
  'kafkaWorkbench.sandbox.injectError': [errorCode?: number, count?: number];
  'kafkaWorkbench.sandbox.addLatency': [latencyMs?: number, count?: number];
  'kafkaWorkbench.sandbox.clearFaults': [];
  'kafkaWorkbench.sandbox.stop': [whileSending?: WhileSending];
  'kafkaWorkbench.showLog': [];
}

export type CommandId = keyof CommandArgs;

/** Registers a command with its typed arguments (errors handled by `guarded`). */
export type Register = <K extends CommandId>(
  id: K,
  what: string,
  fn: (...args: CommandArgs[K]) => Promise<unknown>,
) => void;

export interface CommandContext {
  context: vscode.ExtensionContext;
  service: WorkbenchService;
  tree: ClusterTreeProvider;
  log: vscode.LogOutputChannel;
}
