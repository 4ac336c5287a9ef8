/**
 * Problems a JSON schema cannot see, for the editor: templates that name unknown variables or faker paths, bad
 * $randomInt arguments, unclosed `{{`. Pure: uses the parsed text and, when one is active, the environment.
 */
import type { Diagnostic, Variables } from './model';
import type { ParsedCollection } from './parse';
import { MessagePreparer, type LoadedEnvironment } from './prepare';
import { TemplateEngine } from './template';

/** Template diagnostics of a collection without schema errors (returns [] for one that has them). */
export function templateDiagnostics(doc: ParsedCollection, filePath: string, environment?: LoadedEnvironment, variables: Variables = {}): Diagnostic[] {
  if (!doc.value) return [];
  const preparer = new MessagePreparer(new TemplateEngine(), { filePath, collection: doc.value, source: doc.source }, environment, variables);
  const out: Diagnostic[] = [];
  doc.value.messages.forEach((_, index) => {
    for (const e of preparer.checkTemplates(index)) {
      out.push({ severity: 'error', message: e.detail, path: e.site.path, range: e.site.range ?? doc.source.rangeOf(['messages', index]) });
    }
  });
  return out;
}
