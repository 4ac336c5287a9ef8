/**
 * Writing collection files: stable formatting (key order kept, 2-space indent, trailing newline) so diffs stay
 * small; edits that touch only the message they change; atomic writes (temp file + rename); and never writing over
 * a file that has errors (the user's hand edits would be lost) or writing a collection that would not load.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import * as jsonc from 'jsonc-parser';
import { InvalidInputError } from '../util/errors';
import { fileKind, fileProblem } from '../util/files';
import type { Collection, MessageSpec } from './model';
import { DocumentError, parseCollectionText } from './parse';

/** JSON with 2-space indent and a trailing newline; short arrays of scalars (header pairs) stay on one line. */
export function formatJson(value: unknown): string {
  return stringify(value, '') + '\n';
}

/** `value` as formatJson writes it, for a place in a file whose line starts with `indent`. */
export function formatJsonAt(value: unknown, indent: string): string {
  return stringify(value, indent);
}

function stringify(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const scalars = value.every((v) => v === null || typeof v !== 'object');
    if (scalars) {
      const oneLine = `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
      if (oneLine.length <= 80) return oneLine;
    }
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** A new collection file's text. */
export function createCollectionText(name: string, messages: MessageSpec[] = []): string {
  // No "$schema": the extension gives *.kafka.json its schema itself (the Kafka Collection language).
  const collection: Collection = { name, messages };
  return formatJson(collection);
}

function refuseIfInvalid(text: string, fileName: string, what: string): void {
  const doc = parseCollectionText(text, fileName);
  if (doc.value === undefined) {
    const e = new DocumentError(fileName, doc.diagnostics);
    throw new InvalidInputError(`${what}: ${e.message}`, { cause: e });
  }
}

/** Adds a message at the end of `messages`, leaving the rest of the text exactly as it was. */
export function appendMessageText(text: string, message: MessageSpec, fileName = 'collection.kafka.json'): string {
  const list = messagesNode(text, fileName);
  const children = list.children ?? [];
  const eol = lineEnding(text);
  if (children.length === 0) {
    const indent = lineIndent(text, list.offset);
    const inner = indent + '  ';
    return withNewline(
      splice(text, list.offset, list.length, withEol(`[\n${inner}${stringify(message, inner)}\n${indent}]`, eol)),
      eol,
    );
  }
  const last = children[children.length - 1];
  const indent = lineIndent(text, last.offset);
  const end = last.offset + last.length;
  return withNewline(splice(text, end, 0, withEol(`,\n${indent}${stringify(message, indent)}`, eol)), eol);
}

/** Replaces message `index` (or removes it when `message` is undefined), leaving the rest of the text as it was. */
export function replaceMessageText(
  text: string,
  index: number,
  message: MessageSpec | undefined,
  fileName = 'collection.kafka.json',
): string {
  const list = messagesNode(text, fileName);
  const children = list.children ?? [];
  if (!Number.isInteger(index) || index < 0 || index >= children.length) {
    throw new InvalidInputError(`${fileName} has no messages[${index}] (it has ${children.length} messages)`);
  }
  const node = children[index];
  const eol = lineEnding(text);
  if (message !== undefined) {
    return withNewline(
      splice(text, node.offset, node.length, withEol(stringify(message, lineIndent(text, node.offset)), eol)),
      eol,
    );
  }
  if (children.length === 1) return withNewline(splice(text, list.offset, list.length, '[]'), eol);
  if (index > 0) {
    const prevEnd = children[index - 1].offset + children[index - 1].length;
    return withNewline(splice(text, prevEnd, node.offset + node.length - prevEnd, ''), eol);
  }
  return withNewline(splice(text, node.offset, children[1].offset - node.offset, ''), eol);
}

export function messagesNode(text: string, fileName: string): jsonc.Node {
  refuseIfInvalid(text, fileName, 'not changing a collection that has errors; fix them first');
  const doc = parseCollectionText(text, fileName);
  return jsonc.findNodeAtLocation(doc.source.tree!, ['messages'])!;
}

/** The whitespace at the start of the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

function splice(text: string, offset: number, length: number, insert: string): string {
  return text.slice(0, offset) + insert + text.slice(offset + length);
}

function withNewline(text: string, eol: string): string {
  return text.endsWith('\n') ? text : text + eol;
}

/** The file's own line ending (its first one), so an edit does not mix CRLF and LF lines. */
export function lineEnding(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

export function withEol(inserted: string, eol: string): string {
  return eol === '\n' ? inserted : inserted.replace(/\n/g, eol);
}

/**
 * Writes `text` to a temp file beside `filePath`, flushes it, then renames it over: readers see old or new, never
 * half. A symlink is written through (its target is replaced, the link stays) and the file keeps its permissions,
 * and its owner and group where this user may set them. A file the user cannot write is refused rather than
 * replaced (the rename would not ask it), and every error names `filePath`, never the temp file.
 */
export async function writeFileAtomic(filePath: string, text: string): Promise<void> {
  const target = await realTarget(filePath);
  const named = target === path.resolve(filePath) ? filePath : `${filePath} (a link to ${target})`;
  const existing = await fs.stat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw writeError(named, e);
  });
  if (existing) await refuseUnwritable(named, target, existing);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx').catch((e: NodeJS.ErrnoException) => {
    throw writeError(named, e, temp);
  });
  try {
    if (existing) {
      await handle.chmod(existing.mode & 0o7777);
      // Keeps the group (and owner) a new file would not get; only root or a member of the group may.
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
        await handle.chown(existing.uid, existing.gid).catch(() => undefined);
      }
    }
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw writeError(named, e as NodeJS.ErrnoException, temp);
  }
  await handle.close();
  try {
    await fs.rename(temp, target);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw writeError(named, e as NodeJS.ErrnoException, temp);
  }
}

/**
 * Refuses a file the user cannot write: one without any write permission (chmod a-w marks a file read-only, even
 * for root, who could write it anyway) or one the OS says this user may not write (someone else's file, an ACL).
 */
async function refuseUnwritable(named: string, target: string, stat: import('node:fs').Stats): Promise<void> {
  const mode = `mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}`;
  if (!stat.isFile()) throw new InvalidInputError(`cannot save ${named}: it is ${fileKind(stat)}, not a file`);
  if ((stat.mode & 0o222) === 0) {
    throw new InvalidInputError(
      `not saving ${named}: the file is read-only (${mode}); make it writable (chmod u+w) or save to another file`,
    );
  }
  const writable = await fs.access(target, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
  if (!writable) {
    throw new InvalidInputError(
      `not saving ${named}: this user may not write it (${mode}, owner uid ${stat.uid}); change its permissions or save to another file`,
    );
  }
}

/**
 * An error of writing `named` in the user's terms: a failure to create or rename the temp file is about the
 * folder, and no message names the temp file.
 */
function writeError(named: string, e: NodeJS.ErrnoException, temp?: string): Error {
  const dir = temp && path.dirname(temp);
  const folder =
    dir &&
    (
      {
        EACCES: `its folder ${dir} is not writable`,
        EPERM: `its folder ${dir} does not allow new files`,
        ENOENT: `its folder ${dir} does not exist`,
      } as Record<string, string>
    )[e.code ?? ''];
  const reason = folder ?? (temp ? fileProblem(e, 'write').split(temp).join(named) : fileProblem(e, 'write'));
  return new InvalidInputError(
    `cannot save ${named}: ${reason}${e.code && reason !== e.message ? ` (${e.code})` : ''}`,
    { cause: e },
  );
}

/**
 * Where a write to `filePath` should go: the file a symlink points to (created there when the link dangles), or the
 * path itself.
 */
async function realTarget(filePath: string): Promise<string> {
  let target = filePath;
  for (let hops = 0; hops < 40; hops++) {
    const stat = await fs.lstat(target).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!stat?.isSymbolicLink()) return stat ? fs.realpath(target) : target;
    target = path.resolve(path.dirname(target), await fs.readlink(target));
  }
  throw new InvalidInputError(`${filePath}: too many symbolic links (a loop?)`);
}

/** Updates in flight per file: each read-edit-write waits for the one before, so none is lost. */
const updating = new Map<string, Promise<unknown>>();

async function oneAtATime<T>(filePath: string, update: () => Promise<T>): Promise<T> {
  const key = await realTarget(path.resolve(filePath));
  const previous = updating.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(update);
  updating.set(key, next);
  try {
    return await next;
  } finally {
    if (updating.get(key) === next) updating.delete(key);
  }
}

async function readIfExists(filePath: string): Promise<string | undefined> {
  try {
    return await fs.readFile(filePath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Reads the collection file, applies `edit` to its text and writes the result atomically. Refuses (and writes
 * nothing) when the file on disk has errors or when the edited text would not be a valid collection.
 * A missing file starts as `initialText` when given, else it is an error.
 */
export async function updateCollectionFile(
  filePath: string,
  edit: (text: string) => string,
  initialText?: string,
): Promise<string> {
  const fileName = path.basename(filePath);
  return oneAtATime(filePath, async () => {
    const onDisk = (await readIfExists(filePath)) ?? initialText;
    if (onDisk === undefined) throw new InvalidInputError(`collection file ${filePath} does not exist`);
    // A byte-order mark is kept as it was, outside the JSON text the edit works on.
    const bom = onDisk.startsWith('\uFEFF') ? '\uFEFF' : '';
    const current = onDisk.slice(bom.length);
    refuseIfInvalid(current, fileName, `not overwriting ${filePath}: it has errors; fix them first`);
    const next = edit(current);
    refuseIfInvalid(next, fileName, 'the edited collection would not be valid, so nothing was written');
    await writeFileAtomic(filePath, bom + next);
    return next;
  });
}

/** Writes a whole collection (stable formatting), with the same refusals as updateCollectionFile. */
export async function saveCollection(filePath: string, collection: Collection): Promise<void> {
  const text = formatJson(collection);
  await updateCollectionFile(filePath, () => text, text);
}

/** Adds a message to a collection file, creating the file (named `collectionName`) if it does not exist yet. */
export async function addMessageToCollectionFile(
  filePath: string,
  message: MessageSpec,
  collectionName?: string,
): Promise<void> {
  const initial = createCollectionText(collectionName ?? path.basename(filePath).replace(/\.kafka\.json$/i, ''));
  await updateCollectionFile(filePath, (text) => appendMessageText(text, message, path.basename(filePath)), initial);
}
