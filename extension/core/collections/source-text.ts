/** Offsets to VS Code-style positions, and JSON paths to the text they came from, for one parsed document. */
import * as jsonc from 'jsonc-parser';
import type { SourcePosition, SourceRange } from './model';

export type JsonPath = (string | number)[];

export class SourceText {
  private starts: number[] | undefined;
  private parsed: { tree: jsonc.Node | undefined; errors: jsonc.ParseError[] } | undefined;
  private textValue: string | undefined;
  /** Set while the text is let go: how to read it again, and its length then (a different one cannot match). */
  private released: { reread: () => string | undefined; length: number } | undefined;
  /** The file changed after its text was let go: no positions can be told any more. */
  private gone = false;

  /**
   * `parsable` false: the text is known not to parse (empty, nested too deeply for the recursive parser), so there
   * is no tree. Otherwise the tree is built on first use: a valid file needs it only for positions in errors, and
   * for a big collection it takes more memory than everything else about the file together.
   */
  constructor(
    text: string,
    private readonly parsable = true,
  ) {
    this.textValue = text;
  }

  /** The text ('' once the file it was read from has changed since it was let go). */
  get text(): string {
    if (this.textValue === undefined) this.textValue = this.readAgain();
    return this.textValue;
  }

  /** Whether positions can still be told: false once the text was let go and the file changed since. */
  get hasText(): boolean {
    return this.text !== '' || !this.gone;
  }

  /**
   * Lets the text go while nothing needs a position: a checked collection of 100,000 messages holds 25 MB of text
   * only to place an error that rarely comes, and V8 lets the heap grow by a multiple of what it holds. `reread`
   * reads it again when a position is needed, and gives undefined when the file has changed since it was read (the
   * caller knows how to tell: hashing 25 MB to find out took a tenth of a second of every run); then there are no
   * positions rather than wrong ones.
   */
  releaseText(reread: () => string | undefined): void {
    if (this.parsed || this.starts || this.textValue === undefined) return;
    this.released = { reread, length: this.textValue.length };
    this.textValue = undefined;
  }

  private readAgain(): string {
    const released = this.released!;
    let text: string | undefined;
    try {
      text = released.reread();
    } catch {
      text = undefined;
    }
    if (text === undefined || text.length !== released.length) {
      this.gone = true;
      return '';
    }
    return text;
  }

  /** The parse tree (strict JSON: no comments, no trailing commas), or undefined when the text is not JSON at all. */
  get tree(): jsonc.Node | undefined {
    return this.parse().tree;
  }

  /** What the parser found wrong, in text order. */
  get parseErrors(): readonly jsonc.ParseError[] {
    return this.parse().errors;
  }

  private parse(): { tree: jsonc.Node | undefined; errors: jsonc.ParseError[] } {
    if (!this.parsed) {
      const errors: jsonc.ParseError[] = [];
      const tree =
        this.parsable && this.hasText
          ? jsonc.parseTree(this.text, errors, { disallowComments: true, allowTrailingComma: false })
          : undefined;
      this.parsed = { tree, errors };
    }
    return this.parsed;
  }

  private get lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      const text = this.text;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    return this.starts;
  }

  position(offset: number): SourcePosition {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo], offset };
  }

  range(offset: number, length: number): SourceRange {
    return { start: this.position(offset), end: this.position(offset + length) };
  }

  /** The node at `path`, or the nearest ancestor that exists (a missing property points at its object). */
  nodeAt(path: JsonPath): jsonc.Node | undefined {
    const tree = this.tree;
    if (!tree) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = jsonc.findNodeAtLocation(tree, path.slice(0, n));
      if (node) return node;
    }
    return tree;
  }

  /** The range of the value at `path` (or of its nearest existing ancestor). */
  rangeOf(path: JsonPath): SourceRange {
    const node = this.nodeAt(path);
    return node ? this.range(node.offset, node.length) : this.range(0, 0);
  }

  /** The range of a property's name (`"count"` in `"count": 5`), for errors about the property itself. */
  propertyNameRange(objectPath: JsonPath, property: string): SourceRange | undefined {
    const tree = this.tree;
    const object = tree && jsonc.findNodeAtLocation(tree, objectPath);
    const prop =
      object?.type === 'object' ? object.children?.find((p) => p.children?.[0]?.value === property) : undefined;
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
