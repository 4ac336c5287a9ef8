/**
 * A record's delivery as a waterfall: one bar per phase on a shared time axis, from the engine's trace events.
 * Waiting (for metadata or buffer memory), in the accumulator until its batch closed, waiting for the sender, each
 * attempt in flight with its broker and outcome, each backoff, metadata refreshes the batch waited for. Pure.
 */
import type { BatchTrace, RecordTrace, TraceEvent } from '../engine/types';
import { formatDuration } from '../format/duration';
import { describeTraceId } from '../../protocol/trace-ids';
import type { RequestSpan, Waterfall, WaterfallBar } from '../../protocol/visual';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

export const CLOSE_REASON_WORDS: Record<string, string> = {
  full: 'full (batch.size reached)',
  linger: 'linger.ms expired',
  flush: 'flushed',
  close: 'producer closing',
  'memory-pressure': 'buffer memory needed',
  'send-now': 'sent at once: nothing more was coming until acknowledgements',
};

/** The short words written on the accumulator bar. */
const CLOSE_REASON_NOTE: Record<string, string> = {
  full: 'full',
  linger: 'linger.ms',
  flush: 'flush',
  close: 'close',
  'memory-pressure': 'memory',
  'send-now': 'send now',
};

/**
 * The waterfall of `record` (whose events include its batch's). `now` ends the phases still open (a pending record).
 * `batch` gives the batch's creation time, from which the moment it closed is known.
 */
export function recordWaterfall(record: RecordTrace, batch: BatchTrace | undefined, now: number): Waterfall {
  const events = record.events;
  const first = <T extends TraceEvent['type']>(type: T) => events.find((e): e is Ev<T> => e.type === type);
  const composed = first('composed');
  const t0 = composed?.time ?? events[0]?.time ?? now;
  const settled = events.find((e): e is Ev<'acked'> | Ev<'failed'> => e.type === 'acked' || e.type === 'failed');
  const end = settled?.time ?? now;
  const bars: WaterfallBar[] = [];
  const bar = (b: Omit<WaterfallBar, 'start' | 'end'>, start: number, stop: number) =>
    bars.push({ ...b, start: start - t0, end: Math.max(start, stop) - t0 });

  const blocked = first('blocked');
  const placed = first('partitioned');
  const appended = first('appended');
  if (blocked) {
    const until = placed?.time ?? appended?.time ?? end;
    const what = blocked.reason === 'metadata' ? 'topic metadata' : 'buffer memory (buffer.memory is full)';
    bar(
      {
        phase: 'waiting',
        label: blocked.reason === 'metadata' ? 'Waiting for metadata' : 'Waiting for memory',
        detail: `waited ${formatDuration(until - blocked.time)} for ${what}`,
      },
      blocked.time,
      until,
    );
  }

  const closed = first('batch-closed');
  const firstSent = first('attempt-sent');
  if (appended) {
    // The batch closed (became sendable) at created + queue time; it was drained into a request at `closed.time`.
    const created = batch?.events.find((e): e is Ev<'batch-created'> => e.type === 'batch-created');
    const closedAt =
      created && firstSent ? created.time + firstSent.queueTimeMs : (closed?.time ?? firstSent?.time ?? end);
    const reason = closed ? (CLOSE_REASON_WORDS[closed.reason] ?? closed.reason) : 'still open';
    const size = closed ? `, ${closed.recordCount} record(s), ${closed.sizeBytes.toLocaleString('en-US')} B` : '';
    bar(
      {
        phase: 'accumulator',
        label: 'In the accumulator',
        note: closed ? (CLOSE_REASON_NOTE[closed.reason] ?? closed.reason) : undefined,
        detail: `${formatDuration(Math.max(0, closedAt - appended.time))} in ${describeTraceId(appended.batchId)} (offset delta ${appended.offsetDelta}); closed: ${reason}${size}`,
      },
      appended.time,
      Math.max(appended.time, closedAt),
    );
    const sentAt = firstSent?.time ?? (closed ? end : undefined);
    if (sentAt !== undefined && sentAt > closedAt) {
      bar(
        {
          phase: 'ready',
          label: 'Waiting for the sender',
          detail: `${formatDuration(sentAt - closedAt)} closed and not yet in a request (max.in.flight.requests or a busy connection)`,
        },
        closedAt,
        sentAt,
      );
    }
  }

  let lastBackoffEnd: number | undefined;
  for (const e of events) {
    if (e.type === 'attempt-sent') {
      const result = events.find(
        (r): r is Ev<'attempt-result'> =>
          r.type === 'attempt-result' && r.attempt === e.attempt && r.batchId === e.batchId,
      );
      const start = result?.sentAt ?? e.time;
      if (lastBackoffEnd !== undefined && start - lastBackoffEnd >= 1) {
        bar(
          {
            phase: 'ready',
            label: `Waiting to resend`,
            detail: `${formatDuration(start - lastBackoffEnd)} after the backoff before attempt ${e.attempt} went out (a leader to learn, or a connection to open)`,
          },
          lastBackoffEnd,
          start,
        );
      }
      // To the answer's arrival: the transport's round trip leaves out waiting for a connection, the bar does not.
      const stop = result ? Math.max(result.time, start + result.roundTripMs) : end;
      const wire =
        result && stop - start - result.roundTripMs >= 1
          ? ` (round trip ${formatDuration(result.roundTripMs)}; the rest waiting for the connection)`
          : '';
      const label = `Attempt ${e.attempt} → broker ${e.brokerId}`;
      const request = `request ${e.requestBytes.toLocaleString('en-US')} B with ${e.partitionsInRequest} partition(s) to broker ${e.brokerId} (${e.address})`;
      if (!result) {
        bar(
          {
            phase: 'attempt',
            label,
            broker: e.brokerId,
            note: settled ? 'no answer' : 'in flight',
            outcome: settled ? 'error' : undefined,
            detail: `${request}; ${settled ? 'no answer before the record settled' : `in flight for ${formatDuration(now - start)}`}`,
          },
          start,
          stop,
        );
        continue;
      }
      const ok = result.errorCode === 0;
      bar(
        {
          phase: 'attempt',
          label,
          broker: e.brokerId,
          outcome: ok ? 'ok' : result.retriable ? 'retry' : 'error',
          note: ok ? formatDuration(stop - start) : result.errorName,
          detail: ok
            ? `${request}; acknowledged after ${formatDuration(stop - start)}${wire}${result.baseOffset >= 0 ? `, base offset ${result.baseOffset}` : ''}`
            : `${request}; ${result.errorName} after ${formatDuration(stop - start)}${wire} (${result.retriable ? 'retriable' : 'not retriable'})${result.message ? `: ${result.message}` : ''}`,
        },
        start,
        stop,
      );
      lastBackoffEnd = undefined;
    } else if (e.type === 'backoff') {
      lastBackoffEnd = e.until;
      bar(
        {
          phase: 'backoff',
          label: `Backoff before attempt ${e.attempt + 1}`,
          outcome: 'retry',
          note: formatDuration(e.delayMs),
          detail: `waited ${formatDuration(e.delayMs)} (retry.backoff.ms with jitter) after: ${e.reason}`,
        },
        e.time,
        e.until,
      );
    } else if (e.type === 'metadata-refresh' && e.batchId) {
      const took = e.durationMs ?? 0;
      bar(
        {
          phase: 'metadata',
          label: 'Metadata refresh',
          outcome: e.error ? 'error' : undefined,
          note: e.error ? 'failed' : undefined,
          detail: `${e.reason}, took ${formatDuration(took)}${e.error ? `, failed: ${e.error}` : ''}`,
        },
        e.time - took,
        e.time,
      );
    }
  }

  let outcomeText = 'pending';
  if (settled?.type === 'acked')
    outcomeText = `acked at offset ${settled.offset} after ${settled.attempts} attempt(s), ${formatDuration(settled.time - t0)} in all`;
  else if (settled?.type === 'failed')
    outcomeText = `failed${settled.errorName ? `: ${settled.errorName}` : ''} after ${settled.attempts} attempt(s), ${formatDuration(settled.time - t0)} in all`;
  // Rows in the order the phases began (a metadata refresh is reported when it ends).
  bars.sort((a, b) => a.start - b.start);
  const totalMs = Math.max(1, end - t0, ...bars.map((b) => b.end));
  return { startedAt: t0, totalMs, outcome: record.outcome, outcomeText, bars };
}

/** Every produce request that carried `batch`: one span per attempt, retries marked by their error. */
export function requestSpans(batch: BatchTrace, now: number): RequestSpan[] {
  const spans: RequestSpan[] = [];
  for (const e of batch.events) {
    if (e.type !== 'attempt-sent') continue;
    const result = batch.events.find(
      (r): r is Ev<'attempt-result'> => r.type === 'attempt-result' && r.attempt === e.attempt,
    );
    const start = result?.sentAt ?? e.time;
    spans.push({
      batchId: batch.batchId,
      attempt: e.attempt,
      brokerId: e.brokerId,
      start,
      end: result ? Math.max(result.time, start + result.roundTripMs) : now,
      answered: result !== undefined,
      errorName: result && result.errorCode !== 0 ? result.errorName : undefined,
      retriable: result?.retriable,
      records: batch.recordIds.length,
      bytes: e.batchBytes,
    });
  }
  return spans;
}
