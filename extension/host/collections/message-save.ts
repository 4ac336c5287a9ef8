/**
 * Saving the composer's draft over a message of a collection: which of the message's fields change. Only fields the
 * user edited in the composer (compared with the draft as it was opened) are written, so templates, formatting and
 * fields the composer does not show stay as they are. Whether the user must see a diff first: when the draft was not
 * opened from this message, or when the file changed since it was opened in a field about to be written. Pure: no
 * vscode, so plain mocha tests it.
 */
import type { MessageSpec, ProducerSettings } from '../../core/collections/model';
import { jsonEqual } from '../../core/util/json-equal';
import { defaultDraft, type ComposerDraft, type DraftProducerSettings } from '../../protocol/messages';
import { draftToMessage, isFileSpec } from './draft-to-message';

/** The message a draft was opened from, as it was then. */
export interface OpenedMessage {
  file: string;
  name: string;
  /** The draft the composer was given. */
  draft: ComposerDraft;
  /** The message's source then, and its collection's producer settings. */
  spec: MessageSpec;
  collectionProducer?: ProducerSettings;
}

/** The message as the file has it now. */
export interface CurrentMessage {
  spec: MessageSpec;
  collectionProducer?: ProducerSettings;
}

const MESSAGE_FIELDS = [
  'topic',
  'key',
  'value',
  'headers',
  'partition',
  'timestamp',
  'count',
  'keySchema',
  'valueSchema',
] as const;
const SETTINGS = Object.keys(defaultDraft().settings) as (keyof DraftProducerSettings)[];
type Field = (typeof MESSAGE_FIELDS)[number] | `producer.${keyof DraftProducerSettings}`;

export interface SavePlan {
  /** Top-level message properties to set (undefined removes one), for setMessageFields. */
  fields: Record<string, unknown>;
  /** The fields written, in words ("key", "producer.acks"), for the log and the review question. */
  written: Field[];
  /** Show the diff and ask before writing. */
  review: boolean;
}

/** A field's meaning, so equivalent spellings compare equal ("key": null and no key, count 1 and no count). */
function fieldOf(spec: MessageSpec, settings: Record<string, unknown>, f: Field): unknown {
  switch (f) {
    case 'topic':
      return spec.topic;
    case 'key':
      return spec.key ?? null;
    case 'value':
      return spec.value ?? null;
    case 'headers':
      return spec.headers ?? [];
    case 'partition':
      return spec.partition ?? null;
    case 'timestamp':
      return spec.timestamp ?? null;
    case 'count':
      return spec.count ?? 1;
    case 'keySchema':
      return spec.keySchema ?? null;
    case 'valueSchema':
      return spec.valueSchema ?? null;
    default: {
      const v = settings[f.slice('producer.'.length)];
      return f === 'producer.acks' && String(v) === '-1' ? 'all' : v === undefined ? undefined : String(v);
    }
  }
}

function effectiveSettings(spec: MessageSpec, collectionProducer?: ProducerSettings): Record<string, unknown> {
  return { ...defaultDraft().settings, ...(collectionProducer ?? {}), ...(spec.producer ?? {}) };
}

export function planMessageSave(
  draft: ComposerDraft,
  name: string,
  current: CurrentMessage,
  opened?: OpenedMessage,
): SavePlan {
  const fromDraft = draftToMessage(draft, name);
  const draftSettings = draft.settings as unknown as Record<string, unknown>;
  const currentSettings = effectiveSettings(current.spec, current.collectionProducer);
  const openedDraft = opened && draftToMessage(opened.draft, name);
  const openedSettings = opened && effectiveSettings(opened.spec, opened.collectionProducer);
  // A data file decides how many records are sent: the composer's repeat is not its "count".
  const fields: Field[] = [
    ...MESSAGE_FIELDS.filter((f) => f !== 'count' || !isFileSpec(current.spec.value)),
    ...SETTINGS.map((k) => `producer.${k}` as const),
  ];
  const written = fields.filter((f) => {
    const mine = fieldOf(fromDraft, draftSettings, f);
    const edited =
      !openedDraft ||
      !jsonEqual(mine, fieldOf(openedDraft, opened!.draft.settings as unknown as Record<string, unknown>, f));
    return edited && !jsonEqual(mine, fieldOf(current.spec, currentSettings, f));
  });
  // Changed in the file since it was opened, in a field the save would overwrite: the user has not seen that.
  const review =
    written.length > 0 &&
    (!opened ||
      written.some(
        (f) => !jsonEqual(fieldOf(current.spec, currentSettings, f), fieldOf(opened.spec, openedSettings!, f)),
      ));
  const out: Record<string, unknown> = {};
  const producer: ProducerSettings = { ...(current.spec.producer ?? {}) };
  for (const f of written) {
    if (f.startsWith('producer.'))
      producer[f.slice('producer.'.length)] = draftSettings[f.slice('producer.'.length)] as string | number | boolean;
    else if (f === 'key') out.key = fromDraft.key ?? undefined;
    else if (f === 'headers') out.headers = fromDraft.headers?.length ? fromDraft.headers : undefined;
    else if (f === 'count') out.count = fromDraft.count;
    else if (f === 'keySchema' || f === 'valueSchema') out[f] = fromDraft[f];
    else out[f] = fromDraft[f as 'topic' | 'partition' | 'timestamp' | 'value'] ?? undefined;
  }
  if (written.some((f) => f.startsWith('producer.'))) out.producer = producer;
  // "value": null stays explicit (a tombstone), while no key, no partition and no timestamp are left out.
  if (written.includes('value')) out.value = fromDraft.value === undefined ? null : fromDraft.value;
  return { fields: out, written, review };
}
