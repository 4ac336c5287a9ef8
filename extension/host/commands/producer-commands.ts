/**
 * Commands that send and show what was sent: open the composer, send a record, clear results, export traces; the log.
 */
import * as vscode from 'vscode';
import { InvalidInputError } from '../../core/util/errors';
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
      throw new Error(
        'kafkaWorkbench.producer.send takes {topic: string, value: string | null, key?, headers?, partition?} and optional producer settings.',
      );
    }
    const md = await service.sendRecord(record, settings ?? undefined, options?.createTopics);
    return { ...md };
  });
  reg('kafkaWorkbench.results.clear', 'Clear results', async () => service.clearResults());
  reg('kafkaWorkbench.results.readBack', 'Read back record', async (recordId, options) => {
    let id = typeof recordId === 'string' ? recordId : undefined;
    if (!id) {
      const acked = service
        .resultRows()
        .filter((r) => r.status === 'acked' && r.offset !== null && r.offset >= 0)
        .reverse();
      if (!acked.length) throw new InvalidInputError('No acknowledged record to read back: send one first.');
      const picked = await vscode.window.showQuickPick(
        acked.map((r) => ({
          label: `${r.topic}-${r.partition}@${r.offset}`,
          description: r.key ?? '(no key)',
          id: r.recordId,
        })),
        { placeHolder: 'Read back which record?' },
      );
      id = picked?.id;
    }
    if (!id) return undefined;
    const view = await service.readBack(id);
    if (options?.show !== false) {
      const doc = await vscode.workspace.openTextDocument({
        language: 'json',
        content: JSON.stringify(view, null, 2) + '\n',
      });
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
    return view;
  });
  reg('kafkaWorkbench.trace.export', 'Export traces', async (target) => {
    const json = JSON.stringify(service.exportTraces(null), null, 2);
    const uri =
      target instanceof vscode.Uri
        ? target
        : await vscode.window.showSaveDialog({
            filters: { JSON: ['json'] },
            saveLabel: 'Export traces',
            defaultUri: exportTarget(),
          });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(json, 'utf8'));
    return uri.fsPath;
  });

  reg('kafkaWorkbench.showLog', 'Show log', async () => log.show());
}
