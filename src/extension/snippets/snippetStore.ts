import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import { parseSnippet, serializeSnippet, snippetFileName, SNIPPET_SUFFIX, type ParsedSnippet, type Snippet } from '../../core/snippets';
import { CONFIG, CONTEXT_SNIPPET_COUNT } from '../constants';
import { Settings } from '../settings';

export interface SnippetFile {
  uri: vscode.Uri;
  parsed: ParsedSnippet;
}

/** Request snippets: one *.cpanel.json per request, in the configured folder of each workspace folder. */
export class SnippetStore extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor() {
    super();
    const watcher = vscode.workspace.createFileSystemWatcher(`**/*${SNIPPET_SUFFIX}`);
    const fire = (): void => this._onDidChange.fire();
    this._registerAll(
      watcher,
      watcher.onDidCreate(fire),
      watcher.onDidChange(fire),
      watcher.onDidDelete(fire),
      vscode.workspace.onDidChangeWorkspaceFolders(fire),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${CONFIG}.snippets.folder`) && fire()),
      vscode.workspace.onDidSaveTextDocument((d) => d.fileName.endsWith(SNIPPET_SUFFIX) && fire()),
      // The walkthrough ticks "Save a call as a snippet" once there is one, not when the view is merely shown.
      this.onDidChange(() => void this.uris().then((u) => setSnippetCount(u.length))),
    );
  }

  folder(ws?: vscode.WorkspaceFolder): string {
    const f = Settings.snippetsFolder(ws?.uri);
    // Relative to the workspace folder, and never above it.
    return (
      f
        .replace(/\\/g, '/')
        .split('/')
        .filter((x) => x && x !== '.' && x !== '..')
        .join('/') || '.vscode/cpanel'
    );
  }

  async list(): Promise<SnippetFile[]> {
    const out: SnippetFile[] = [];
    for (const uri of await this.uris()) out.push({ uri, parsed: await this.read(uri) });
    setSnippetCount(out.length);
    return out;
  }

  /** The snippet files of every workspace folder, in path order within each. */
  private async uris(): Promise<vscode.Uri[]> {
    const out: vscode.Uri[] = [];
    for (const ws of vscode.workspace.workspaceFolders ?? []) {
      const uris = await vscode.workspace.findFiles(
        new vscode.RelativePattern(ws, `${this.folder(ws)}/**/*${SNIPPET_SUFFIX}`),
        '**/node_modules/**',
        1000,
      );
      out.push(...uris.sort((a, b) => a.path.localeCompare(b.path)));
    }
    return out;
  }

  async read(uri: vscode.Uri): Promise<ParsedSnippet> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    try {
      const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      return parseSnippet(text);
    } catch {
      return { ok: false, problems: [{ message: 'The file cannot be read.', severity: 'error' }] };
    }
  }

  /** Asks for a file name in the snippets folder, writes the snippet and opens it. */
  async saveNew(snippet: Snippet): Promise<vscode.Uri | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!folders.length) {
      void vscode.window.showErrorMessage('Open a folder first: snippets are saved in the workspace.');
      return undefined;
    }
    const ws =
      folders.length === 1
        ? folders[0]!
        : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Save the snippet in which folder?' });
    if (!ws) return undefined;
    const name = await vscode.window.showInputBox({
      title: 'Save as Snippet',
      prompt: `File name in ${this.folder(ws)}/`,
      value: snippetFileName(snippet),
      valueSelection: [0, snippetFileName(snippet).length - SNIPPET_SUFFIX.length],
      validateInput: (v) => (/^[\w.-]+$/.test(v.trim()) ? null : 'Use letters, digits, dots, dashes and underscores.'),
      // Asked from the builder or a result view, which takes the focus back a moment later.
      ignoreFocusOut: true,
    });
    if (!name) return undefined;
    const file = name.trim().endsWith(SNIPPET_SUFFIX) ? name.trim() : `${name.trim().replace(/\.json$/, '')}${SNIPPET_SUFFIX}`;
    const uri = vscode.Uri.joinPath(ws.uri, ...this.folder(ws).split('/'), file);
    try {
      await vscode.workspace.fs.stat(uri);
      const overwrite = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(uri)} exists. Replace it?`,
        { modal: true },
        'Replace',
      );
      if (overwrite !== 'Replace') return undefined;
    } catch {
      /* a new file */
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(serializeSnippet(snippet)));
    this._onDidChange.fire();
    await vscode.window.showTextDocument(uri, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return uri;
  }
}

function setSnippetCount(n: number): void {
  void vscode.commands.executeCommand('setContext', CONTEXT_SNIPPET_COUNT, n);
}
