/**
 * CodeLens in `*.kafka.json`: "Send all" above the collection, "Send" and "Open in Composer" above each message, and
 * after a send the last result of each of its expectations.
 */
import * as vscode from 'vscode';
import { type CollectionIndex, errorCount, hasErrors } from './collection-index';
import { problemsText } from './collection-tree';
import { expectationLine, type ExpectationResults } from './expectation-results';

/** A lens title is one line: a long failure reason is cut, the whole one is in the log (the lens opens it). */
const LENS_TITLE_MAX = 110;

export class CollectionCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly index: CollectionIndex,
    private readonly results: ExpectationResults,
  ) {
    this.subscriptions = [index.onDidChange(() => this.changed.fire()), results.onDidChange(() => this.changed.fire())];
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const entry = await this.index.entry(document.uri);
    const parsed = entry.parsed;
    const top = new vscode.Range(0, 0, 0, 0);
    // A collection with errors is not sent: the top lens says so, as the view does (the rows stay, so lines do not jump).
    const sendAll = hasErrors(entry)
      ? {
          title: `$(error) ${problemsText(errorCount(entry))}: fix before sending`,
          command: 'workbench.actions.view.problems',
        }
      : { title: '$(run-all) Send all', command: 'kafkaWorkbench.collections.sendAll', arguments: [document.uri] };
    const lenses = [new vscode.CodeLens(top, sendAll)];
    for (const m of parsed.messages) {
      const at = new vscode.Range(
        m.range.start.line,
        m.range.start.character,
        m.range.start.line,
        m.range.start.character,
      );
      lenses.push(
        new vscode.CodeLens(at, {
          title: '$(send) Send',
          command: 'kafkaWorkbench.collections.sendMessage',
          arguments: [document.uri, m.name],
        }),
        new vscode.CodeLens(at, {
          title: 'Open in Composer',
          command: 'kafkaWorkbench.collections.openInComposer',
          arguments: [document.uri, m.name],
        }),
      );
      for (const r of this.results.get(document.uri, m.name) ?? []) {
        const line = expectationLine(r);
        const title = line.length > LENS_TITLE_MAX ? `${line.slice(0, LENS_TITLE_MAX - 1)}…` : line;
        lenses.push(
          new vscode.CodeLens(at, { title, tooltip: expectationLine(r, false), command: 'kafkaWorkbench.showLog' }),
        );
      }
    }
    return lenses;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
