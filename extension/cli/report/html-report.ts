/**
 * `send --report FILE.html` and `run --reporter html`: one self-contained HTML file for CI artifacts. The send's
 * charts and producer metrics (Java names), then the waterfalls of the failed and the slowest records, each with its
 * phases as text. Inline SVG and CSS only: no script, no external resource (its CSP says so), opens anywhere.
 */
import type { ProducerMetricsView, RunCharts } from '../../protocol/visual';
import { formatMetric, orderedMetricNames } from '../../protocol/visual';
import { runChartSet } from '../../../webview/charts/run-charts';
import { CHART_CSS } from '../../../webview/charts/style';
import { formatDuration } from '../../core/format/duration';
import { escapeXml as esc, toSvgString } from '../../../webview/charts/svg';
import { barDescription, waterfallChart } from '../../../webview/charts/waterfall-chart';
import type { NotableRecord } from './notable-records';

export interface HtmlReportInput {
  title: string;
  /** Facts at the top: "records sent" -> "3,000". */
  facts: [string, string][];
  charts: RunCharts;
  failed: NotableRecord[];
  slowest: NotableRecord[];
  generatedAt: Date;
}

const PAGE_CSS = `
body { font-family: system-ui, sans-serif; font-size: 14px; color: #1f1f1f; background: #fff; margin: 24px; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 14px; margin-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; } dl.facts dt { color: #666; } dl.facts dd { margin: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; }
svg { max-width: 100%; height: auto; }
table.metrics { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 8px 24px 8px 0; display: inline-table; vertical-align: top; }
table.metrics th { text-align: left; font-weight: normal; font-family: ui-monospace, monospace; color: #555; padding: 1px 12px 1px 0; }
table.metrics td { text-align: right; }
.error { color: #b00020; } .muted { color: #666; }
ol.phases { font-size: 12px; color: #333; }
footer { margin-top: 32px; color: #888; font-size: 12px; }
`;

function metricsTable(m: ProducerMetricsView): string {
  const rows = orderedMetricNames(m.values).map(
    (n) => `<tr><th>${esc(n)}</th><td>${esc(formatMetric(n, m.values[n]))}</td></tr>`,
  );
  const brokers = m.brokers.map(
    (b) =>
      `<tr><th>broker ${b.brokerId}</th><td>${b.requests} requests, ${b.errors} errors, latency avg ${esc(formatDuration(b.requestLatencyAvg))}, max ${esc(formatDuration(b.requestLatencyMax))}</td></tr>`,
  );
  return `<table class="metrics"><caption>${esc(m.clientId)}</caption>${rows.join('')}${brokers.join('')}</table>`;
}

function recordSection(r: NotableRecord): string {
  const head = `<h3>${esc(r.label)}: ${esc(formatDuration(r.latencyMs))}</h3>${r.error ? `<p class="error">${esc(r.error)}</p>` : ''}`;
  if (!r.waterfall) return `${head}<p class="muted">Its trace was not kept.</p>`;
  const phases = r.waterfall.bars.map((b) => `<li>${esc(barDescription(b))}</li>`).join('');
  return `${head}${toSvgString(waterfallChart(r.waterfall, r.label))}<ol class="phases">${phases}<li>${esc(r.waterfall.outcomeText)}</li></ol>`;
}

export function htmlReport(input: HtmlReportInput): string {
  const facts = input.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  const charts = input.charts.intervals.length
    ? runChartSet(input.charts).map(toSvgString).join('\n')
    : '<p class="muted">Nothing was sent.</p>';
  const metrics = input.charts.metrics.map(metricsTable).join('');
  const failed = input.failed.length
    ? input.failed.map(recordSection).join('\n')
    : '<p class="muted">No record failed.</p>';
  const slowest = input.slowest.length
    ? input.slowest.map(recordSection).join('\n')
    : '<p class="muted">No record was acknowledged.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${PAGE_CSS}${CHART_CSS}</style>
</head>
<body>
<h1>${esc(input.title)}</h1>
<dl class="facts">${facts}</dl>
<h2>Charts</h2>
<div class="charts">
${charts}
</div>
<h2>Producer metrics</h2>
<p class="muted">By the Java producer's names, to compare with what your Java services report; rates are per second over the last 30 s, times in ms.</p>
${metrics || '<p class="muted">No producer sent anything.</p>'}
<h2>Failed records</h2>
${failed}
<h2>Slowest records</h2>
${slowest}
<footer>Written by kafka-workbench at ${esc(input.generatedAt.toISOString())}.</footer>
</body>
</html>
`;
}
