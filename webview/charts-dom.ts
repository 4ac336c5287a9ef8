/**
 * The charts in the page: SVG trees become DOM elements (never HTML strings), their styles go in a <style> carrying
 * the page's nonce (the CSP allows nothing else), arrow keys move between a chart's focusable rows, and a chart is
 * saved as a standalone SVG (theme colours resolved) or rendered to a PNG through a canvas.
 */
import { CHART_CSS } from './charts/style';
import { toSvgString, type SvgNode } from './charts/svg';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function toDom(node: SvgNode): SVGElement {
  const e = document.createElementNS(SVG_NS, node.tag);
  for (const [k, v] of Object.entries(node.attrs)) e.setAttribute(k, String(v));
  if (node.text !== undefined) e.textContent = node.text;
  for (const c of node.children) e.append(toDom(c));
  return e;
}

/** Adds the charts' styles once, with the nonce of the page's own script. */
export function mountChartStyles(): void {
  if (document.getElementById('kw-chart-style')) return;
  const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
  const style = document.createElement('style');
  style.id = 'kw-chart-style';
  style.nonce = nonce;
  style.textContent = CHART_CSS;
  document.head.append(style);
}

/**
 * Up/Down (and Left/Right) move focus between the `.focusable` items under `container`, Home/End to the first and
 * last; Enter or Space on an item calls `onActivate`. Focus or hover calls `onFocus`, which says what the item is.
 */
export function wireChartKeys(
  container: HTMLElement,
  onFocus: (item: Element) => void,
  onActivate?: (item: Element) => void,
): void {
  const items = () => [...container.querySelectorAll('.focusable')];
  container.addEventListener('keydown', (ev) => {
    const list = items();
    const at = list.indexOf(document.activeElement as Element);
    let next = -1;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') next = Math.min(list.length - 1, at + 1);
    else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') next = Math.max(0, at - 1);
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = list.length - 1;
    else if ((ev.key === 'Enter' || ev.key === ' ') && at >= 0 && onActivate) {
      ev.preventDefault();
      onActivate(list[at]);
      return;
    }
    if (next < 0) return;
    ev.preventDefault();
    (list[next] as SVGElement).focus();
  });
  container.addEventListener('focusin', (ev) => {
    const item = (ev.target as Element).closest?.('.focusable');
    if (item) onFocus(item);
  });
  container.addEventListener('mouseover', (ev) => {
    const item = (ev.target as Element).closest?.('.focusable');
    if (item) onFocus(item);
  });
  if (onActivate)
    container.addEventListener('click', (ev) => {
      const item = (ev.target as Element).closest?.('.focusable');
      if (item) onActivate(item);
    });
}

/** The theme's values of the variables the charts use, so a saved file looks as the panel did. */
function resolvedVariables(): string {
  const names = [...new Set(CHART_CSS.match(/--vscode-[\w-]+/g) ?? [])];
  const css = getComputedStyle(document.documentElement);
  const bodyCss = getComputedStyle(document.body);
  const decls = names
    .map((n) => [n, (css.getPropertyValue(n) || bodyCss.getPropertyValue(n)).trim()] as const)
    .filter(([, v]) => v);
  const background = bodyCss.backgroundColor;
  return `svg { ${decls.map(([n, v]) => `${n}: ${v};`).join(' ')} } .kw-export-bg { fill: ${background}; }`;
}

/** Stacks charts into one standalone SVG (with their styles and the theme's colours), for "Save as SVG" and PNG. */
export function standaloneSvg(charts: SvgNode[], columns: number): { text: string; width: number; height: number } {
  const gap = 12;
  const widths = charts.map((c) => Number(c.attrs.width));
  const heights = charts.map((c) => Number(c.attrs.height));
  const colW = Math.max(...widths);
  let width = 0;
  let height = 0;
  const placed: string[] = [];
  for (let i = 0; i < charts.length; i += columns) {
    const row = charts.slice(i, i + columns);
    const rowH = Math.max(...row.map((_, k) => heights[i + k]));
    row.forEach((c, k) => {
      const x = gap + k * (colW + gap);
      placed.push(toSvgString({ ...c, attrs: { ...c.attrs, x, y: height + gap } }));
      width = Math.max(width, x + widths[i + k] + gap);
    });
    height += rowH + gap;
  }
  height += gap;
  const style = `<style>${resolvedVariables()}${CHART_CSS}</style>`;
  const text = `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${style}<rect class="kw-export-bg" width="100%" height="100%"/>${placed.join('')}</svg>`;
  return { text, width, height };
}

/** The SVG drawn on a canvas at twice its size, as PNG base64 (img-src allows blob: for this). */
export async function pngBase64(svg: { text: string; width: number; height: number }): Promise<string> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = svg.width * 2;
    canvas.height = svg.height * 2;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas to draw the chart on');
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  } finally {
    URL.revokeObjectURL(url);
  }
}
