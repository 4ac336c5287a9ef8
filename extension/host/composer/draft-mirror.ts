/**
 * The host's copy of the composer form ("Save Record to Collection" saves it) and of the collection message it was
 * opened from, if any. The form is the truth: the copy is what the webview last reported. One exception: a draft the
 * user opened (a collection message) wins over the webview's saved state until the webview reports it back, because
 * a hidden panel's webview is rebuilt from that saved state and would otherwise show the old form while the host
 * holds the opened draft.
 */
import type { ComposerDraft, DraftOrigin } from '../../protocol/messages';

interface Shown {
  draft: ComposerDraft;
  origin: DraftOrigin | null;
}

export class DraftMirror {
  private reported: Shown | null = null;
  private opened: Shown | null = null;

  /** What the form shows, or is about to show once the webview has applied an opened draft. */
  get current(): ComposerDraft | null {
    return (this.opened ?? this.reported)?.draft ?? null;
  }

  /** The collection message the form's draft came from (null for one typed in the composer). */
  get origin(): DraftOrigin | null {
    return (this.opened ?? this.reported)?.origin ?? null;
  }

  /** For `init`: a draft the form must show, or null to keep the webview's own (saved) state. */
  get toShow(): Shown | null {
    return this.opened;
  }

  /** The user opened `draft` in the composer: it replaces the form, whatever the webview saved. */
  open(draft: ComposerDraft, origin: DraftOrigin | null): void {
    this.opened = { draft, origin };
  }

  /** The webview reported its form (after every edit, and right after showing an opened draft). */
  report(draft: ComposerDraft, origin: DraftOrigin | null): void {
    this.reported = { draft, origin };
    this.opened = null;
  }
}
