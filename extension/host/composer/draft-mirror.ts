/**
 * The host's copy of the composer form ("Save Record to Collection" saves it). The form is the truth: the copy is
 * what the webview last reported. One exception: a draft the user opened (a collection message) wins over the
 * webview's saved state until the webview reports it back, because a hidden panel's webview is rebuilt from that
 * saved state and would otherwise show the old form while the host holds the opened draft.
 */
import type { ComposerDraft } from '../../protocol/messages';

export class DraftMirror {
  private reportedDraft: ComposerDraft | null = null;
  private openedDraft: ComposerDraft | null = null;

  /** What the form shows, or is about to show once the webview has applied an opened draft. */
  get current(): ComposerDraft | null {
    return this.openedDraft ?? this.reportedDraft;
  }

  /** For `init`: a draft the form must show, or null to keep the webview's own (saved) state. */
  get toShow(): ComposerDraft | null {
    return this.openedDraft;
  }

  /** The user opened `draft` in the composer: it replaces the form, whatever the webview saved. */
  open(draft: ComposerDraft): void {
    this.openedDraft = draft;
  }

  /** The webview reported its form (after every edit, and right after showing an opened draft). */
  report(draft: ComposerDraft): void {
    this.reportedDraft = draft;
    this.openedDraft = null;
  }
}
