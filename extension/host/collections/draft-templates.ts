/**
 * The composer's draft as a collection message, so it renders with the collections' one template language: in the
 * collection it was opened from (its variables, its rate) or in a collection of its own, with the active
 * environment's variables either way. Gives the preview of the first record, and sends it through the same runner.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadedCollection, MessageSpec } from '../../core/collections';
import type { ProducerRecord } from '../../core/engine/types';
import type { ComposerDraft, DraftOrigin, RecordPreview, SendProgress, SendResult } from '../../protocol/messages';
import type { DraftRendering } from '../composer/composer-panel';
import { InvalidInputError } from '../../core/util/errors';
import { plainError } from '../kafka/plain-errors';
import type { CreateTopicsAnswer } from '../kafka/missing-topics';
import type { WorkbenchService } from '../kafka/workbench-service';
import { BULK_IN_FLIGHT, bulkSend } from './bulk-send';
import type { CollectionIndex } from './collection-index';
import { collectionsCore } from './collections-core';
import { draftToMessage } from './draft-to-message';
import type { EnvironmentState } from './environments';

/** The name a draft typed in the composer gets in the collection of its own. */
const COMPOSER_MESSAGE = 'composer record';

/** What a send or a preview runs: a collection holding the draft as message `name`. */
export interface DraftAsMessage {
  loaded: LoadedCollection;
  name: string;
  /** Where the variables come from, in words. */
  context: string;
}

export class DraftTemplates implements DraftRendering {
  constructor(
    private readonly index: CollectionIndex,
    private readonly environments: EnvironmentState,
    private readonly service: WorkbenchService,
  ) {}

  /**
   * The draft as a message of the collection it was opened from (that message's own variables and rate kept), or,
   * when it has no origin or the origin is gone, as the one message of a collection of its own.
   */
  async asMessage(draft: ComposerDraft, origin: DraftOrigin | null, encode = true): Promise<DraftAsMessage> {
    if (origin) {
      const loaded = await this.index.loaded(vscode.Uri.file(origin.file)).catch(() => undefined);
      const at = loaded?.collection.messages.findIndex((m) => m.name === origin.name) ?? -1;
      if (loaded && at >= 0) {
        const messages = [...loaded.collection.messages];
        messages[at] = { ...messages[at], ...this.spec(draft, origin.name, encode) };
        return {
          loaded: { ...loaded, collection: { ...loaded.collection, messages } },
          name: origin.name,
          context: `${loaded.collection.name} › ${origin.name}`,
        };
      }
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const collection = { name: 'Kafka Composer', messages: [this.spec(draft, COMPOSER_MESSAGE, encode)] };
    return {
      loaded: { filePath: path.join(folder, 'Kafka Composer'), collection },
      name: COMPOSER_MESSAGE,
      context: 'the composer',
    };
  }

  /**
   * The draft's fields as a message; its producer settings are the composer's, all of them. Without `encode` (the
   * preview) key and value in the Schema Registry format stay the JSON they are written as.
   */
  private spec(draft: ComposerDraft, name: string, encode: boolean): MessageSpec {
    const spec = draftToMessage(draft, name);
    // Fields the composer clears are cleared in the message too (no partition, count 1, no schema), not inherited.
    const cleared: Partial<MessageSpec> = {
      partition: undefined,
      timestamp: undefined,
      headers: undefined,
      count: undefined,
      keySchema: undefined,
      valueSchema: undefined,
      transaction: undefined,
    };
    const out: MessageSpec = { ...cleared, ...spec, producer: { ...draft.settings } };
    // "Send as one transaction": the Repeat's records are one transaction, committed or aborted after sending.
    if (draft.transaction) out.transaction = { id: draft.transaction.id, abort: draft.transaction.abort };
    if (!encode) {
      delete out.keySchema;
      delete out.valueSchema;
    }
    return out;
  }

  /**
   * Sends the draft like a collection send of its message: `repeat` records, each rendered, on the active connection,
   * with the same progress and Cancel. sync hands a record over only once the one before is acknowledged (Java's
   * `send().get()`); async and fire-and-forget keep up to BULK_IN_FLIGHT in flight.
   */
  async send(
    draft: ComposerDraft,
    origin: DraftOrigin | null,
    options: { signal: AbortSignal; onProgress(progress: SendProgress): void; createTopics?: CreateTopicsAnswer },
  ): Promise<SendResult> {
    const message = await this.asMessage(draft, origin);
    const schemaRegistry =
      draft.keyFormat === 'schema' || draft.valueFormat === 'schema' ? await this.service.schemaRegistry() : undefined;
    if ((draft.keyFormat === 'schema' || draft.valueFormat === 'schema') && !schemaRegistry) {
      throw Object.assign(
        new InvalidInputError(
          'The active connection has no schema registry: connect to the Local sandbox (it has one), or edit the connection and give its schema registry URL.',
        ),
        { field: draft.valueFormat === 'schema' ? 'value' : 'key' },
      );
    }
    // The send keeps the connection active now to its end; switching connection asks whether to cancel it.
    const abort = new AbortController(); // the composer's Cancel, or the user cancelling it to switch connection
    if (options.signal.aborted) abort.abort();
    else options.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const run = this.service.beginCollectionRun(
      `sending ${draft.repeat.toLocaleString('en-US')} record${draft.repeat === 1 ? '' : 's'} to "${draft.topic}"`,
      () => abort.abort(),
    );
    const result = await bulkSend({
      schemaRegistry,
      // Once the topic is known (rendered, when a variable names it): it exists, or the user chose to create it.
      beforeSend: (targets) => this.service.ensureTopics(targets.topics, options.createTopics),
      loaded: message.loaded,
      environment: await this.environments.load(),
      messages: [message.name],
      secrets: this.environments.secrets,
      producerFor: run.producerFor,
      signal: abort.signal,
      stopOnFirstError: false,
      maxInFlight: draft.sendMode === 'sync' ? 1 : BULK_IN_FLIGHT,
      onProgress: (p) => options.onProgress({ text: p.describe(), ...p.view(), remaining: p.view().remaining ?? null }),
      everyMs: 200,
    })
      .catch((e: unknown) => {
        throw onField(e);
      })
      .finally(() => run.end());
    const { summary } = result;
    // A record that does not render or fit its schema stops the send: said on its field, like before sending.
    if (summary.inputError) throw onField(summary.inputError);
    return {
      lastRecordId: result.lastRecordId ?? null,
      line: result.line,
      ok: summary.ok,
      cancelled: summary.cancelled,
    };
  }

  /** The first record as it will be sent; secrets stay references, nothing is looked up or sent. */
  async preview(draft: ComposerDraft, origin: DraftOrigin | null): Promise<RecordPreview> {
    const core = collectionsCore();
    const templated = [draft.topic, draft.key, draft.value, ...draft.headers.map((h) => h.value)].some((t) =>
      t.includes('{{'),
    );
    const empty: RecordPreview = { templated, topic: draft.topic, key: null, value: null, headers: [] };
    let message: DraftAsMessage;
    try {
      message = await this.asMessage(draft, origin, false);
    } catch (e) {
      return { ...empty, error: plainError(e) };
    }
    const environment = await this.environments.loadQuietly();
    const variablesFrom = [
      message.context !== 'the composer' ? `collection message ${message.context}` : '',
      environment ? `environment ${path.basename(environment.filePath)}` : '',
    ].filter(Boolean);
    const rate = message.loaded.collection.messages.find((m) => m.name === message.name)?.ratePerSecond;
    const note =
      [
        variablesFrom.length ? `Variables from ${variablesFrom.join(' and ')}.` : '',
        rate ? `Sent at ${rate} records/s (the message's ratePerSecond).` : '',
      ]
        .filter(Boolean)
        .join(' ') || undefined;
    try {
      const engine = new core.TemplateEngine({ secrets: (name) => `{{$secret:${name}}}` });
      const preparer = new core.MessagePreparer(engine, message.loaded, environment);
      const [i] = preparer.select([message.name]);
      const prepared = await preparer.prepare(i);
      let first: ProducerRecord | undefined;
      for await (const r of prepared.records()) {
        first = r;
        break;
      }
      if (!first) return { ...empty, note, error: 'The message makes no records.' };
      return {
        templated,
        topic: first.topic,
        key: shown(first.key),
        value: shown(first.value),
        headers: (first.headers ?? []).map((h) => ({ key: h.key, value: shown(h.value) ?? '' })),
        note,
      };
    } catch (e) {
      return { ...empty, note, error: plainError(e) };
    }
  }
}

/**
 * A key or value that does not fit its schema, as the composer shows it: on its field, in the schema's words
 * ("value.qty: expected an int"), without the message's location the runner adds for collection files.
 */
function onField(e: unknown): unknown {
  const cause = (e as { cause?: { path?: unknown; problem?: unknown; message?: string } } | null)?.cause;
  if (typeof cause?.path !== 'string' || typeof cause.problem !== 'string') return e;
  return Object.assign(new InvalidInputError(cause.message ?? String(e), { cause: e }), {
    field: cause.path.startsWith('key') ? 'key' : 'value',
  });
}

function shown(v: string | Buffer | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : `base64:${Buffer.from(v).toString('base64')}`;
}
