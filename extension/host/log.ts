/** The "Kafka Workbench" log channel. Messages never carry credentials: callers pass names, never secrets. */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function workbenchLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Kafka Workbench', { log: true });
  return channel;
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}
