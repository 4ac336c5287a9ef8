/** The status bar item: the active connection; clicking it picks another. */
import * as vscode from 'vscode';
import type { WorkbenchService } from './kafka/workbench-service';

export function createStatusBar(service: WorkbenchService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('kafkaWorkbench.connection', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Kafka connection';
  item.command = 'kafkaWorkbench.connection.connect';
  const update = () => {
    const c = service.activeConnection();
    item.text = c ? `$(plug) Kafka: ${c.name}` : '$(debug-disconnect) Kafka: not connected';
    item.tooltip = c
      ? `Connected to ${c.name}. Click to switch.`
      : 'Click to connect to a Kafka cluster (the Local sandbox needs no setup).';
  };
  update();
  item.show();
  const sub = service.onDidChangeState(update);
  return {
    dispose: () => {
      sub.dispose();
      item.dispose();
    },
  };
}
