// The project's layering as a lint rule: which modules a folder may import.
// no-restricted-imports matches the text of an import, so `../../host/x` and `../host/x` read differently
// depending on the importing file; this rule resolves relative imports to a path from the repository root first,
// and sees every way a module is loaded (import, export ... from, import(), require(), `import x = require()`,
// `import('x').T` types).
//
// Options: { forbid?: [{ module, message }], allowOnly?: [modules], message? }
//   module: a package name ('vscode', 'kafkajs', matching 'kafkajs/src/...') or a folder of this repository
//   ending in '/' ('extension/host/'). `forbid` reports imports of those; `allowOnly` reports anything else.
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

/** What an import specifier names: 'pkg:<name>' for a package, or a path from the repository root. */
function target(specifier, filename) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const abs = path.resolve(path.dirname(filename), specifier);
    return { kind: 'path', value: path.relative(root, abs).split(path.sep).join('/') };
  }
  return { kind: 'package', value: specifier.replace(/^node:/, '') };
}

function matches(t, module) {
  if (module.endsWith('/')) return t.kind === 'path' && (t.value + '/').startsWith(module);
  return t.kind === 'package' && (t.value === module || t.value.startsWith(module + '/'));
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps each folder to the modules its layer may import' },
    schema: [
      {
        type: 'object',
        properties: {
          forbid: {
            type: 'array',
            items: {
              type: 'object',
              properties: { module: { type: 'string' }, message: { type: 'string' } },
              required: ['module', 'message'],
              additionalProperties: false,
            },
          },
          allowOnly: { type: 'array', items: { type: 'string' } },
          message: { type: 'string' },
        },
        additionalProperties: false,
      },
    ],
    messages: { layering: "'{{specifier}}' may not be imported here: {{message}}" },
  },
  create(context) {
    const { forbid = [], allowOnly, message = '' } = context.options[0] ?? {};
    const filename = context.filename;

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      const t = target(specifier, filename);
      const banned = forbid.find((f) => matches(t, f.module));
      if (banned) {
        context.report({ node, messageId: 'layering', data: { specifier, message: banned.message } });
      } else if (allowOnly && !allowOnly.some((m) => matches(t, m))) {
        context.report({ node, messageId: 'layering', data: { specifier, message } });
      }
    }

    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression(node) {
        const [arg] = node.arguments;
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && arg?.type === 'Literal') {
          check(arg, arg.value);
        }
      },
      TSExternalModuleReference: (node) => node.expression.type === 'Literal' && check(node, node.expression.value),
      TSImportType(node) {
        // typescript-eslint 8: `argument` is a TSLiteralType wrapping the string literal.
        const lit = node.argument?.literal ?? node.argument;
        if (lit?.type === 'Literal') check(node, lit.value);
      },
    };
  },
};
