/**
 * Problems only the schema registry can tell, for the editor: a message's keySchema / valueSchema naming a subject,
 * version or id the registry does not have, or a value (without templates) that does not fit its schema; an
 * expectation's keySchema / valueSchema naming a subject or version it does not have. Asked only
 * when a registry is configured; when it cannot be reached, nothing is said (it is checked again on the next edit).
 */
import type { SchemaRegistryClient } from '../schema-registry/client';
import { createSerializer, keyTextValue, type SchemaSerializer } from '../schema-registry/serializer';
import { SchemaRegistryError, SchemaValueError } from '../schema-registry/types';
import { errorMessage, WorkbenchError } from '../util/errors';
import type { Diagnostic, MessageSpec } from './model';
import type { ParsedCollection } from './parse';

export async function schemaDiagnostics(doc: ParsedCollection, registry: SchemaRegistryClient): Promise<Diagnostic[]> {
  const messages = doc.value?.messages ?? [];
  const out: Diagnostic[] = [];
  for (const [index, m] of messages.entries()) {
    for (const part of ['key', 'value'] as const) {
      const ref = part === 'key' ? m.keySchema : m.valueSchema;
      if (!ref) continue;
      const at = ['messages', index, `${part}Schema`];
      if (m.topic.includes('{{') && ref.subject === undefined && ref.id === undefined && ref.strategy !== 'RecordName')
        continue; // prepare says it
      let serializer: SchemaSerializer;
      try {
        serializer = await createSerializer(registry, m.topic, part, ref);
      } catch (e) {
        if (e instanceof SchemaRegistryError && e.status === 0 && e.errorCode === 0) return out; // unreachable: nothing to say
        if (!(e instanceof WorkbenchError)) throw e;
        out.push({ severity: 'error', message: errorMessage(e), path: at, range: doc.source.rangeOf(at) });
        continue;
      }
      const problem = valueProblem(m, part, serializer);
      if (problem)
        out.push({
          severity: 'error',
          message: `${problem.message} (${part}Schema ${describe(serializer)})`,
          path: ['messages', index, part],
          range: doc.source.rangeOf(['messages', index, part]),
        });
    }
    for (const [j, e] of (m.expect ?? []).entries())
      for (const part of ['keySchema', 'valueSchema'] as const) {
        const subject = e[part]?.subject;
        if (subject === undefined) continue;
        const at = ['messages', index, 'expect', j, part, 'subject'];
        try {
          await registry.version(subject, e[part]!.version ?? 'latest');
        } catch (err) {
          if (err instanceof SchemaRegistryError && err.status === 0 && err.errorCode === 0) return out;
          if (!(err instanceof WorkbenchError)) throw err;
          out.push({ severity: 'error', message: errorMessage(err), path: at, range: doc.source.rangeOf(at) });
        }
      }
  }
  return out;
}

/** The value's misfit, when the value is plain JSON (templates and data files are checked when sent). */
function valueProblem(
  m: MessageSpec,
  part: 'key' | 'value',
  serializer: SchemaSerializer,
): SchemaValueError | undefined {
  const spec = part === 'key' ? m.key : m.value;
  if (spec === undefined || spec === null || JSON.stringify(spec).includes('{{')) return undefined;
  if (
    typeof spec === 'object' &&
    !Array.isArray(spec) &&
    Object.keys(spec).length === 1 &&
    ('file' in spec || 'base64' in spec)
  )
    return undefined;
  const value =
    typeof spec === 'object' && !Array.isArray(spec) && Object.keys(spec).length === 1 && 'json' in spec
      ? (spec as { json: unknown }).json
      : part === 'key' && typeof spec === 'string'
        ? keyTextValue(spec)
        : spec;
  try {
    serializer.encode(value);
    return undefined;
  } catch (e) {
    if (e instanceof SchemaValueError) return e;
    throw e;
  }
}

function describe(s: SchemaSerializer): string {
  return `${s.used.subject ?? `id ${s.used.id}`}${s.used.version !== undefined ? ` v${s.used.version}` : ''}`;
}
