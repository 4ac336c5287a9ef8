/**
 * The Collections view's title-bar buttons while an item of the view is selected: VS Code hands the selected item to
 * the command, which must not take it for the file to work on (it read a collection as an environment).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CollectionNode } from '../../extension/host/collections/collection-tree';
import { api, waitFor, write } from './workspace-helpers';

/** Runs a command that shows a quick pick, and picks its first item once the pick is up. */
async function pickFirst<T>(command: string, ...args: unknown[]): Promise<T | undefined> {
  let settled = false;
  const run = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => {
    settled = true;
  });
  await waitFor('the quick pick to be answered', async () => {
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    return settled;
  });
  return run;
}

describe('Collections view title bar with an item selected', () => {
  it('"Select Collection Environment" asks which environment instead of reading the selected collection as one', async () => {
    const a = await api();
    const collection = write('title-bar/orders.kafka.json', {
      name: 'Title bar',
      messages: [{ name: 'm', topic: 't', value: 'v' }],
    });
    const env = write('title-bar/dev.kafka-env.json', { name: 'dev', variables: {} });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', env);
    const selected: CollectionNode = { kind: 'collection', uri: collection };
    // The first item of the picker is "No environment".
    const result = await pickFirst<string | null>('kafkaWorkbench.collections.selectEnvironment', selected);
    assert.equal(result, null, 'the picker was shown and answered');
    assert.equal(a.collections.environments.activeUri(), undefined);
    // A collection given as the environment is refused with what environments are called.
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('kafkaWorkbench.collections.selectEnvironment', collection.fsPath),
      ),
      /title-bar\/orders\.kafka\.json is not an environment file: environments are named NAME\.kafka-env\.json/,
    );
  });
});
