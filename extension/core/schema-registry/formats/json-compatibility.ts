/**
 * Whether a JSON Schema (the reader) accepts every value another (the writer) accepts: the question BACKWARD (new
 * reads old) and FORWARD (old reads new) ask. A structural check of the keywords schemas use for records, each
 * problem named like Confluent's difference types (TYPE_NARROWED, REQUIRED_PROPERTY_ADDED...) with its JSON path.
 * Where it cannot tell (different `not`, `pattern`), it says so rather than guess "compatible".
 */
import { keySegment, shownValue } from '../types';

export type JsonNode = boolean | { [k: string]: unknown };
type Deref = (ref: string, from: 'reader' | 'writer') => JsonNode | undefined;

const MAX_DEPTH = 32;

export function jsonReadProblems(reader: JsonNode, writer: JsonNode, deref: Deref): string[] {
  const out: string[] = [];
  compare(reader, writer, '#', deref, out, 0);
  return out;
}

function types(n: { [k: string]: unknown }): Set<string> | undefined {
  if (n.type === undefined) return undefined;
  const list = [n.type].flat().map(String);
  return new Set(list);
}

function resolve(n: JsonNode | undefined, from: 'reader' | 'writer', deref: Deref): JsonNode | undefined {
  let node = n;
  for (let i = 0; i < 16 && typeof node === 'object' && typeof node.$ref === 'string'; i++) {
    const target = deref(node.$ref, from);
    if (target === undefined) return node;
    // Keywords beside $ref (2019-09 and later) still apply; merged over the target.
    const { $ref: _ignored, ...rest } = node;
    node = typeof target === 'object' ? { ...target, ...rest } : target;
  }
  return node;
}

function compare(
  readerIn: JsonNode | undefined,
  writerIn: JsonNode | undefined,
  path: string,
  deref: Deref,
  out: string[],
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  const reader = resolve(readerIn, 'reader', deref);
  const writer = resolve(writerIn, 'writer', deref);
  if (reader === undefined || reader === true || (typeof reader === 'object' && Object.keys(reader).length === 0))
    return;
  if (writer === false) return; // the writer produces nothing here
  if (reader === false) {
    out.push(`SCHEMA_NARROWED at ${path}: the reader accepts no value here`);
    return;
  }
  const w = writer === undefined || writer === true ? {} : writer;
  const r = reader;

  // A writer that is one of several shapes: each shape must be readable.
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(w[k])) {
      (w[k] as JsonNode[]).forEach((branch, i) =>
        compare(r, mergeBase(w, k, branch), `${path}/${k}/${i}`, deref, out, depth + 1),
      );
      return;
    }
  }
  if (Array.isArray(r.anyOf) || Array.isArray(r.oneOf)) {
    const list = (r.anyOf ?? r.oneOf) as JsonNode[];
    const fits = list.some((branch) => {
      const sub: string[] = [];
      compare(branch, w, path, deref, sub, depth + 1);
      return sub.length === 0;
    });
    if (!fits)
      out.push(
        `COMBINED_TYPE_SUBSCHEMAS_CHANGED at ${path}: no branch of the reader's ${r.anyOf ? 'anyOf' : 'oneOf'} accepts what the writer writes`,
      );
  }
  if (Array.isArray(r.allOf))
    for (const [i, branch] of (r.allOf as JsonNode[]).entries())
      compare(branch, w, `${path}/allOf/${i}`, deref, out, depth + 1);
  if (r.not !== undefined && JSON.stringify(r.not) !== JSON.stringify(w.not))
    out.push(`NOT_TYPE_EXTENDED at ${path}: the reader's "not" changed`);

  const rt = types(r);
  const wt = types(w);
  if (rt) {
    if (!wt) {
      if (w.enum === undefined && w.const === undefined)
        out.push(`TYPE_NARROWED at ${path}: the writer allows any type, the reader only ${[...rt].join(', ')}`);
    } else {
      for (const t of wt) {
        if (rt.has(t) || (t === 'integer' && rt.has('number'))) continue;
        out.push(`TYPE_NARROWED at ${path}: the writer allows ${t}, the reader only ${[...rt].join(', ')}`);
      }
    }
  }
  if (Array.isArray(r.enum)) {
    const allowed = new Set(r.enum.map((v) => JSON.stringify(v)));
    const written = Array.isArray(w.enum) ? w.enum : w.const !== undefined ? [w.const] : undefined;
    if (!written)
      out.push(`ENUM_ARRAY_NARROWED at ${path}: the reader allows only ${r.enum.map((v) => shownValue(v)).join(', ')}`);
    else
      for (const v of written)
        if (!allowed.has(JSON.stringify(v)))
          out.push(`ENUM_ARRAY_NARROWED at ${path}: ${shownValue(v)} is written but not allowed by the reader`);
  }
  if (r.const !== undefined && JSON.stringify(r.const) !== JSON.stringify(w.const))
    out.push(`CONST_CHANGED at ${path}: the reader wants ${shownValue(r.const)}`);

  bounds(r, w, path, out);
  objects(r, w, path, deref, out, depth);
  arrays(r, w, path, deref, out, depth);
}

/** A writer's anyOf branch with the keywords beside the anyOf (they apply to every branch). */
function mergeBase(w: { [k: string]: unknown }, k: string, branch: JsonNode): JsonNode {
  const { [k]: _ignored, ...rest } = w;
  if (typeof branch !== 'object') return branch;
  return Object.keys(rest).length ? { ...rest, ...branch } : branch;
}

/** Numeric and length limits: a reader's limit must be no tighter than the writer's. */
function bounds(r: { [k: string]: unknown }, w: { [k: string]: unknown }, path: string, out: string[]): void {
  const lower = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
  const upper = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
  for (const k of lower) {
    if (typeof r[k] !== 'number') continue;
    if (typeof w[k] !== 'number' || (w[k] as number) < (r[k] as number))
      out.push(
        `${k.toUpperCase()}_ADDED_OR_INCREASED at ${path}: the reader's ${k} ${r[k]} is above the writer's (${w[k] ?? 'none'})`,
      );
  }
  for (const k of upper) {
    if (typeof r[k] !== 'number') continue;
    if (typeof w[k] !== 'number' || (w[k] as number) > (r[k] as number))
      out.push(
        `${k.toUpperCase()}_ADDED_OR_DECREASED at ${path}: the reader's ${k} ${r[k]} is below the writer's (${w[k] ?? 'none'})`,
      );
  }
  if (
    typeof r.multipleOf === 'number' &&
    (typeof w.multipleOf !== 'number' || (w.multipleOf as number) % (r.multipleOf as number) !== 0)
  ) {
    out.push(`MULTIPLE_OF_CHANGED at ${path}: the reader wants multiples of ${r.multipleOf}`);
  }
  if (typeof r.pattern === 'string' && r.pattern !== w.pattern)
    out.push(`PATTERN_ADDED_OR_CHANGED at ${path}: the reader's pattern /${r.pattern}/ is not the writer's`);
  if (typeof r.format === 'string' && r.format !== w.format)
    out.push(`FORMAT_ADDED_OR_CHANGED at ${path}: the reader wants format ${r.format}`);
}

function objects(
  r: { [k: string]: unknown },
  w: { [k: string]: unknown },
  path: string,
  deref: Deref,
  out: string[],
  depth: number,
): void {
  const rProps = (r.properties ?? {}) as Record<string, JsonNode>;
  const wProps = (w.properties ?? {}) as Record<string, JsonNode>;
  const rAdditional = r.additionalProperties as JsonNode | undefined;
  const wAdditional = w.additionalProperties as JsonNode | undefined;
  const wOpen = wAdditional !== false;
  for (const [name, rp] of Object.entries(rProps)) {
    const at = `${path}/properties/${name}`;
    if (name in wProps) compare(rp, wProps[name], at, deref, out, depth + 1);
    else if (wOpen) {
      // The writer may put anything under this name (open content model): the reader must take what it may write.
      const sub: string[] = [];
      compare(rp, wAdditional === undefined ? true : wAdditional, at, deref, sub, depth + 1);
      if (sub.length)
        out.push(
          `PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL at ${at}: the writer allows any "${name}", the reader restricts it`,
        );
    }
  }
  for (const [name, wp] of Object.entries(wProps)) {
    if (name in rProps) continue;
    const at = `${path}/properties/${name}`;
    if (rAdditional === false)
      out.push(
        `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at ${at}: the writer writes "${name}", the reader allows no extra properties`,
      );
    else if (rAdditional !== undefined && rAdditional !== true) compare(rAdditional, wp, at, deref, out, depth + 1);
  }
  if (rAdditional !== undefined && rAdditional !== true && wOpen) {
    if (
      rAdditional === false &&
      (wAdditional === undefined || wAdditional === true || typeof wAdditional === 'object')
    ) {
      out.push(`ADDITIONAL_PROPERTIES_REMOVED at ${path}: the writer allows extra properties, the reader does not`);
    } else if (typeof rAdditional === 'object')
      compare(rAdditional, wAdditional ?? true, `${path}/additionalProperties`, deref, out, depth + 1);
  }
  const wRequired = new Set(Array.isArray(w.required) ? (w.required as string[]) : []);
  for (const name of Array.isArray(r.required) ? (r.required as string[]) : []) {
    if (!wRequired.has(name))
      out.push(
        `REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL at ${path}${keySegment(name).replace(/^\./, '/properties/')}: the reader requires "${name}", which the writer may leave out`,
      );
  }
}

function arrays(
  r: { [k: string]: unknown },
  w: { [k: string]: unknown },
  path: string,
  deref: Deref,
  out: string[],
  depth: number,
): void {
  const rItems = r.items as JsonNode | JsonNode[] | undefined;
  const wItems = w.items as JsonNode | JsonNode[] | undefined;
  if (rItems === undefined) return;
  if (Array.isArray(rItems)) {
    rItems.forEach((ri, i) =>
      compare(ri, Array.isArray(wItems) ? wItems[i] : wItems, `${path}/items/${i}`, deref, out, depth + 1),
    );
    return;
  }
  if (Array.isArray(wItems))
    wItems.forEach((wi, i) => compare(rItems, wi, `${path}/items/${i}`, deref, out, depth + 1));
  else compare(rItems, wItems, `${path}/items`, deref, out, depth + 1);
}
