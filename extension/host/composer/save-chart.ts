/**
 * Saves what the Charts tab drew, where the user picks: SVG text, a PNG (base64 from the webview's canvas) or the
 * charts' data as JSON. The data is checked for its format first, so a bad message never becomes a broken file.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ChartFileFormat } from '../../protocol/messages';
import { isBase64 } from '../../protocol/validate';
import { InvalidInputError } from '../../core/util/errors';

const FILTERS: Record<ChartFileFormat, Record<string, string[]>> = { svg: { 'SVG image': ['svg'] }, png: { 'PNG image': ['png'] }, json: { JSON: ['json'] } };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The file's bytes, or an error naming what is wrong with the data. */
export function chartFileBytes(format: ChartFileFormat, data: string): Buffer {
  if (format === 'png') {
    const bytes = isBase64(data) ? Buffer.from(data, 'base64') : Buffer.alloc(0);
    if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new InvalidInputError('The chart image is not a PNG: nothing was saved.');
    return bytes;
  }
  if (format === 'svg' && !/^<svg[\s>]/.test(data)) throw new InvalidInputError('The chart is not SVG text: nothing was saved.');
  if (format === 'json') {
    try {
      JSON.parse(data);
    } catch {
      throw new InvalidInputError('The chart data is not JSON: nothing was saved.');
    }
  }
  return Buffer.from(data, 'utf8');
}

export async function saveChartFile(format: ChartFileFormat, name: string, data: string): Promise<{ saved: boolean; path?: string }> {
  const bytes = chartFileBytes(format, data);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const target = await vscode.window.showSaveDialog({ filters: FILTERS[format], saveLabel: 'Save chart', defaultUri: vscode.Uri.joinPath(folder, `${name}.${format}`) });
  if (!target) return { saved: false };
  await vscode.workspace.fs.writeFile(target, bytes);
  return { saved: true, path: target.fsPath };
}
