/**
 * The composer's "Schema Registry" format for the key and the value: a subject picker (default <topic>-key /
 * <topic>-value), version and message fields, the schema shown, the typed value checked against it as it is typed
 * (by the host, which has the registry), and "Fill example". Its own module so the composer's layout changes little.
 */
import {
  defaultSchemaRef,
  type ComposerDraft,
  type DraftSchemaRef,
  type SchemaDetails,
  type WebviewError,
} from '../extension/protocol/messages';
import { byId, h, setOptions, type ValueElement } from './dom';
import type { HostChannel } from './host-channel';

type Part = 'key' | 'value';
const PARTS: Part[] = ['key', 'value'];
const CHECK_DELAY_MS = 300;

export interface SchemaControls {
  /** The refs as the form has them, for the draft. */
  read(): Pick<ComposerDraft, 'keySchema' | 'valueSchema'>;
  /** Shows a draft's refs (and the boxes for parts in the schema format). */
  fill(draft: ComposerDraft): void;
  /** The connection changed: the subjects are asked for again. */
  refreshSubjects(): void;
}

const val = (id: string) => byId<ValueElement>(id);

function box(part: Part): HTMLElement {
  return h(
    'div',
    { class: 'schema-box', id: `${part}-schema-box`, hidden: true, 'aria-label': `Schema for the ${part}` },
    h(
      'div',
      { class: 'row' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: `${part}-subject`, text: 'Subject' }),
        h('vscode-dropdown', { id: `${part}-subject` }),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: `${part}-schema-version`, text: 'Version' }),
        h('vscode-text-field', { id: `${part}-schema-version`, placeholder: 'latest', size: 6 }),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: `${part}-record-name`, text: 'Message (Protobuf)' }),
        h('vscode-text-field', { id: `${part}-record-name`, placeholder: 'first in the schema', size: 18 }),
      ),
      h(
        'vscode-button',
        {
          id: `${part}-fill-example`,
          appearance: 'secondary',
          title: `Fill the ${part} with a value built from the schema`,
        },
        'Fill example',
      ),
    ),
    h('div', { class: 'schema-status', id: `${part}-schema-status`, role: 'status', 'aria-live': 'polite' }),
    h('div', { class: 'hint', id: `${part}-schema-registry` }),
    h(
      'details',
      { class: 'schema-details' },
      h('summary', { id: `${part}-schema-summary`, text: 'Schema' }),
      h('pre', { class: 'schema-text', id: `${part}-schema-text` }),
    ),
  );
}

export function mountSchemaControls(channel: HostChannel, onEdited: () => void): SchemaControls {
  // The key's box goes under the key's row, the value's under the value field.
  byId('key').closest('.row')!.after(box('key'));
  byId('value').closest('.field')!.after(box('value'));
  let subjects: string[] = [];
  let registry: string | null = null;
  const refs: Record<Part, DraftSchemaRef> = { key: defaultSchemaRef(), value: defaultSchemaRef() };
  const timers: Partial<Record<Part, ReturnType<typeof setTimeout>>> = {};
  const asked: Record<Part, number> = { key: 0, value: 0 };
  const details: Partial<Record<Part, SchemaDetails>> = {};

  const active = (part: Part) => val(part === 'key' ? 'key-format' : 'value-format').value === 'schema';
  const topic = () => val('topic').value.trim();
  const status = (part: Part, text: string, kind: 'good' | 'bad' | 'busy') => {
    const el = byId(`${part}-schema-status`);
    el.textContent = text;
    el.className = `schema-status ${kind}`;
  };

  const renderSubjects = (part: Part) => {
    const fallback = topic() ? `${topic()}-${part} (from the topic)` : `<topic>-${part} (from the topic)`;
    const options = [{ value: '', label: fallback }, ...subjects.map((s) => ({ value: s, label: s }))];
    if (refs[part].subject && !subjects.includes(refs[part].subject))
      options.push({ value: refs[part].subject, label: `${refs[part].subject} (not in the registry)` });
    setOptions(val(`${part}-subject`), options, refs[part].subject);
  };

  const readRef = (part: Part): DraftSchemaRef => {
    const version = val(`${part}-schema-version`).value.trim();
    return {
      subject: val(`${part}-subject`).value,
      version: /^\d+$/.test(version) && Number(version) > 0 ? Number(version) : null,
      recordName: val(`${part}-record-name`).value.trim(),
    };
  };

  /** Fetches the schema (subject, version and id, its text), then checks the typed value against it. */
  const update = (part: Part) => {
    clearTimeout(timers[part]);
    if (!active(part)) return;
    timers[part] = setTimeout(() => void check(part), CHECK_DELAY_MS);
  };

  const check = async (part: Part) => {
    const seq = ++asked[part];
    const ref = refs[part];
    if (registry === null) {
      status(
        part,
        'The active connection has no schema registry: connect to the Local sandbox, or give the connection one.',
        'bad',
      );
      return;
    }
    status(part, 'Checking against the schema…', 'busy');
    try {
      const d = await channel.request('schemaDetails', { topic: topic(), part, ref });
      if (seq !== asked[part]) return;
      details[part] = d;
      byId(`${part}-schema-summary`).textContent =
        `Schema: ${d.subject ?? 'by id'}${d.version !== null ? ` v${d.version}` : ''} · id ${d.id} · ${d.schemaType}`;
      byId(`${part}-schema-text`).textContent = d.schema;
      const text = val(part).value;
      if (text.trim() === '') {
        status(part, `Empty: "Fill example" writes a value that fits ${d.subject ?? `schema ${d.id}`}.`, 'busy');
        return;
      }
      const { problem } = await channel.request('checkSchemaValue', { topic: topic(), part, ref, text });
      if (seq !== asked[part]) return;
      if (problem) status(part, problem, 'bad');
      else
        status(
          part,
          `Fits ${d.subject ?? `schema ${d.id}`}${d.version !== null ? ` v${d.version}` : ''} (id ${d.id}, ${d.schemaType}).`,
          'good',
        );
    } catch (e) {
      if (seq !== asked[part]) return;
      details[part] = undefined;
      byId(`${part}-schema-summary`).textContent = 'Schema';
      byId(`${part}-schema-text`).textContent = '';
      status(part, (e as WebviewError).message, 'bad');
    }
  };

  const showBoxes = () => {
    for (const part of PARTS) {
      const on = active(part);
      byId(`${part}-schema-box`).hidden = !on;
      if (on) update(part);
    }
  };

  const refreshSubjects = () => {
    const where = (text: string) => PARTS.forEach((part) => (byId(`${part}-schema-registry`).textContent = text));
    void channel.request('schemaSubjects', {}).then(
      (r) => {
        registry = r.registry;
        subjects = r.subjects;
        where(
          registry
            ? `Schema registry ${registry} · ${subjects.length} subject${subjects.length === 1 ? '' : 's'}`
            : 'The active connection has no schema registry.',
        );
        PARTS.forEach(renderSubjects);
        showBoxes();
      },
      (e: WebviewError) => {
        registry = null;
        subjects = [];
        where(e.message);
        PARTS.forEach(renderSubjects);
      },
    );
  };

  for (const part of PARTS) {
    const changed = () => {
      refs[part] = readRef(part);
      onEdited();
      update(part);
    };
    val(`${part}-subject`).addEventListener('change', changed);
    val(`${part}-schema-version`).addEventListener('input', changed);
    val(`${part}-record-name`).addEventListener('input', changed);
    val(part).addEventListener('input', () => update(part));
    byId(`${part}-fill-example`).addEventListener('click', async () => {
      await check(part);
      const d = details[part];
      if (!d) return;
      // A key field is one line: its example goes in as compact JSON.
      val(part).value = part === 'key' ? JSON.stringify(JSON.parse(d.example)) : d.example;
      onEdited();
      update(part);
    });
  }
  // Switching to the format asks for the subjects again: one registered since shows up.
  for (const id of ['key-format', 'value-format'])
    val(id).addEventListener('change', () => {
      if (val('key-format').value === 'schema' || val('value-format').value === 'schema') refreshSubjects();
      showBoxes();
    });
  val('topic').addEventListener('input', () => {
    PARTS.forEach(renderSubjects);
    PARTS.forEach(update);
  });

  return {
    read: () => ({ keySchema: { ...refs.key }, valueSchema: { ...refs.value } }),
    fill(draft) {
      refs.key = { ...(draft.keySchema ?? defaultSchemaRef()) };
      refs.value = { ...(draft.valueSchema ?? defaultSchemaRef()) };
      for (const part of PARTS) {
        val(`${part}-schema-version`).value = refs[part].version === null ? '' : String(refs[part].version);
        val(`${part}-record-name`).value = refs[part].recordName;
        renderSubjects(part);
      }
      showBoxes();
    },
    refreshSubjects,
  };
}
