/**
 * The send row while a send runs: Send is disabled, Cancel appears, and the status counts records the way
 * collection sends do (settled of planned, acknowledged, failed, remaining, records/s). Cancel asks the host to stop
 * handing records over; the reply to the send then says what was sent, acknowledged and never sent.
 */
import type { SendProgress } from '../extension/protocol/messages';
import { byId, type ValueElement } from './dom';

export class SendProgressView {
  private running = false;

  constructor(private readonly onCancel: () => void) {}

  /** Wires the Cancel button (it exists once the layout is built). */
  wire(): void {
    byId('cancel-send').addEventListener('click', () => {
      if (!this.running) return;
      this.onCancel();
      byId<ValueElement>('cancel-send').disabled = true;
      this.status('Cancelling: no more records are handed over; waiting for those already sent…', 'busy');
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(records: number): void {
    this.running = true;
    byId<ValueElement>('send').disabled = true;
    const cancel = byId<ValueElement>('cancel-send');
    cancel.hidden = false;
    cancel.disabled = false;
    this.status(records > 1 ? `Sending ${records.toLocaleString('en-US')} records…` : 'Sending…', 'busy');
  }

  progress(p: SendProgress): void {
    if (!this.running || byId<ValueElement>('cancel-send').disabled) return;
    this.status(`Sending: ${p.text}`, 'busy');
  }

  end(): void {
    this.running = false;
    byId<ValueElement>('send').disabled = false;
    byId('cancel-send').hidden = true;
  }

  status(text: string, kind: 'ok' | 'error' | 'busy'): void {
    const el = byId('send-status');
    el.textContent = text;
    el.className = `status ${kind}`;
  }
}
