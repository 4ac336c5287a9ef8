/**
 * The editor for `*.kafka.json` and `*.kafka-env.json`: package.json gives them languages of their own
 * ("Kafka Collection", "Kafka Environment", highlighted by VS Code's JSON grammar), so VS Code's JSON service leaves
 * them alone and the collection index is the one owner of their Problems. What the JSON service did besides
 * checking, we do here from our schemas: completion, hover, Format Document / Selection, folding, smart selection and
 * the outline (messages by name). The work is in kafka-json-language.ts, loaded on first use.
 */
import * as vscode from 'vscode';
import type * as lsp from 'vscode-json-languageservice';
import { COLLECTION_LANGUAGE, ENVIRONMENT_LANGUAGE, type KafkaJsonLanguage } from './collections-core';
import type { DocumentSnapshot } from './kafka-json-language';

type Language = typeof import('./kafka-json-language');

let loaded: Language | undefined;

function language(): Language {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at activation
  loaded ??= require('./kafka-json-language') as Language;
  return loaded;
}

const SELECTOR: vscode.DocumentSelector = [{ language: COLLECTION_LANGUAGE }, { language: ENVIRONMENT_LANGUAGE }];
/** LSP's InsertTextFormat.Snippet. */
const SNIPPET = 2;

export function registerKafkaJsonEditing(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        async provideCompletionItems(doc, at) {
          const list = await language().complete(snapshot(doc), position(at));
          return list && new vscode.CompletionList(list.items.map(completionItem), list.isIncomplete);
        },
      },
      '"',
      ':',
    ),
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, at) {
        const h = await language().hover(snapshot(doc), position(at));
        return h ? new vscode.Hover(hoverContents(h.contents), h.range && range(h.range)) : undefined;
      },
    }),
    vscode.languages.registerDocumentFormattingEditProvider(SELECTOR, {
      provideDocumentFormattingEdits: (doc, options) =>
        language().format(snapshot(doc), undefined, formatting(doc, options)).map(textEdit),
    }),
    vscode.languages.registerDocumentRangeFormattingEditProvider(SELECTOR, {
      provideDocumentRangeFormattingEdits: (doc, r, options) =>
        language().format(snapshot(doc), lspRange(r), formatting(doc, options)).map(textEdit),
    }),
    vscode.languages.registerFoldingRangeProvider(SELECTOR, {
      provideFoldingRanges: (doc) => language().foldingRanges(snapshot(doc)).map(foldingRange),
    }),
    vscode.languages.registerSelectionRangeProvider(SELECTOR, {
      provideSelectionRanges: (doc, positions) =>
        language().selectionRanges(snapshot(doc), positions.map(position)).map(selectionRange),
    }),
    vscode.languages.registerDocumentSymbolProvider(
      SELECTOR,
      { provideDocumentSymbols: (doc) => language().symbols(snapshot(doc)).map(documentSymbol) },
      { label: 'Kafka Workbench' },
    ),
    vscode.workspace.onDidCloseTextDocument((doc) => loaded?.forget(doc.uri.toString())),
  );
}

function snapshot(doc: vscode.TextDocument): DocumentSnapshot {
  return {
    uri: doc.uri.toString(),
    languageId: doc.languageId as KafkaJsonLanguage,
    version: doc.version,
    getText: () => doc.getText(),
  };
}

/** The editor's tab size and spaces; a final newline is kept (files we write have one) or added if the user says. */
function formatting(doc: vscode.TextDocument, options: vscode.FormattingOptions): lsp.FormattingOptions {
  const endsWithNewline = doc.lineCount > 1 && doc.lineAt(doc.lineCount - 1).isEmptyOrWhitespace;
  return {
    tabSize: options.tabSize,
    insertSpaces: options.insertSpaces,
    insertFinalNewline:
      endsWithNewline || vscode.workspace.getConfiguration('files', doc).get<boolean>('insertFinalNewline', false),
  };
}

function position(p: vscode.Position): lsp.Position {
  return { line: p.line, character: p.character };
}

function range(r: lsp.Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

function lspRange(r: vscode.Range): lsp.Range {
  return { start: position(r.start), end: position(r.end) };
}

function textEdit(e: lsp.TextEdit): vscode.TextEdit {
  return new vscode.TextEdit(range(e.range), e.newText);
}

function markdown(doc: string | lsp.MarkupContent | undefined): vscode.MarkdownString | string | undefined {
  if (doc === undefined || typeof doc === 'string') return doc;
  return doc.kind === 'markdown' ? new vscode.MarkdownString(doc.value) : doc.value;
}

function hoverContents(contents: lsp.Hover['contents']): vscode.MarkdownString[] {
  return (Array.isArray(contents) ? contents : [contents]).map((c) =>
    typeof c === 'string'
      ? new vscode.MarkdownString(c)
      : 'kind' in c
        ? c.kind === 'markdown'
          ? new vscode.MarkdownString(c.value)
          : new vscode.MarkdownString().appendText(c.value)
        : new vscode.MarkdownString().appendCodeblock(c.value, c.language),
  );
}

function completionItem(c: lsp.CompletionItem): vscode.CompletionItem {
  // LSP numbers kinds from 1, VS Code from 0.
  const item = new vscode.CompletionItem(c.label, c.kind === undefined ? undefined : c.kind - 1);
  item.detail = c.detail;
  item.documentation = markdown(c.documentation);
  item.filterText = c.filterText;
  item.sortText = c.sortText;
  const text = c.textEdit?.newText ?? c.insertText ?? c.label;
  item.insertText = c.insertTextFormat === SNIPPET ? new vscode.SnippetString(text) : text;
  if (c.textEdit)
    item.range =
      'range' in c.textEdit
        ? range(c.textEdit.range)
        : { inserting: range(c.textEdit.insert), replacing: range(c.textEdit.replace) };
  // Property names chain into their value's suggestions (editor.action.triggerSuggest), as in JSON files.
  if (c.command) item.command = { ...c.command };
  return item;
}

function foldingRange(f: lsp.FoldingRange): vscode.FoldingRange {
  const kind =
    f.kind === 'comment'
      ? vscode.FoldingRangeKind.Comment
      : f.kind === 'region'
        ? vscode.FoldingRangeKind.Region
        : undefined;
  return new vscode.FoldingRange(f.startLine, f.endLine, kind);
}

function selectionRange(s: lsp.SelectionRange): vscode.SelectionRange {
  return new vscode.SelectionRange(range(s.range), s.parent && selectionRange(s.parent));
}

function documentSymbol(s: lsp.DocumentSymbol): vscode.DocumentSymbol {
  // LSP numbers kinds from 1, VS Code from 0; VS Code refuses an empty name (a "" key).
  const symbol = new vscode.DocumentSymbol(
    s.name || '""',
    s.detail ?? '',
    s.kind - 1,
    range(s.range),
    range(s.selectionRange),
  );
  symbol.children = (s.children ?? []).map(documentSymbol);
  return symbol;
}
