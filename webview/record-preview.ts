/**
 * The rendered record beside the form: the form holds the message's source (`order-{{$seq}}`), this shows the first
 * record as it will be sent, rendered by the host with the collections' template engine. Asks again shortly after
 * each edit; an answer to an older draft is dropped.
 */
import type { ComposerDraft, DraftOrigin, RecordPreview, WebviewError } from '../extension/protocol/messages';
import { h } from './dom';
import type { HostChannel } from './host-channel';

export class RecordPreviewPane {
  readonly element: HTMLElement;
  private readonly origin = h('div', { id: 'draft-origin', class: 'hint', hidden: true });
  private readonly body = h('dl', { id: 'rendered-record', class: 'metadata' });
  private readonly status = h('div', { id: 'rendered-status', class: 'hint' });
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly channel: HostChannel) {
    this.element = h(
      'section',
      { id: 'rendered', class: 'rendered', 'aria-label': 'The record as it will be sent', hidden: true },
      h('strong', { text: 'Rendered (first record, as sent)' }),
      this.body,
      this.status,
    );
  }

  /** Where the draft came from, shown above the form: "Editing Orders › new order (collections/orders.kafka.json)". */
  get originElement(): HTMLElement {
    return this.origin;
  }

  showOrigin(origin: DraftOrigin | null): void {
    this.origin.hidden = origin === null;
    const file = origin?.file.split(/[\\/]/).pop();
    this.origin.textContent = origin
      ? `Editing message "${origin.name}" of ${file}: its templates are kept, and Save Record writes back only what you change.`
      : '';
    if (origin) this.origin.title = origin.file;
  }

  /** Renders `draft` again soon (edits come in bursts while typing). */
  update(draft: ComposerDraft, origin: DraftOrigin | null, delayMs = 250): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.render(draft, origin), delayMs);
  }

  private async render(draft: ComposerDraft, origin: DraftOrigin | null): Promise<void> {
    const seq = ++this.seq;
    let preview: RecordPreview;
    try {
      preview = await this.channel.request('previewRecord', { draft, origin });
    } catch (e) {
      preview = {
        templated: true,
        topic: draft.topic,
        key: null,
        value: null,
        headers: [],
        error: (e as WebviewError).message,
      };
    }
    if (seq !== this.seq) return;
    this.show(preview);
  }

  private show(p: RecordPreview): void {
    // Without templates the form is the record: the pane would only repeat it.
    this.element.hidden = !p.templated && !p.error;
    const rows: [string, string][] = p.error
      ? []
      : [
          ['topic', p.topic],
          ['key', p.key === null ? '(none: null)' : p.key],
          ['value', p.value === null ? '(null)' : p.value],
          ...p.headers.map((hd): [string, string] => [`header ${hd.key}`, hd.value]),
        ];
    this.body.replaceChildren(
      ...rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { class: `rendered-${k.split(' ')[0]}`, text: v })]),
    );
    this.status.textContent = p.error ?? p.note ?? '';
    this.status.className = p.error ? 'error' : 'hint';
  }
}
