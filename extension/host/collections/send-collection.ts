/**
 * Bulk sends from a collection (bulk-send.ts, shared with the composer), with a cancellable progress notification.
 * Records go through WorkbenchService.beginCollectionRun, so they appear in the composer's results and trace view like
 * its own sends, and the run keeps the cluster it started on when the user switches connection (who may cancel it).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadedCollection, LoadedEnvironment, RunSummary, RunTargets } from '../../core/collections';
import type { SchemaRegistryClient } from '../../core/schema-registry/client';
import type { ConnectionConfig } from '../../core/transport/transport';
import { InvalidInputError } from '../../core/util/errors';
import { loadCore, loadSchemaRegistry, type LogFn } from '../kafka/core';
import { ensureTopics, type CreateTopicsAnswer } from '../kafka/missing-topics';
import { plainError } from '../kafka/plain-errors';
import { environmentAutoCreateId, type WorkbenchService } from '../kafka/workbench-service';
import { BULK_IN_FLIGHT, bulkSend } from './bulk-send';
import { collectionsCore } from './collections-core';
import type { EnvironmentState } from './environments';

export interface SendRequest {
  loaded: LoadedCollection;
  /** Message names; empty = all. */
  messages: string[];
  stopOnFirstError: boolean;
  /** What to do with topics that do not exist; undefined = ask the user. */
  createTopics?: CreateTopicsAnswer;
}

/**
 * Reaches the environment's cluster and checks the messages' fixed topics before anything is sent, so a dead address
 * fails at once, naming the environment file, instead of after max.block.ms; a missing topic is created only as the
 * user decides (see missing-topics.ts).
 */
async function checkEnvironmentCluster(
  service: WorkbenchService,
  config: ConnectionConfig,
  targets: RunTargets,
  environmentFile: string,
  createTopics: CreateTopicsAnswer | undefined,
  log: LogFn,
): Promise<void> {
  const admin = loadCore().createAdmin(config, log);
  const autoCreateId = environmentAutoCreateId(environmentFile);
  try {
    await admin.metadata().catch((e: unknown) => {
      throw new InvalidInputError(`The cluster of environment ${path.basename(environmentFile)}: ${plainError(e)}`, {
        cause: e,
      });
    });
    await ensureTopics(
      targets.topics,
      {
        admin,
        name: `${path.basename(environmentFile)}'s cluster`,
        autoCreate: service.connections.autoCreateTopics(autoCreateId),
        setAutoCreate: (on) => service.connections.setAutoCreateTopics(autoCreateId, on),
      },
      createTopics,
      (msg) => log('info', msg),
    );
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * The registry a collection's keySchema / valueSchema use: the environment's schemaRegistry when it names one (it
 * goes with the environment's cluster), else the active connection's. Only looked up when a message needs one.
 */
export async function collectionSchemaRegistry(
  service: WorkbenchService,
  environments: EnvironmentState,
  loaded: LoadedCollection,
  environment: LoadedEnvironment | undefined,
): Promise<SchemaRegistryClient | undefined> {
  if (!loaded.collection.messages.some((m) => m.keySchema || m.valueSchema)) return undefined;
  const fromEnvironment = environment
    ? await collectionsCore().environmentSchemaRegistry(environment, environments.secrets)
    : undefined;
  if (fromEnvironment) return loadSchemaRegistry().createClient(fromEnvironment);
  return service.schemaRegistry();
}

function logTo(log: vscode.LogOutputChannel): LogFn {
  return (level, msg) => log[level](msg);
}

export async function sendCollection(
  service: WorkbenchService,
  environments: EnvironmentState,
  request: SendRequest,
  log: vscode.LogOutputChannel,
): Promise<RunSummary> {
  const environment = await environments.load();
  const core = collectionsCore();
  // The environment's connection wins (with its secret password); without one, the active connection is used.
  const environmentConfig = environment?.environment.connection
    ? await core.environmentConnection(environment, environments.secrets)
    : undefined;
  if (!environmentConfig && !service.activeConnection()) {
    await vscode.commands.executeCommand('kafkaWorkbench.connection.connect');
    if (!service.activeConnection())
      throw new InvalidInputError(
        'Not connected: pick a connection (the Local sandbox needs no setup), or select an environment with a connection, then send again.',
      );
  }
  const { collection } = request.loaded;
  const schemaRegistry = await collectionSchemaRegistry(service, environments, request.loaded, environment);
  const title =
    request.messages.length === 1 ? `Kafka: sending "${request.messages[0]}"` : `Kafka: sending ${collection.name}`;

  const { summary, line } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      // VS Code closes the notification at once; the records already handed over still settle (up to
      // delivery.timeout.ms when the cluster is down), so the status bar says the send is still ending.
      const cancelSub = token.onCancellationRequested(() => {
        abort.abort();
        void vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Window,
            title: `${title}: cancelling, waiting for the records already handed over`,
          },
          () => done,
        );
      });
      let reportedSettled = 0;
      const run = service.beginCollectionRun(title.replace(/^Kafka: /, ''), () => abort.abort(), {
        environmentConfig,
        environmentFile: environment?.filePath,
      });
      try {
        return await bulkSend({
          loaded: request.loaded,
          environment,
          messages: request.messages,
          secrets: environments.secrets,
          schemaRegistry,
          producerFor: run.producerFor,
          consumerTransport: run.consumerTransport,
          // The active connection was reached when it connected; an environment's cluster is reached here. Either way
          // the messages' topics exist before anything is sent, or the user chose to create them.
          beforeSend:
            environmentConfig && environment
              ? async (targets) => {
                  service.refuseUntrustedTarget(environmentConfig); // never dial a cluster an untrusted file names
                  await checkEnvironmentCluster(
                    service,
                    environmentConfig,
                    targets,
                    environment.filePath,
                    request.createTopics,
                    logTo(log),
                  );
                }
              : (targets) => service.ensureTopics(targets.topics, request.createTopics),
          signal: abort.signal,
          stopOnFirstError: request.stopOnFirstError,
          maxInFlight: BULK_IN_FLIGHT,
          onProgress: (p, current) => {
            const settled = p.view().settled;
            const increment = p.planned ? ((settled - reportedSettled) / p.planned) * 100 : undefined;
            reportedSettled = settled;
            // The title already names a single message; with several, the message says which one is going.
            const which = request.messages.length === 1 ? '' : `${current}: `;
            progress.report({ message: `${which}${p.describe()}`, increment });
          },
        });
      } finally {
        run.end();
        cancelSub.dispose();
        finished();
      }
    },
  );
  // A send can create topics (auto-create): refresh so the explorer and the composer list them, when the active
  // connection is where the records went.
  const active = service.activeConnection();
  if (active && (!environmentConfig || active.environmentFile)) await service.cluster(true).catch(() => undefined);
  log.info(`collection ${collection.name}: ${line}`);
  for (const m of summary.messages) {
    for (const r of m.expectations ?? []) {
      log[r.passed ? 'info' : 'warn'](`  "${m.name}" expects ${core.describeExpectation(r)}`);
      if (!r.passed) for (const seen of r.mismatches) log.warn(`    saw ${JSON.stringify(seen.record)}: ${seen.why}`);
    }
  }
  if (summary.ok) void vscode.window.showInformationMessage(`Kafka: ${collection.name}: ${line}`);
  else
    void vscode.window
      .showWarningMessage(`Kafka: ${collection.name}: ${line}`, 'Show Log')
      .then((a) => a && log.show());
  return summary;
}
