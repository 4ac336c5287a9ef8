/**
 * A tiny SVG tree: the charts build it as data, the webview turns it into DOM elements (never through HTML strings),
 * and the CLI's HTML report and the "Save as SVG" export write it as text (escaped). DOM-free, so Node can use it.
 */

export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  children: SvgNode[];
  text?: string;
}

type Child = SvgNode | null | undefined | false;

export function el(
  tag: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: (Child | Child[])[]
): SvgNode {
  const clean: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  return { tag, attrs: clean, children: children.flat().filter((c): c is SvgNode => !!c) };
}

export function text(attrs: Record<string, string | number | undefined>, content: string): SvgNode {
  return { ...el('text', attrs), text: content };
}

/** A hover tooltip (SVG's own <title>, read by screen readers too). */
export function tip(content: string): SvgNode {
  return { ...el('title'), text: content };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function attrText(v: string | number): string {
  return typeof v === 'number' ? String(Math.round(v * 100) / 100) : v;
}

export function toSvgString(node: SvgNode): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(attrText(v))}"`)
    .join('');
  const inner = (node.text !== undefined ? escapeXml(node.text) : '') + node.children.map(toSvgString).join('');
  return `<${node.tag}${attrs}>${inner}</${node.tag}>`;
}

/** Round steps for an axis from 0 to `max`: about `count` ticks at 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

/** 1234 -> "1.2k", 0.5 -> "0.5". */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}
