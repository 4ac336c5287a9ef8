/**
 * The trace as pictures: the selected record's waterfall (above its text timeline, which stays for copying and screen
 * readers), the batch timeline of the send (lanes per broker; a bar selects a record of its batch) and the Charts tab
 * (a bulk send's charts, live while it runs, with the producer metrics by their Java names; saved as SVG, PNG, JSON).
 */
import type { BatchView, RecordTraceView, WebviewError } from '../extension/protocol/messages';
import { describeTraceId } from '../extension/protocol/trace-ids';
import {
  formatMetric,
  orderedMetricNames,
  type ProducerMetricsView,
  type RunCharts,
} from '../extension/protocol/visual';
import { batchLanesChart } from './charts/batch-lanes';
import { runChartSet } from './charts/run-charts';
import { waterfallChart } from './charts/waterfall-chart';
import { pngBase64, standaloneSvg, toDom, wireChartKeys } from './charts-dom';
import { byId, h } from './dom';
import type { HostChannel } from './host-channel';

/** At most this many requests drawn in the send's batch timeline (the newest): enough to see its shape. */
const MAX_LANE_SPANS = 1500;

export function renderWaterfall(view: RecordTraceView): void {
  const box = byId('waterfall');
  const detail = byId('waterfall-detail');
  if (!view.waterfall || view.waterfall.bars.length === 0) {
    box.replaceChildren();
    detail.textContent = '';
    return;
  }
  box.replaceChildren(toDom(waterfallChart(view.waterfall, `Waterfall of ${describeTraceId(view.recordId)}`)));
  detail.textContent = `${view.waterfall.outcomeText}. Tab to the bars, arrow keys move between them.`;
}

export function wireWaterfall(): void {
  const box = byId('waterfall');
  wireChartKeys(box, (item) => {
    box.querySelectorAll('.current').forEach((e) => e.classList.remove('current'));
    item.classList.add('current');
    byId('waterfall-detail').textContent = item.getAttribute('aria-label') ?? '';
  });
}

/** The requests of the send that started at `since` (the last one the panel saw), or all it has. */
export function renderBatchLanes(batches: BatchView[], selectedRecordId: string | null, since: number | null): void {
  const box = byId('batch-lanes');
  const all = batches.flatMap((b) => b.requests).sort((a, b) => a.start - b.start);
  const ofSend = since === null ? [] : all.filter((s) => s.start >= since);
  const spans = (ofSend.length ? ofSend : all).slice(-MAX_LANE_SPANS);
  if (spans.length === 0) {
    box.replaceChildren(h('p', { class: 'muted', text: 'No produce request yet.' }));
    return;
  }
  const selected = batches.find((b) => selectedRecordId && b.recordIds.includes(selectedRecordId))?.batchId ?? null;
  const title = ofSend.length
    ? `Produce requests per broker, last send (${spans.length})`
    : `Produce requests per broker (${spans.length})`;
  box.replaceChildren(
    toDom(batchLanesChart(spans, { title, selectedBatchId: selected, describeBatch: describeTraceId })),
  );
}

/** Clicking (or Enter on) a request selects the first record of its batch. */
export function wireBatchLanes(batchesNow: () => BatchView[], select: (recordId: string) => void): void {
  const box = byId('batch-lanes');
  wireChartKeys(
    box,
    (item) => {
      byId('batch-lanes-detail').textContent = item.getAttribute('aria-label') ?? '';
    },
    (item) => {
      const id = item.getAttribute('data-batch-id');
      const batch = batchesNow().find((b) => b.batchId === id);
      if (batch?.recordIds[0]) select(batch.recordIds[0]);
    },
  );
}

function metricsTable(m: ProducerMetricsView): HTMLElement {
  const names = orderedMetricNames(m.values);
  return h(
    'table',
    { class: 'metrics', 'aria-label': `Metrics of ${m.clientId}` },
    h('caption', { text: `${m.clientId} (Java producer metric names; rates per second over 30 s)` }),
    ...names.map((n) =>
      h(
        'tr',
        { 'data-metric': n },
        h('th', { scope: 'row', text: n }),
        h('td', { text: formatMetric(n, m.values[n]) }),
      ),
    ),
    ...m.brokers.map((b) =>
      h(
        'tr',
        { 'data-broker': b.brokerId },
        h('th', { scope: 'row', text: `broker ${b.brokerId}` }),
        h('td', {
          text: `${b.requests} requests, ${b.errors} errors, latency avg ${formatMetric('', b.requestLatencyAvg)} ms, max ${formatMetric('', b.requestLatencyMax)} ms`,
        }),
      ),
    ),
  );
}

export class ChartsPane {
  private charts: RunCharts | null = null;
  private queued = false;

  constructor(
    private readonly channel: HostChannel,
    private readonly visible: () => boolean,
  ) {}

  wire(): void {
    byId('save-charts-svg').addEventListener('click', () => void this.save('svg'));
    byId('save-charts-png').addEventListener('click', () => void this.save('png'));
    byId('save-charts-json').addEventListener('click', () => void this.save('json'));
    wireChartKeys(byId('charts'), (item) => {
      byId('charts-detail').textContent = item.getAttribute('aria-label') ?? '';
    });
  }

  /** When the last send the panel saw started (epoch ms), or null. */
  get lastSendStartedAt(): number | null {
    return this.charts?.startedAt ?? null;
  }

  /** New data: drawn at the next frame if the tab shows (a hidden tab draws when shown). */
  update(charts: RunCharts): void {
    this.charts = charts;
    if (!this.visible() || this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.render();
    });
  }

  async show(): Promise<void> {
    if (!this.charts) this.charts = await this.channel.request('getRunCharts', {}).catch(() => null);
    this.render();
  }

  private render(): void {
    const c = this.charts;
    const status = byId('charts-status');
    if (!c) {
      status.textContent = 'Send records (Repeat, or a collection) to chart the send.';
      byId('charts').replaceChildren();
      byId('metrics').replaceChildren();
      return;
    }
    const acked = c.intervals.reduce((n, iv) => n + iv.acked, 0);
    const failed = c.intervals.reduce((n, iv) => n + iv.failed, 0);
    status.textContent = `${c.live ? 'Sending' : 'Send'} started ${new Date(c.startedAt).toISOString().slice(11, 19)} UTC: ${acked.toLocaleString('en-US')} acknowledged, ${failed.toLocaleString('en-US')} failed, ${c.intervals.length} interval(s) of ${c.intervalMs / 1000} s${c.live ? ' (live)' : ''}`;
    byId('charts').replaceChildren(...runChartSet(c).map((n) => h('div', { class: 'chart-cell' }, toDom(n))));
    byId('metrics').replaceChildren(...c.metrics.map(metricsTable));
  }

  private async save(format: 'svg' | 'png' | 'json'): Promise<void> {
    const c = this.charts;
    const out = byId('charts-save-status');
    if (!c) {
      out.textContent = 'Nothing to save yet.';
      return;
    }
    try {
      const name = `kafka-send-${new Date(c.startedAt).toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
      let data: string;
      if (format === 'json') data = JSON.stringify(c, null, 2);
      else {
        const svg = standaloneSvg(runChartSet(c), 2);
        data = format === 'svg' ? svg.text : await pngBase64(svg);
      }
      const r = await this.channel.request('saveChart', { format, name, data });
      out.textContent = r.saved ? `Saved ${r.path ?? ''}` : 'Not saved.';
    } catch (e) {
      out.textContent = (e as WebviewError).message ?? String(e);
    }
  }
}
