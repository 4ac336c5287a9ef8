/**
 * "Open in Composer", edit, "Save Record to Collection" -> Replace, in real VS Code: the message's templates and every
 * byte the user did not edit survive; a replace that would change more than the edit shows the diff first.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ComposerDraft } from '../../extension/protocol/messages';
import { api, waitFor, write } from './workspace-helpers';

/** Hand-written: a one-line message, a multi-line one with a description, variables, a rate and a number as "1.50". */
const ORDERS = `{
  "name": "Save-back orders",
  "variables": { "region": "eu", "price": 1.50 },
  "messages": [
    { "name": "new order", "topic": "sb-orders", "key": "order-{{$seq}}", "value": {"id": "{{$uuid}}", "region": "{{region}}", "who": "{{$faker.person.fullName}}"}, "count": 3 },
    {
      "name": "priced",
      "description": "kept as written",
      "topic": "sb-orders",
      "value": {
        "id": "{{$uuid}}",
        "price": "{{price}}"
      },
      "ratePerSecond": 50
    }
  ]
}
`;

/** Resolves with whether a diff tab whose right side is the review document opened while `run` ran. */
async function diffShownDuring<T>(run: () => Thenable<T>): Promise<{ result: T; diffShown: boolean }> {
  let diffShown = false;
  const sub = vscode.window.tabGroups.onDidChangeTabs((e) => {
    if (
      e.opened.some(
        (t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'kafka-workbench-review',
      )
    )
      diffShown = true;
  });
  try {
    return { result: await run(), diffShown };
  } finally {
    sub.dispose();
  }
}

describe('Saving a message back from the composer', () => {
  let file: vscode.Uri;

  beforeEach(async () => {
    file = write('saveback/orders.kafka.json', ORDERS);
    await vscode.commands.executeCommand('kafkaWorkbench.collections.refresh');
  });

  it("opens the message's source in the composer, and the preview renders it with the collection's variables", async () => {
    const a = await api();
    const draft = await vscode.commands.executeCommand<ComposerDraft>(
      'kafkaWorkbench.collections.openInComposer',
      file,
      'new order',
    );
    assert.equal(draft.key, 'order-{{$seq}}');
    assert.deepEqual(JSON.parse(draft.value), {
      id: '{{$uuid}}',
      region: '{{region}}',
      who: '{{$faker.person.fullName}}',
    });
    assert.equal(draft.repeat, 3);
    const origin = a.composer()!.currentOrigin();
    assert.deepEqual(origin, { file: file.fsPath, name: 'new order' });
    const preview = await a.collections.templates.preview(draft, origin);
    assert.equal(preview.templated, true);
    assert.equal(preview.key, 'order-0');
    const value = JSON.parse(preview.value!);
    assert.equal(value.region, 'eu');
    assert.match(value.id, /^[0-9a-f-]{36}$/);
  });

  it('Open in Composer -> edit the key -> Save Record -> Replace changes that key and not one other byte', async () => {
    const a = await api();
    const draft = await vscode.commands.executeCommand<ComposerDraft>(
      'kafkaWorkbench.collections.openInComposer',
      file,
      'new order',
    );
    a.composer()!.showDraft({ ...draft, key: 'order-{{$seq}}-{{region}}' }, { file: file.fsPath, name: 'new order' });
    const { result, diffShown } = await diffShownDuring(() =>
      vscode.commands.executeCommand<{ replaced: boolean }>(
        'kafkaWorkbench.collections.saveDraft',
        file.fsPath,
        'new order',
        undefined,
        { replace: true },
      ),
    );
    assert.equal(result.replaced, true);
    assert.equal(diffShown, false, 'only the edited field changes: nothing to review');
    assert.equal(
      fs.readFileSync(file.fsPath, 'utf8'),
      ORDERS.replace('"key": "order-{{$seq}}"', '"key": "order-{{$seq}}-{{region}}"'),
    );
  });

  it('saving back an unedited message, or one edited in a multi-line value, keeps the rest byte for byte', async () => {
    const a = await api();
    const draft = await vscode.commands.executeCommand<ComposerDraft>(
      'kafkaWorkbench.collections.openInComposer',
      file,
      'priced',
    );
    await vscode.commands.executeCommand('kafkaWorkbench.collections.saveDraft', file.fsPath, 'priced', undefined, {
      replace: true,
    });
    assert.equal(fs.readFileSync(file.fsPath, 'utf8'), ORDERS, 'nothing edited, nothing written');
    const value = { ...JSON.parse(draft.value), price: '{{price}} EUR' };
    a.composer()!.showDraft({ ...draft, value: JSON.stringify(value, null, 2) }, { file: file.fsPath, name: 'priced' });
    await vscode.commands.executeCommand('kafkaWorkbench.collections.saveDraft', file.fsPath, 'priced', undefined, {
      replace: true,
    });
    assert.equal(
      fs.readFileSync(file.fsPath, 'utf8'),
      ORDERS.replace('"price": "{{price}}"', '"price": "{{price}} EUR"'),
    );
  });

  it('shows the diff before replacing a message with a record not opened from it, and writes nothing unless confirmed', async () => {
    const a = await api();
    const draft = await vscode.commands.executeCommand<ComposerDraft>(
      'kafkaWorkbench.collections.openInComposer',
      file,
      'priced',
    );
    // The composer's record goes over "new order", which it was not opened from.
    const refused = await diffShownDuring(() =>
      vscode.commands.executeCommand<{ replaced: boolean; reviewed: boolean }>(
        'kafkaWorkbench.collections.saveDraft',
        file.fsPath,
        'new order',
        undefined,
        { replace: true, confirm: false },
      ),
    );
    assert.deepEqual([refused.result.replaced, refused.result.reviewed, refused.diffShown], [false, true, true]);
    assert.equal(fs.readFileSync(file.fsPath, 'utf8'), ORDERS, 'not confirmed: nothing written');
    await waitFor(
      'the review diff to close',
      () => !vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff),
    );
    const confirmed = await vscode.commands.executeCommand<{ replaced: boolean }>(
      'kafkaWorkbench.collections.saveDraft',
      file.fsPath,
      'new order',
      undefined,
      { replace: true, confirm: true },
    );
    assert.equal(confirmed.replaced, true);
    const saved = JSON.parse(fs.readFileSync(file.fsPath, 'utf8')).messages[0];
    assert.deepEqual(saved.value, JSON.parse(draft.value));
    assert.equal(a.composer()!.currentOrigin()?.name, 'priced');
  });

  it('shows the diff when the file changed since the message was opened, in a field the save would write', async () => {
    const a = await api();
    const draft = await vscode.commands.executeCommand<ComposerDraft>(
      'kafkaWorkbench.collections.openInComposer',
      file,
      'new order',
    );
    fs.writeFileSync(file.fsPath, ORDERS.replace('"key": "order-{{$seq}}"', '"key": "changed-{{$seq}}"'));
    a.composer()!.showDraft({ ...draft, key: 'mine-{{$seq}}' }, { file: file.fsPath, name: 'new order' });
    const { result, diffShown } = await diffShownDuring(() =>
      vscode.commands.executeCommand<{ replaced: boolean }>(
        'kafkaWorkbench.collections.saveDraft',
        file.fsPath,
        'new order',
        undefined,
        { replace: true, confirm: false },
      ),
    );
    assert.deepEqual([result.replaced, diffShown], [false, true]);
    assert.ok(fs.readFileSync(file.fsPath, 'utf8').includes('"changed-{{$seq}}"'));
  });
});
