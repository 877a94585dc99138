import * as vscode from 'vscode';
import { neutralize } from '../../core/terminalText';
import type { Snippet } from '../../core/snippets';
import { Disposable } from '../lifecycle';
import type { SnippetOutcome, SnippetRuns } from './snippetRuns';
import type { SnippetStore } from './snippetStore';

/**
 * Snippets with `expect` in VS Code's Testing view: a test per snippet under its folder. A run
 * sends the chosen snippets in file-name order, each seeing what the ones before it captured, and
 * reports each failed check at its line in the file.
 */
export class SnippetTests extends Disposable {
  readonly controller = this._register(vscode.tests.createTestController('cpanel.snippets', 'cPanel snippets'));
  private readonly snippets = new Map<string, { uri: vscode.Uri; snippet: Snippet }>();

  constructor(
    private readonly store: SnippetStore,
    private readonly runs: SnippetRuns,
  ) {
    super();
    this.controller.resolveHandler = async () => this.refresh();
    this.controller.refreshHandler = async () => this.refresh();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    this._register(store.onDidChange(() => void this.refresh()));
  }

  async refresh(): Promise<void> {
    const files = (await this.store.list()).filter((f) => f.parsed.ok && f.parsed.snippet.expect?.length);
    this.snippets.clear();
    const folders = new Map<string, vscode.TestItem>();
    for (const f of files) {
      if (!f.parsed.ok) continue;
      const rel = vscode.workspace.asRelativePath(f.uri);
      const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.';
      let folder = folders.get(dir);
      if (!folder) {
        folder = this.controller.createTestItem(`folder:${dir}`, dir);
        folder.sortText = dir;
        folders.set(dir, folder);
      }
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      const item = this.controller.createTestItem(f.uri.toString(), name, f.uri);
      item.range = await expectRange(f.uri);
      item.sortText = name;
      // No description: the Testing view reads a description out instead of the label, and the file name is what tells snippets apart.
      folder.children.add(item);
      this.snippets.set(item.id, { uri: f.uri, snippet: f.parsed.snippet });
    }
    this.controller.items.replace([...folders.values()]);
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    const chosen: vscode.TestItem[] = [];
    const add = (item: vscode.TestItem): void => {
      if (request.exclude?.includes(item)) return;
      if (this.snippets.has(item.id)) chosen.push(item);
      item.children.forEach(add);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    for (const item of chosen) run.enqueued(item);
    const byUri = new Map(chosen.map((i) => [this.snippets.get(i.id)!.uri.toString(), i]));
    const done = new Set<vscode.TestItem>();
    try {
      await this.runs.runSequence(
        chosen.map((i) => this.snippets.get(i.id)!),
        {
          token,
          started: (uri) => {
            const item = byUri.get(uri.toString());
            if (item) run.started(item);
          },
          finished: (o) => {
            const item = byUri.get(o.uri.toString());
            if (item) {
              report(run, item, o);
              done.add(item);
            }
          },
        },
      );
    } finally {
      for (const item of chosen) if (!done.has(item)) run.skipped(item);
      run.end();
    }
  }
}

function report(run: vscode.TestRun, item: vscode.TestItem, o: SnippetOutcome): void {
  // The Testing view's output: what was sent, what came back, and each check (terminal lines: CRLF).
  const lines = [
    `${item.label}`,
    ...(o.result
      ? [
          `  ${o.result.request.method} ${o.result.request.url}`,
          `  ${o.result.ok ? 'OK' : o.result.kind} · HTTP ${o.result.status || '—'} · ${o.result.timings.totalMs} ms${o.result.ok ? '' : ` · ${o.result.hint ?? ''}`}`,
        ]
      : []),
    ...(o.notSent ? [`  not sent: ${o.notSent}`] : []),
    ...o.checks.map((c) => `  ${c.pass ? '✓' : '✗'} expect[${c.index}] ${c.label}${c.pass ? '' : `: ${c.message ?? 'failed'}`}`),
  ];
  run.appendOutput(`${lines.map(printable).join('\r\n')}\r\n\r\n`, undefined, item);
  if (o.notSent) {
    run.errored(item, new vscode.TestMessage(o.notSent), o.ms);
    return;
  }
  if (o.pass) {
    run.passed(item, o.ms);
    return;
  }
  const messages = o.checks
    .filter((c) => !c.pass)
    .map((c) => {
      const m = new vscode.TestMessage(`expect[${c.index}] ${c.label}: ${c.message ?? 'failed'}`);
      if (item.uri && item.range) m.location = new vscode.Location(item.uri, item.range);
      return m;
    });
  if (!messages.length) messages.push(new vscode.TestMessage(o.result?.hint ?? `The call failed (${o.result?.kind ?? 'not sent'}).`));
  run.failed(item, messages, o.ms);
}

/** The line of "expect" in a snippet file, where the Testing view marks the test. */
async function expectRange(uri: vscode.Uri): Promise<vscode.Range | undefined> {
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const at = text.indexOf('"expect"');
    if (at < 0) return undefined;
    const line = text.slice(0, at).split('\n').length - 1;
    return new vscode.Range(line, 0, line, 0);
  } catch {
    return undefined;
  }
}

/** The Testing view's output is a terminal: a server's text goes there with its control characters shown, not run. */
function printable(line: string): string {
  return neutralize(line);
}
