/**
 * Problems a JSON schema cannot see, for the editor: templates that name unknown variables or faker paths, bad
 * $randomInt arguments, unclosed `{{`. Pure: uses the parsed text and, when one is active, the environment.
 */
import type { Collection, Diagnostic, Variables } from './model';
import type { ParsedCollection } from './parse';
import { MessagePreparer, type LoadedEnvironment, type TemplateProblem } from './prepare';
import { formatLocation } from './source-text';
import { TemplateEngine, type TemplateSite } from './template';

/**
 * Template diagnostics of every message without errors of its own: a schema error in one message (which the editor's
 * JSON service may be the one showing) does not hide template errors in the others. None when the text is not JSON
 * or the collection's own fields are broken.
 */
export function templateDiagnostics(
  doc: ParsedCollection,
  filePath: string,
  environment?: LoadedEnvironment,
  variables: Variables = {},
): Diagnostic[] {
  const checkable = checkableMessages(doc);
  if (!checkable) return [];
  const preparer = new MessagePreparer(
    new TemplateEngine(),
    { filePath, collection: checkable.collection, source: doc.source },
    environment,
    variables,
  );
  const out: Diagnostic[] = [];
  for (const index of checkable.indexes) {
    for (const problem of preparer.checkTemplates(index)) out.push(problemDiagnostic(problem, doc, index));
  }
  return out;
}

/**
 * A problem in this file goes where the bad text is. One inside a variable from elsewhere (the environment file,
 * --var) goes on the message's field that uses the variable, since this file's Problems can only point into this
 * file, and its text says where the bad value is.
 */
function problemDiagnostic({ error, field }: TemplateProblem, doc: ParsedCollection, index: number): Diagnostic {
  const range = (site: TemplateSite) => site.range ?? doc.source.rangeOf(['messages', index]);
  if (error.site.fileName === field.fileName)
    return { severity: 'error', message: error.detail, path: error.site.path, range: range(error.site) };
  return {
    severity: 'error',
    message: `${variableOrigin(error.site)}: ${error.detail}`,
    path: field.path,
    range: range(field),
  };
}

/** `variable {{bad}} from dev.kafka-env.json:4:12`, or `variable {{bad}} from --var bad`. */
function variableOrigin(site: TemplateSite): string {
  const name = site.path[site.path.length - 1];
  const where = site.range ? formatLocation(site.fileName, site.range) : `${site.fileName} ${name}`;
  return `variable {{${name}}} from ${where}`;
}

/** The collection as written, and which of its messages have no errors (so their templates can be compiled). */
function checkableMessages(doc: ParsedCollection): { collection: Collection; indexes: number[] } | undefined {
  if (doc.value) return { collection: doc.value, indexes: doc.value.messages.map((_, i) => i) };
  const broken = new Set<number>();
  for (const d of doc.diagnostics) {
    if (d.severity !== 'error') continue;
    const [top, index] = d.path;
    // Not JSON (no data to check: such errors have no path), or an error outside any one message (the variables
    // every message uses, say).
    if (top !== 'messages' || typeof index !== 'number') return undefined;
    broken.add(index);
  }
  if (!doc.source.tree) return undefined;
  const collection = JSON.parse(doc.source.text) as Collection; // plain JSON: there is no syntax error
  return { collection, indexes: collection.messages.map((_, i) => i).filter((i) => !broken.has(i)) };
}
