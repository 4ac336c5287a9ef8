// ESLint (flat config): the recommended rules of ESLint and typescript-eslint (syntax only, no type information,
// so `npm run lint` stays fast), eslint-disable comments only with a reason, and the layering of the code
// (README, Layout) as rules: eslint-rules/layering.mjs.
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layering from './eslint-rules/layering.mjs';

const workbench = { rules: { layering } };

const kafkajsPort = 'extension/core/transport/kafkajs-connection.ts';
const kafkajsOnlyInPort = {
  module: 'kafkajs',
  message: `kafkajs is used only behind the KafkaConnection port (${kafkajsPort})`,
};
const coreForbids = [
  { module: 'vscode', message: 'extension/core/ is plain Node: tested with mocha, used by the CLI' },
  { module: 'extension/host/', message: 'extension/core/ does not depend on the VS Code host' },
  { module: 'extension/cli/', message: 'extension/core/ does not depend on the command line' },
];

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.e2e-work/', '.vscode-test/', 'test-results/', 'test/fixtures/'] },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: { ...globals.node } },
    plugins: { workbench },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  comments.recommended,
  {
    rules: {
      // A disable comment says why: `// eslint-disable-next-line rule -- the reason`.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: ['eslint-enable'] }],
      // A file-wide disable after the imports (kafkajs's untyped internals) needs no closing comment.
      '@eslint-community/eslint-comments/disable-enable-pair': 'off',
      // `_name` marks a parameter or binding that is there on purpose and unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Generated from the message specs: a request with no fields is an empty interface.
    files: ['**/*.generated.ts'],
    rules: { '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'always' }] },
  },
  {
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.mocha } },
  },

  // Layering: one block per layer; a later block (the rules folder) replaces an earlier one's options.
  {
    files: ['extension/core/**'],
    ignores: [kafkajsPort],
    rules: { 'workbench/layering': ['error', { forbid: [...coreForbids, kafkajsOnlyInPort] }] },
  },
  {
    files: [kafkajsPort],
    rules: { 'workbench/layering': ['error', { forbid: coreForbids }] },
  },
  {
    files: ['extension/*.ts', 'extension/host/**', 'extension/cli/**'],
    rules: { 'workbench/layering': ['error', { forbid: [kafkajsOnlyInPort] }] },
  },
  {
    // The domain rules are in both bundles (through extension/protocol/): plain data and functions, no imports.
    files: ['extension/core/kafka/rules/**'],
    rules: {
      'workbench/layering': [
        'error',
        {
          allowOnly: ['extension/core/kafka/rules/'],
          message: 'the domain rules are in the webview bundle too and import nothing',
        },
      ],
    },
  },
  {
    // How durations and other values are written: in the webview bundle too, so plain functions with no imports.
    files: ['extension/core/format/**'],
    rules: {
      'workbench/layering': [
        'error',
        { allowOnly: [], message: 'extension/core/format/ is in the webview bundle too and imports nothing' },
      ],
    },
  },
  {
    files: ['extension/protocol/**'],
    rules: {
      'workbench/layering': [
        'error',
        {
          allowOnly: ['extension/protocol/', 'extension/core/kafka/rules/'],
          message: 'the host/webview protocol is in both bundles and imports only the domain rules',
        },
      ],
    },
  },
  {
    files: ['webview/**'],
    rules: {
      'workbench/layering': [
        'error',
        {
          allowOnly: ['webview/', 'extension/protocol/', 'extension/core/format/', '@vscode/webview-ui-toolkit'],
          message:
            'the webview runs in the browser and reaches the host only through extension/protocol/ (and formats with extension/core/format/)',
        },
      ],
    },
  },
);
