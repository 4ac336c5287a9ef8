/** Something that holds resources and releases them once. */
export interface Disposable {
  dispose(): void;
}

/** A typed event with listeners that can be removed; `core/` has no vscode, so this mirrors vscode.EventEmitter. */
export class Emitter<T> {
  private listeners = new Set<(event: T) => void>();

  /** Subscribes; the returned Disposable unsubscribes. */
  readonly event = (listener: (event: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
