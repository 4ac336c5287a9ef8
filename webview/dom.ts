/** Small DOM helpers: elements built with properties, never from HTML strings (no injection from record data). */

type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends string>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
}

/** The toolkit's form elements expose value/checked like native inputs. */
export interface ValueElement extends HTMLElement {
  value: string;
  disabled: boolean;
}
export interface CheckElement extends HTMLElement {
  checked: boolean;
}

export function option(value: string, label: string, selected = false): HTMLElement {
  const o = h('vscode-option', { value }, label);
  if (selected) o.setAttribute('selected', '');
  return o;
}

/** Replaces a dropdown's options and selects `value` (the toolkit dropdown re-reads options after a tick). */
export function setOptions(dropdown: ValueElement, options: { value: string; label: string }[], value: string): void {
  dropdown.replaceChildren(...options.map((o) => option(o.value, o.label, o.value === value)));
  queueMicrotask(() => {
    dropdown.value = value;
  });
  setTimeout(() => {
    if (dropdown.value !== value) dropdown.value = value;
  }, 0);
}
