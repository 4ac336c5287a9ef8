/**
 * The last result of each message's expectations, per collection file, from the last send in this window: the
 * CodeLens and the Collections view show them. Kept in memory only (a result is about one run, not the file).
 */
import * as vscode from 'vscode';
import type { ExpectationResult, RunSummary } from '../../core/collections';

export class ExpectationResults implements vscode.Disposable {
  private readonly byFile = new Map<string, Map<string, ExpectationResult[]>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  /** Keeps the results of every message of the run that had expectations checked. */
  record(uri: vscode.Uri, summary: RunSummary): void {
    const checked = summary.messages.filter((m) => m.expectations?.length);
    if (!checked.length) return;
    let messages = this.byFile.get(uri.toString());
    if (!messages) this.byFile.set(uri.toString(), (messages = new Map()));
    for (const m of checked) messages.set(m.name, m.expectations!);
    this.changed.fire();
  }

  get(uri: vscode.Uri, messageName: string): ExpectationResult[] | undefined {
    return this.byFile.get(uri.toString())?.get(messageName);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** "2 of 3 expectations met" */
export function expectationsText(results: readonly ExpectationResult[]): string {
  const met = results.filter((r) => r.passed).length;
  return `${met} of ${results.length} expectation${results.length === 1 ? '' : 's'} met`;
}

/** One result for a CodeLens or a tooltip: "$(pass) reply: replies-1@3 after 120 ms" / "$(error) audit: no record arrived ...". */
export function expectationLine(r: ExpectationResult, icons = true): string {
  const mark = icons ? (r.passed ? '$(pass) ' : '$(error) ') : r.passed ? 'pass ' : 'FAIL ';
  const what = r.passed
    ? `${r.matched!.topic}-${r.matched!.partition}@${r.matched!.offset} after ${r.durationMs} ms`
    : (r.reason ?? 'not met');
  return `${mark}${r.name}: ${what}`;
}
