import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import { SNIPPET_SUFFIX, type parseSnippet } from '../../core/snippets';
import { Commands, VIEW_SNIPPETS } from '../constants';
import { checksSummary } from '../results/resultText';
import { DATA_COMMANDS } from './dataRuns';
import type { SnippetOutcome, SnippetRuns } from './snippetRuns';
import type { SnippetFile, SnippetStore } from './snippetStore';

/** The Snippets view: every snippet file, with what it calls and on which server; broken ones flagged. */
export class SnippetsTree extends Disposable implements vscode.TreeDataProvider<SnippetFile> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<SnippetFile | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly view: vscode.TreeView<SnippetFile>;

  constructor(private readonly store: SnippetStore) {
    super();
    this.view = vscode.window.createTreeView(VIEW_SNIPPETS, { treeDataProvider: this });
    this._register(this.view);
    this._register(store.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  getChildren(n?: SnippetFile): Promise<SnippetFile[]> | SnippetFile[] {
    return n ? [] : this.store.list();
  }

  getTreeItem(f: SnippetFile): vscode.TreeItem {
    const name = f.uri.path.split('/').pop()!.replace(SNIPPET_SUFFIX, '');
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = f.uri.toString();
    item.resourceUri = f.uri;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [f.uri] };
    if (f.parsed.ok) {
      const s = f.parsed.snippet;
      item.description = `${s.family} ${s.function}${s.account ? ` as ${s.account}` : ''} · ${s.server}`;
      item.iconPath = new vscode.ThemeIcon(f.parsed.warnings.length ? 'warning' : 'symbol-event');
      const md = new vscode.MarkdownString();
      md.appendText(`${s.family} ${s.function} on ${s.server}${s.note ? `\n\n${s.note}` : ''}`);
      for (const w of f.parsed.warnings) md.appendText(`\n\n⚠ ${w.message}`);
      item.tooltip = md;
      item.contextValue = 'snippet';
    } else {
      item.description = 'has problems';
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.tooltip = f.parsed.problems.map((p) => p.message).join('\n');
      item.contextValue = 'snippet.invalid';
    }
    item.accessibilityInformation = { label: `${name}, ${String(item.description)}` };
    return item;
  }
}

/**
 * "Send", "Run Folder" and "Open in Builder" above each snippet file, and how its last run went
 * (its checks, or why it was not sent); a pointer to the problems when it is broken.
 */
export class SnippetCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this._onDidChange.event;

  constructor(
    private readonly parse: (text: string) => { ok: boolean },
    private readonly runs: SnippetRuns,
  ) {
    super();
    this._register(runs.onDidRun(() => this._onDidChange.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    if (!this.parse(doc.getText()).ok) {
      return [
        new vscode.CodeLens(top, {
          title: '$(error) This snippet has problems: fix them to send it',
          command: 'workbench.actions.view.problems',
        }),
      ];
    }
    const lenses = [
      new vscode.CodeLens(top, { title: '$(play) Send', command: Commands.snippetSend, arguments: [doc.uri] }),
      new vscode.CodeLens(top, {
        title: '$(run-all) Run Folder',
        command: Commands.snippetsRunFolder,
        arguments: [doc.uri],
        tooltip: 'Run every snippet in this folder in file-name order, captured values carried along',
      }),
      new vscode.CodeLens(top, { title: '$(edit) Open in Builder', command: Commands.snippetOpenInBuilder, arguments: [doc.uri] }),
      new vscode.CodeLens(top, {
        title: '$(run-all) Send to Group…',
        command: Commands.snippetSendToGroup,
        arguments: [doc.uri],
        tooltip: 'Send this request to every server of a group',
      }),
    ];
    // A snippet that reads ${row.COLUMN} is made to run for each row of a data file.
    if (/\$\{row\./.test(doc.getText())) {
      lenses.splice(
        1,
        0,
        new vscode.CodeLens(top, {
          title: '$(table) Run for Each Row…',
          command: DATA_COMMANDS.runForEachRow,
          arguments: [doc.uri],
          tooltip: 'Send this snippet once for each row of a CSV or JSON file',
        }),
      );
    }
    const last = this.runs.last(doc.uri);
    if (last) lenses.push(new vscode.CodeLens(top, outcomeCommand(last)));
    return lenses;
  }
}

/** The last run of a snippet as a CodeLens: passed or failed, and the first failed check. */
function outcomeCommand(o: SnippetOutcome): vscode.Command {
  const open = o.resultUri ? { command: 'vscode.open', arguments: [o.resultUri] } : { command: Commands.logShow };
  if (o.notSent) return { title: '$(circle-slash) Not sent', tooltip: o.notSent, ...open };
  const failed = o.checks.filter((c) => !c.pass);
  if (o.pass)
    return {
      title: `$(pass) ${o.checks.length ? checksSummary(o.checks) : 'passed'} · ${o.ms} ms`,
      tooltip: o.checks.map((c) => `✓ expect[${c.index}] ${c.label}`).join('\n') || 'The call succeeded.',
      ...open,
    };
  const first = failed[0];
  return {
    // The check as written can be long; the lens keeps to one short line (the tooltip has every failure in full).
    title: `$(error) ${o.checks.length ? checksSummary(o.checks) : 'failed'}${first ? `: expect[${first.index}] ${first.label.length > 32 ? `${first.label.slice(0, 31)}…` : first.label}` : `: ${o.result?.kind ?? ''}`}`,
    tooltip: failed.map((c) => `✗ expect[${c.index}] ${c.label}: ${c.message ?? ''}`).join('\n') || (o.result?.hint ?? ''),
    ...open,
  };
}

/** Problems of snippet files, shown in the editor and the Problems panel as they are typed. */
export class SnippetDiagnostics extends Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cpanel-snippets');

  constructor(private readonly parse: typeof parseSnippet) {
    super();
    const check = (d: vscode.TextDocument): void => this.check(d);
    this._registerAll(
      this.collection,
      vscode.workspace.onDidOpenTextDocument(check),
      vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    );
    vscode.workspace.textDocuments.forEach(check);
  }

  check(doc: vscode.TextDocument): void {
    if (!doc.fileName.endsWith(SNIPPET_SUFFIX)) return;
    const parsed = this.parse(doc.getText());
    const problems = parsed.ok ? parsed.warnings : parsed.problems;
    this.collection.set(
      doc.uri,
      problems.map((p) => {
        const start = doc.positionAt(p.offset ?? 0);
        const range = doc.getWordRangeAtPosition(start, /"[^"]*"|[^\s,:{}[\]]+/) ?? new vscode.Range(start, start.translate(0, 1));
        const d = new vscode.Diagnostic(
          range,
          p.message,
          p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
        );
        d.source = 'cPanel snippet';
        return d;
      }),
    );
  }
}
