/**
 * The batch timeline: one lane per broker, one bar per produce request that carried a batch (from sent to answered),
 * labelled with its records and bytes; failed attempts (retried or not) in their colour and marked with the error.
 * Bars are focusable and name their batch (data-batch-id) so the panel can select a record of it.
 */
import type { RequestSpan } from '../../extension/protocol/visual';
import { formatDuration } from '../../extension/core/format/duration';
import { el, niceTicks, text, tip, type SvgNode } from './svg';

const WIDTH = 760;
const LANE_LABEL = 80;
const RIGHT = 16;
const TOP = 30;
const SUB = 14;

export function spanDescription(s: RequestSpan, describeBatch: (id: string) => string): string {
  const outcome = !s.answered
    ? 'no answer yet'
    : s.errorName
      ? `${s.errorName} (${s.retriable ? 'retried' : 'not retriable'})`
      : 'acknowledged';
  return `${describeBatch(s.batchId)}, attempt ${s.attempt} to broker ${s.brokerId}: ${s.records} record(s), ${s.bytes.toLocaleString('en-US')} B, ${formatDuration(s.end - s.start)}, ${outcome}`;
}

/**
 * Spans packed into sub-rows per broker lane so overlapping requests (several in flight) do not hide each other.
 * At most `maxSubRows` sub-rows per lane; more overlap stacks on the last one.
 */
export function batchLanesChart(
  spans: RequestSpan[],
  options: {
    title: string;
    selectedBatchId?: string | null;
    describeBatch: (id: string) => string;
    maxSubRows?: number;
  },
): SvgNode {
  const maxSub = options.maxSubRows ?? 6;
  const t0 = Math.min(...spans.map((s) => s.start));
  const t1 = Math.max(...spans.map((s) => s.end));
  const ticks = niceTicks(Math.max(1, t1 - t0), 6);
  const axisMax = ticks[ticks.length - 1] || 1;
  const plotW = WIDTH - LANE_LABEL - RIGHT;
  const x = (t: number) => LANE_LABEL + ((t - t0) / axisMax) * plotW;
  const brokers = [...new Set(spans.map((s) => s.brokerId))].sort((a, b) => a - b);
  let y = TOP;
  const lanes: SvgNode[] = [];
  for (const broker of brokers) {
    const mine = spans.filter((s) => s.brokerId === broker).sort((a, b) => a.start - b.start);
    const rowEnds: number[] = [];
    const placed = mine.map((s) => {
      let row = rowEnds.findIndex((end) => end <= s.start);
      if (row < 0) row = rowEnds.length < maxSub ? rowEnds.length : maxSub - 1;
      rowEnds[row] = Math.max(rowEnds[row] ?? 0, s.end);
      return { s, row };
    });
    const rows = Math.max(1, rowEnds.length);
    const laneH = rows * SUB + 8;
    const top = y;
    lanes.push(
      el(
        'g',
        { role: 'list', 'aria-label': `broker ${broker}: ${mine.length} request(s)` },
        el('line', { class: 'grid', x1: 0, x2: WIDTH, y1: top + laneH, y2: top + laneH }),
        text({ x: 4, y: top + 14 }, `broker ${broker}`),
        placed.map(({ s, row }) => {
          const x0 = x(s.start);
          const w = Math.max(2, x(s.end) - x0);
          const cls = `bar ${!s.answered ? 's1' : s.errorName ? (s.retriable ? 'c-retry' : 'c-error') : 'c-ok'}${s.batchId === options.selectedBatchId ? ' selected-batch' : ''}`;
          const label = s.errorName ?? `${s.records}`;
          return el(
            'g',
            {
              class: 'focusable clickable span',
              tabindex: 0,
              role: 'listitem',
              'data-batch-id': s.batchId,
              'aria-label': spanDescription(s, options.describeBatch),
            },
            tip(spanDescription(s, options.describeBatch)),
            el('rect', { class: cls, x: x0, y: top + 4 + row * SUB, width: w, height: SUB - 3, rx: 1 }),
            w > label.length * 6 + 4
              ? text({ x: x0 + 2, y: top + 4 + row * SUB + 9, class: 'on-bar', 'font-size': 9 }, label)
              : null,
          );
        }),
      ),
    );
    y += laneH;
  }
  const height = y + 26;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'kw-chart batch-lanes',
      viewBox: `0 0 ${WIDTH} ${height}`,
      width: WIDTH,
      height,
      role: 'group',
      'aria-label': `${options.title}: ${spans.length} request(s) on ${brokers.length} broker(s)`,
    },
    text({ x: 4, y: 14, class: 'title' }, options.title),
    ticks.map((t) =>
      el(
        'g',
        {},
        el('line', { class: 'grid', x1: x(t0 + t), x2: x(t0 + t), y1: TOP - 4, y2: y }),
        text(
          { x: x(t0 + t), y: y + 14, 'text-anchor': t === axisMax ? 'end' : 'middle', class: 'muted' },
          formatDuration(t),
        ),
      ),
    ),
    lanes,
  );
}
