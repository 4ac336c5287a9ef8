/**
 * Before a replace that changes more than the user edited: the diff of the collection file (left, as it is) against
 * the text after the replace (right, a read-only virtual document), and a question. Nothing is written unless the
 * user says Replace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const REVIEW_SCHEME = 'kafka-workbench-review';

export class ReplaceReview implements vscode.Disposable {
  private readonly proposed = new Map<string, string>();
  private next = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, {
    provideTextDocumentContent: (uri) => this.proposed.get(uri.toString()) ?? '',
  });

  /**
   * Shows the diff and asks; true = write. `answer` (for callers without a UI: tests, scripts) answers instead of
   * the user, after the diff has been shown.
   */
  async confirm(
    file: vscode.Uri,
    after: string,
    name: string,
    written: string[],
    openedFromIt: boolean,
    answer?: boolean,
  ): Promise<boolean> {
    const right = vscode.Uri.from({ scheme: REVIEW_SCHEME, path: file.path, query: String(++this.next) });
    this.proposed.set(right.toString(), after);
    const relative = vscode.workspace.asRelativePath(file);
    try {
      await vscode.commands.executeCommand(
        'vscode.diff',
        file,
        right,
        `${path.basename(file.fsPath)} ↔ after replacing "${name}"`,
        { preview: true },
      );
      if (answer !== undefined) return answer;
      const why = openedFromIt
        ? `"${name}" changed in the file since you opened it in the composer, in what the replace would write (${written.join(', ')}).`
        : `The composer's record was not opened from "${name}": replacing writes its ${written.join(', ')} over the message's.`;
      const picked = await vscode.window.showWarningMessage(
        `Replace "${name}" in ${relative}?`,
        {
          modal: true,
          detail: `${why} The diff shows every change (left: the file now, right: after replacing). Fields the composer does not show (description, variables, rate) are kept.`,
        },
        'Replace',
      );
      return picked === 'Replace';
    } finally {
      this.proposed.delete(right.toString());
      await closeDiff(right);
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.proposed.clear();
  }
}

async function closeDiff(right: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString());
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
