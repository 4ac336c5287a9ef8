/** Offsets to VS Code-style positions, and JSON paths to the text they came from, for one parsed document. */
import * as jsonc from 'jsonc-parser';
import type { SourcePosition, SourceRange } from './model';

export type JsonPath = (string | number)[];

export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    /** The parse tree, or undefined when the text is not JSON at all. */
    readonly tree: jsonc.Node | undefined,
  ) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo], offset };
  }

  range(offset: number, length: number): SourceRange {
    return { start: this.position(offset), end: this.position(offset + length) };
  }

  /** The node at `path`, or the nearest ancestor that exists (a missing property points at its object). */
  nodeAt(path: JsonPath): jsonc.Node | undefined {
    if (!this.tree) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = jsonc.findNodeAtLocation(this.tree, path.slice(0, n));
      if (node) return node;
    }
    return this.tree;
  }

  /** The range of the value at `path` (or of its nearest existing ancestor). */
  rangeOf(path: JsonPath): SourceRange {
    const node = this.nodeAt(path);
    return node ? this.range(node.offset, node.length) : this.range(0, 0);
  }

  /** The range of a property's name (`"count"` in `"count": 5`), for errors about the property itself. */
  propertyNameRange(objectPath: JsonPath, property: string): SourceRange | undefined {
    const object = this.tree && jsonc.findNodeAtLocation(this.tree, objectPath);
    const prop = object?.type === 'object' ? object.children?.find((p) => p.children?.[0]?.value === property) : undefined;
    const name = prop?.children?.[0];
    return name ? this.range(name.offset, name.length) : undefined;
  }
}

/** `messages[0].value.id`: a path as people read it. */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += (out ? '.' : '') + seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(root)';
}

/** `file:line:col` with 1-based numbers, the way compilers and editors print locations. */
export function formatLocation(fileName: string, range: SourceRange): string {
  return `${fileName}:${range.start.line + 1}:${range.start.character + 1}`;
}
