/**
 * A record's waterfall as SVG: one row per phase, bars to scale on a shared time axis, the close reason or error
 * written on its bar, the outcome as a line at the end. Every row is focusable (arrow keys move between rows, see
 * charts-dom.ts) and carries its exact values as a tooltip and as its accessible name.
 */
import type { Waterfall, WaterfallBar } from '../../extension/protocol/visual';
import { formatDuration } from '../../extension/core/format/duration';
import { el, niceTicks, text, tip, type SvgNode } from './svg';

const WIDTH = 760;
const LABEL_W = 190;
const RIGHT = 16;
const ROW = 22;
const TOP = 30;

export function barDescription(b: WaterfallBar): string {
  return `${b.label}: ${formatDuration(b.start)} to ${formatDuration(b.end)} (${formatDuration(b.end - b.start)})${b.note ? `, ${b.note}` : ''}. ${b.detail}`;
}

export function waterfallChart(w: Waterfall, title = 'Delivery waterfall'): SvgNode {
  const plotW = WIDTH - LABEL_W - RIGHT;
  const ticks = niceTicks(w.totalMs, 6);
  const axisMax = ticks[ticks.length - 1] || 1;
  const x = (t: number) => LABEL_W + (Math.max(0, t) / axisMax) * plotW;
  const height = TOP + w.bars.length * ROW + 34;
  const rows = w.bars.map((b, i) => {
    const y = TOP + i * ROW;
    const x0 = x(b.start);
    const width = Math.max(2, x(b.end) - x0);
    const cls = `bar phase-${b.phase}${b.outcome ? ` c-${b.outcome}` : ''}`;
    const note = b.note ?? '';
    // The note goes on the bar when it fits there, else just after it.
    const inside = note.length * 6.2 + 8 < width;
    const noteX = inside ? x0 + 4 : Math.min(x0 + width + 4, WIDTH - RIGHT - note.length * 6.2);
    return el(
      'g',
      {
        class: 'row focusable',
        tabindex: 0,
        role: 'listitem',
        'aria-label': barDescription(b),
        'data-index': i,
        'data-phase': b.phase,
      },
      tip(barDescription(b)),
      el('rect', { class: 'hit', x: 0, y, width: WIDTH, height: ROW }),
      text({ x: 6, y: y + 15 }, b.label),
      el('rect', { class: cls, x: x0, y: y + 4, width, height: ROW - 8, rx: 2 }),
      note ? text({ x: noteX, y: y + 15, class: inside ? 'on-bar' : 'muted' }, note) : null,
    );
  });
  const endX = x(w.totalMs);
  const endCls = w.outcome === 'acked' ? 'end-ok' : w.outcome === 'failed' ? 'end-error' : 'end-pending';
  const bottom = TOP + w.bars.length * ROW;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'kw-chart waterfall',
      viewBox: `0 0 ${WIDTH} ${height}`,
      width: WIDTH,
      height,
      role: 'group',
      'aria-label': `${title}: ${w.outcomeText}`,
    },
    text({ x: 6, y: 14, class: 'title' }, title),
    ticks.map((t) =>
      el(
        'g',
        {},
        el('line', { class: 'grid', x1: x(t), x2: x(t), y1: TOP - 6, y2: bottom }),
        text(
          { x: x(t), y: TOP - 9, 'text-anchor': t === axisMax ? 'end' : 'middle', class: 'muted' },
          formatDuration(t),
        ),
      ),
    ),
    el('g', { role: 'list', 'aria-label': 'Phases' }, rows),
    el('line', { class: endCls, x1: endX, x2: endX, y1: TOP - 6, y2: bottom + 4 }),
    text(
      {
        x: Math.min(endX, WIDTH - RIGHT),
        y: bottom + 20,
        'text-anchor': endX > WIDTH / 2 ? 'end' : 'start',
        class: 'outcome',
      },
      w.outcomeText,
    ),
  );
}
