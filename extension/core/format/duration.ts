/**
 * How the workbench writes a duration, in one place for every surface: the trace text (host), the waterfall and
 * charts (core/visual, webview/charts, the CLI's HTML report) and the results table (webview). Plain functions with no
 * imports: the webview bundle imports this module too (see the layering rule in eslint.config.mjs).
 */

/**
 * A number to a tenth: 1234.56 -> "1234.6"; never "-0". No thousands separator: "3,000 ms" does not fit beside a
 * chart's y axis, where "3000 ms" does, and a duration of four digits reads well without one.
 */
function tenths(n: number): string {
  return String(Math.round(n * 10) / 10 + 0);
}

/**
 * A duration in milliseconds to a tenth (enough to compare, not noise), in seconds from 10 s on so that long waits
 * (a delivery timeout) stay readable: "0.4 ms", "1234.5 ms", "12.3 s", "120 s".
 */
export function formatDuration(ms: number): string {
  return Math.abs(ms) >= 10_000 ? formatSeconds(ms) : `${tenths(ms)} ms`;
}

/** A time in milliseconds as seconds to a tenth, as on a chart's time axis: 1500 -> "1.5 s". */
export function formatSeconds(ms: number): string {
  return `${tenths(ms / 1000)} s`;
}

/**
 * A latency for the results table's narrow column (never more than 7 characters below a day): "4.2 ms", "812 ms",
 * then seconds from 1000 ms on ("117.5 s", as a record that failed after the delivery timeout), whole seconds from
 * 1000 s on.
 */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  if (ms < 9.95) return `${Math.max(ms, 0).toFixed(1)} ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return seconds < 999.95 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}
