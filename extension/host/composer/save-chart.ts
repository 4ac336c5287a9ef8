/**
 * Saves what the Charts tab drew, where the user picks: SVG text, a PNG (base64 from the webview's canvas) or the
 * charts' data as JSON. The data is checked for its format first, so a bad message never becomes a broken file.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ChartFileFormat } from '../../protocol/messages';
import { chartFileBytes } from './chart-file';

const FILTERS: Record<ChartFileFormat, Record<string, string[]>> = {
  svg: { 'SVG image': ['svg'] },
  png: { 'PNG image': ['png'] },
  json: { JSON: ['json'] },
};
export async function saveChartFile(
  format: ChartFileFormat,
  name: string,
  data: string,
): Promise<{ saved: boolean; path?: string }> {
  const bytes = chartFileBytes(format, data);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const target = await vscode.window.showSaveDialog({
    filters: FILTERS[format],
    saveLabel: 'Save chart',
    defaultUri: vscode.Uri.joinPath(folder, `${name}.${format}`),
  });
  if (!target) return { saved: false };
  await vscode.workspace.fs.writeFile(target, bytes);
  return { saved: true, path: target.fsPath };
}
