/**
 * Commands that send and show what was sent: open the composer, send a record, clear results, export traces; the log.
 */
import * as vscode from 'vscode';
import { ComposerPanel, exportTarget } from '../composer/composer-panel';
import type { CommandContext, Register } from './command-args';

export function registerProducerCommands(reg: Register, { context, service, log }: CommandContext): void {
  reg('kafkaWorkbench.composer.open', 'Open composer', async () => {
    ComposerPanel.createOrShow(context.extensionUri, service, log);
    return true;
  });
  reg('kafkaWorkbench.producer.send', 'Send record', async (record, settings, options) => {
    if (typeof record !== 'object' || record === null) {
      ComposerPanel.createOrShow(context.extensionUri, service, log);
      return undefined;
    }
    const r = record as { topic?: unknown; value?: unknown };
    if (typeof r.topic !== 'string' || (typeof r.value !== 'string' && r.value !== null)) {
      throw new Error('kafkaWorkbench.producer.send takes {topic: string, value: string | null, key?, headers?, partition?} and optional producer settings.');
    }
    const md = await service.sendRecord(record, settings ?? undefined, options?.createTopics);
    return { ...md };
  });
  reg('kafkaWorkbench.results.clear', 'Clear results', async () => service.clearResults());
  reg('kafkaWorkbench.trace.export', 'Export traces', async (target) => {
    const json = JSON.stringify(service.exportTraces(null), null, 2);
    const uri = target instanceof vscode.Uri ? target : await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export traces', defaultUri: exportTarget() });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(json, 'utf8'));
    return uri.fsPath;
  });

  reg('kafkaWorkbench.showLog', 'Show log', async () => log.show());
}
