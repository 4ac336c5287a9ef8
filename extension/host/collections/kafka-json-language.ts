/**
 * Editing help for collection and environment files, driven by the JSON schemas we ship (the one home of their
 * shape): completion, hover, formatting, folding, smart selection and the outline, from the library VS Code's own
 * JSON support is built on, run in the extension host. It never validates: Problems for these files come from the
 * collection index alone. No vscode here (LSP types in and out, see kafka-json-editing.ts); loaded on first use.
 */
import {
  getLanguageService,
  TextDocument,
  type CompletionList,
  type DocumentSymbol,
  type FoldingRange,
  type FormattingOptions,
  type Hover,
  type JSONDocument,
  type LanguageService,
  type Position,
  type Range,
  type SelectionRange,
  type TextEdit,
} from 'vscode-json-languageservice';
import collectionSchema from '../../../media/schemas/kafka-collection.schema.json';
import environmentSchema from '../../../media/schemas/kafka-environment.schema.json';
import { COLLECTION_LANGUAGE, ENVIRONMENT_LANGUAGE, type KafkaJsonLanguage } from './collections-core';

/** What the editor knows of a document: enough to parse it once per version. */
export interface DocumentSnapshot {
  uri: string;
  languageId: KafkaJsonLanguage;
  version: number;
  getText(): string;
}

const SCHEMAS: Record<KafkaJsonLanguage, { $id: string }> = {
  [COLLECTION_LANGUAGE]: collectionSchema,
  [ENVIRONMENT_LANGUAGE]: environmentSchema,
};

/** One service per language, each with its schema for every document: the language decides, not the file name. */
const services = new Map<KafkaJsonLanguage, LanguageService>();

function service(language: KafkaJsonLanguage): LanguageService {
  let s = services.get(language);
  if (!s) {
    s = getLanguageService({
      clientCapabilities: {
        textDocument: {
          completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    // Registered under its $id, so a file whose "$schema" names our schema gets the same help. Nothing is fetched:
    // there is no schema request service, so a "$schema" naming another schema gets no help from us.
    const schema = SCHEMAS[language];
    s.configure({ validate: false, schemas: [{ uri: schema.$id, fileMatch: ['*'], schema }] });
    services.set(language, s);
  }
  return s;
}

/** The last parse of each open document, reused until its version changes. */
const parses = new Map<string, { version: number; text: TextDocument; json: JSONDocument }>();

function parse(doc: DocumentSnapshot): { text: TextDocument; json: JSONDocument; ls: LanguageService } {
  const ls = service(doc.languageId);
  let p = parses.get(doc.uri);
  if (p?.version !== doc.version || p.text.languageId !== doc.languageId) {
    const text = TextDocument.create(doc.uri, doc.languageId, doc.version, doc.getText());
    p = { version: doc.version, text, json: ls.parseJSONDocument(text) };
    parses.set(doc.uri, p);
  }
  return { ...p, ls };
}

/** A closed document's parse is not kept. */
export function forget(uri: string): void {
  parses.delete(uri);
}

export async function complete(doc: DocumentSnapshot, at: Position): Promise<CompletionList | null> {
  const { ls, text, json } = parse(doc);
  return ls.doComplete(text, at, json);
}

export async function hover(doc: DocumentSnapshot, at: Position): Promise<Hover | null> {
  const { ls, text, json } = parse(doc);
  return ls.doHover(text, at, json);
}

export function format(doc: DocumentSnapshot, range: Range | undefined, options: FormattingOptions): TextEdit[] {
  const { ls, text } = parse(doc);
  return ls.format(text, range, options);
}

export function foldingRanges(doc: DocumentSnapshot): FoldingRange[] {
  const { ls, text } = parse(doc);
  return ls.getFoldingRanges(text);
}

export function selectionRanges(doc: DocumentSnapshot, positions: Position[]): SelectionRange[] {
  const { ls, text, json } = parse(doc);
  return ls.getSelectionRanges(text, positions, json);
}

/**
 * The outline: the file's properties as JSON shows them, except that a collection's messages are listed by their
 * "name" (with the topic beside it) rather than by their index.
 */
export function symbols(doc: DocumentSnapshot): DocumentSymbol[] {
  const { ls, text, json } = parse(doc);
  const all = ls.findDocumentSymbols2(text, json, { resultLimit: 10_000 });
  if (doc.languageId !== COLLECTION_LANGUAGE) return all;
  const messages = all.find((s) => s.name === 'messages');
  const items =
    json.root?.type === 'object' ? json.root.properties.find((p) => p.keyNode.value === 'messages') : undefined;
  const nodes = items?.valueNode?.type === 'array' ? items.valueNode.items : [];
  messages?.children?.forEach((symbol) => {
    const i = Number(symbol.name); // the service names array items by their index
    const node = nodes[i];
    if (node?.type !== 'object') return;
    const field = (key: string) => {
      const v = node.properties.find((p) => p.keyNode.value === key)?.valueNode;
      return v?.type === 'string' && v.value.trim() ? v.value : undefined;
    };
    symbol.name = field('name') ?? `message ${i + 1}`;
    symbol.detail = field('topic') ?? '';
  });
  return all;
}
