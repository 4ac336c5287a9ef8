import { strict as assert } from 'node:assert';
import path from 'node:path';
import { ESLint } from 'eslint';

// The project's own ESLint config (eslint.config.mjs), applied to code placed at a path of each layer.
const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root, cache: false });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const layering = (found: string[]) => found.filter((p) => p.startsWith('workbench/layering'));

describe('lint: layering and disable comments', function () {
  this.timeout(60_000); // the first lint loads the TypeScript parser

  it('keeps vscode, the host and the CLI out of extension/core/, however the import is written', async () => {
    const found = layering(
      await problems(
        'extension/core/engine/example.ts',
        [
          "import * as vscode from 'vscode';",
          "import { log } from '../../host/log';",
          "export { run } from '../../cli/main';",
          "import type { Thing } from '../../../extension/host/thing';",
          "export const later = () => import('../../host/activate');",
          "type T = import('vscode').Uri;",
          'export const x: T | undefined = vscode ? log : undefined;',
        ].join('\n'),
      ),
    );
    assert.equal(found.length, 6, found.join('\n'));
    assert.match(found[0]!, /'vscode' may not be imported here: extension\/core\/ is plain Node/);
    assert.match(
      found[1]!,
      /'\.\.\/\.\.\/host\/log' may not be imported here: extension\/core\/ does not depend on the VS Code host/,
    );
  });

  it('lets only the transport port file load kafkajs, by import or require', async () => {
    const inEngine = layering(
      await problems('extension/core/engine/example.ts', "const k = require('kafkajs/src/broker'); export default k;"),
    );
    assert.equal(inEngine.length, 1, inEngine.join('\n'));
    assert.match(inEngine[0]!, /kafkajs is used only behind the KafkaConnection port/);
    assert.equal(
      layering(await problems('extension/host/example.ts', "import { Kafka } from 'kafkajs'; export default Kafka;"))
        .length,
      1,
    );
    assert.deepEqual(
      layering(
        await problems(
          'extension/core/transport/kafkajs-connection.ts',
          "import { Kafka } from 'kafkajs'; export default Kafka;",
        ),
      ),
      [],
    );
    // Tests check the sandbox with kafkajs as an outside client.
    assert.deepEqual(
      layering(
        await problems('test/integration/example.test.ts', "import { Kafka } from 'kafkajs'; export default Kafka;"),
      ),
      [],
    );
  });

  it('lets the webview import only its own files, the host/webview protocol and the UI toolkit', async () => {
    const found = layering(
      await problems(
        'webview/example.ts',
        [
          "import { a } from './dom';",
          "import type { HostToWebview } from '../extension/protocol/messages';",
          "import { provideVSCodeDesignSystem } from '@vscode/webview-ui-toolkit';",
          "import { WorkbenchError } from '../extension/core/util/errors';",
          "import { guarded } from '../extension/host/commands';",
          'export const all = [a, provideVSCodeDesignSystem, WorkbenchError, guarded] as unknown as HostToWebview[];',
        ].join('\n'),
      ),
    );
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(
      found[0]!,
      /'\.\.\/extension\/core\/util\/errors' may not be imported here: the webview runs in the browser/,
    );
  });

  it('refuses an eslint-disable comment that gives no reason', async () => {
    const bare = await problems(
      'extension/core/util/example.ts',
      '// eslint-disable-next-line no-debugger\ndebugger;\n',
    );
    assert.ok(
      bare.some((p) => p.startsWith('@eslint-community/eslint-comments/require-description')),
      bare.join('\n'),
    );
    assert.deepEqual(
      await problems(
        'extension/core/util/example.ts',
        '// eslint-disable-next-line no-debugger -- trying it\ndebugger;\n',
      ),
      [],
    );
  });
});
