/**
 * Edits one message of a collection file in place, touching only the properties that change: a changed value is
 * spliced over its old text, a removed property is cut out with its comma, a new one goes after the last property.
 * Objects and arrays are edited where they differ, so their untouched parts keep their bytes (formatting, key order,
 * numbers as written). Saving a message back from the composer goes through here, so its templates, its hand
 * formatting and the fields the composer does not know survive.
 */
import * as jsonc from 'jsonc-parser';
import { InvalidInputError } from '../util/errors';
import { jsonEqual } from '../util/json-equal';
import { messagesNode, formatJsonAt, lineEnding, lineIndent, withEol } from './save';

interface TextEdit {
  offset: number;
  length: number;
  insert: string;
}

/**
 * Sets properties of message `index` (undefined removes one), leaving every other byte of `text` as it was.
 * Properties not named in `fields` are not looked at.
 */
export function setMessageFields(
  text: string,
  index: number,
  fields: Record<string, unknown>,
  fileName = 'collection.kafka.json',
): string {
  const list = messagesNode(text, fileName);
  const node = list.children?.[index];
  if (!node || node.type !== 'object')
    throw new InvalidInputError(
      `${fileName} has no messages[${index}] (it has ${list.children?.length ?? 0} messages)`,
    );
  const current = jsonc.getNodeValue(node) as Record<string, unknown>;
  const target: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete target[k];
    else target[k] = v;
  }
  const edits = editValue(text, node, target);
  const eol = lineEnding(text);
  let out = text;
  // From the end, so earlier offsets stay valid; at one offset a removal goes before an insertion placed there.
  edits.sort((a, b) => b.offset - a.offset || b.length - a.length);
  for (const e of edits) out = out.slice(0, e.offset) + withEol(e.insert, eol) + out.slice(e.offset + e.length);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The edits that turn the value at `node` into `target`, as small as the structure allows. */
function editValue(text: string, node: jsonc.Node, target: unknown): TextEdit[] {
  if (jsonEqual(jsonc.getNodeValue(node), target)) return [];
  if (node.type === 'object' && isPlainObject(target)) return editObject(text, node, target);
  if (node.type === 'array' && Array.isArray(target) && (node.children?.length ?? 0) === target.length) {
    return node.children!.flatMap((child, i) => editValue(text, child, target[i]));
  }
  return [{ offset: node.offset, length: node.length, insert: render(text, node, target) }];
}

function editObject(text: string, node: jsonc.Node, target: Record<string, unknown>): TextEdit[] {
  const props = node.children ?? [];
  const name = (p: jsonc.Node) => p.children![0].value as string;
  const kept = props.filter((p) => target[name(p)] !== undefined);
  const added = Object.entries(target).filter(([k, v]) => v !== undefined && !props.some((p) => name(p) === k));
  // Nothing of the old object stays: write it anew (its own layout: one line or several).
  if (kept.length === 0) return [{ offset: node.offset, length: node.length, insert: render(text, node, target) }];
  const edits: TextEdit[] = [];
  for (const p of kept) edits.push(...editValue(text, p.children![1], target[name(p)]));
  // Removed properties: a leading run goes up to the first kept one; any other goes from its predecessor's end.
  const firstKept = props.indexOf(kept[0]);
  if (firstKept > 0)
    edits.push({ offset: props[0].offset, length: props[firstKept].offset - props[0].offset, insert: '' });
  props.forEach((p, i) => {
    if (i > firstKept && target[name(p)] === undefined) {
      const prevEnd = props[i - 1].offset + props[i - 1].length;
      edits.push({ offset: prevEnd, length: p.offset + p.length - prevEnd, insert: '' });
    }
  });
  if (added.length) {
    const last = kept[kept.length - 1];
    const multiLine = text.slice(node.offset, last.offset).includes('\n');
    const indent = lineIndent(text, last.offset);
    const sep = multiLine ? `\n${indent}` : ' ';
    const insert = added
      .map(([k, v]) => `,${sep}${JSON.stringify(k)}: ${multiLine ? formatJsonAt(v, indent) : inline(v)}`)
      .join('');
    edits.push({ offset: last.offset + last.length, length: 0, insert });
  }
  return edits;
}

/** A new value in the old one's layout: on one line where the old text was on one line, else indented like its line. */
function render(text: string, node: jsonc.Node, value: unknown): string {
  const old = text.slice(node.offset, node.offset + node.length);
  return old.includes('\n') ? formatJsonAt(value, lineIndent(text, node.offset)) : inline(value);
}

/** JSON on one line with a space after ":" and ",", the way hand-written one-line objects usually read. */
function inline(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }` : '{}';
}
