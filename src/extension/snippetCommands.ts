import * as vscode from 'vscode';
import { resolveSnippet } from '../core/requestRun';
import { envRefs, snippetRequest, SNIPPET_SUFFIX, type Snippet } from '../core/snippets';
import { BuilderPanel } from './builderPanel';
import { functionState, requestToState } from './builderModel';
import type { Sent, Services } from './commands';
import { Commands } from './constants';
import type { TreeNode } from './serversTree';
import type { SnippetFile, SnippetStore } from './snippetStore';
import type { SnippetsTree } from './snippetViews';

/** Commands around snippets and the request builder. */
export class SnippetCommands {
  constructor(
    private readonly s: Services,
    private readonly store: SnippetStore,
    private readonly tree: SnippetsTree,
    private readonly extensionUri: vscode.Uri,
  ) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    return [
      r(Commands.builderOpen, () => BuilderPanel.createOrShow(this.extensionUri, this.s, this.store)),
      r(Commands.functionOpenInBuilder, (n?: TreeNode) => this.openFunctionInBuilder(n)),
      r(Commands.snippetSend, (target?: vscode.Uri | SnippetFile) => this.send(target)),
      r(Commands.snippetOpenInBuilder, (target?: vscode.Uri | SnippetFile) => this.openInBuilder(target)),
      r(Commands.snippetRename, (f?: SnippetFile) => this.rename(f)),
      r(Commands.snippetDelete, (f?: SnippetFile) => this.delete(f)),
      r(Commands.snippetsRefresh, () => this.tree.refresh()),
    ];
  }

  private uriOf(target: vscode.Uri | SnippetFile | undefined): vscode.Uri | undefined {
    if (target instanceof vscode.Uri) return target;
    if (target && 'uri' in target) return target.uri;
    const active = vscode.window.activeTextEditor?.document.uri;
    return active?.path.endsWith(SNIPPET_SUFFIX) ? active : undefined;
  }

  private async load(target: vscode.Uri | SnippetFile | undefined): Promise<{ uri: vscode.Uri; snippet: Snippet } | undefined> {
    const uri = this.uriOf(target);
    if (!uri) {
      void vscode.window.showInformationMessage('Open a *.cpanel.json snippet, or choose one in the Snippets view.');
      return undefined;
    }
    const parsed = await this.store.read(uri);
    if (!parsed.ok) {
      void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(uri)} has problems: ${parsed.problems.map((p) => p.message).join(' ')}`);
      return undefined;
    }
    return { uri, snippet: parsed.snippet };
  }

  /**
   * Sends a snippet through the runner, which asks in Restricted Mode (a cloned repository chose this
   * call, not you) and before anything destructive. Placeholders missing from VS Code's environment
   * are asked for once and never stored.
   */
  async send(target?: vscode.Uri | SnippetFile): Promise<Sent | undefined> {
    const loaded = await this.load(target);
    if (!loaded) return undefined;
    const { uri, snippet } = loaded;
    if (!this.s.profiles.profiles().some((p) => p.label === snippet.server)) {
      void vscode.window
        .showErrorMessage(`No server is labelled "${snippet.server}". Add one with that label, or change "server" in the snippet.`, 'Add Server…')
        .then((add) => add && vscode.commands.executeCommand(Commands.serverAdd));
      return undefined;
    }
    const values = new Map<string, string>();
    for (const name of envRefs(snippet)) {
      const v =
        process.env[name] ??
        (await vscode.window.showInputBox({ title: `Value for \${env:${name}}`, prompt: `${name} is not set in VS Code's environment: type its value (used once, not stored).`, password: true, ignoreFocusOut: true }));
      if (v === undefined) return undefined;
      values.set(name, v);
    }
    const resolved = resolveSnippet(snippet, this.s.profiles.profiles(), (n) => values.get(n));
    if (!resolved.ok) {
      void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(uri)}: ${resolved.message}`);
      return undefined;
    }
    return this.s.runner.run({ ...resolved.target, origin: 'snippet', untrustedSource: vscode.workspace.asRelativePath(uri) });
  }

  async openInBuilder(target?: vscode.Uri | SnippetFile): Promise<void> {
    const loaded = await this.load(target);
    if (!loaded) return;
    const { snippet } = loaded;
    const profile = this.s.profiles.profiles().find((p) => p.label === snippet.server);
    const state = requestToState(profile?.id ?? '', snippetRequest(snippet, (n) => `\${env:${n}}`));
    BuilderPanel.createOrShow(this.extensionUri, this.s, this.store, state);
  }

  private openFunctionInBuilder(n?: TreeNode): void {
    if (n?.kind !== 'function') {
      BuilderPanel.createOrShow(this.extensionUri, this.s, this.store);
      return;
    }
    BuilderPanel.createOrShow(this.extensionUri, this.s, this.store, functionState(n.profile.id, n.fn.family, n.fn.name, n.asUser));
  }

  private async rename(f?: SnippetFile): Promise<void> {
    if (!f) return;
    const old = f.uri.path.split('/').pop()!;
    const name = await vscode.window.showInputBox({
      title: 'Rename Snippet',
      value: old,
      valueSelection: [0, old.length - SNIPPET_SUFFIX.length],
      validateInput: (v) => (/^[\w.-]+$/.test(v.trim()) ? null : 'Use letters, digits, dots, dashes and underscores.'),
    });
    if (!name || name === old) return;
    const file = name.trim().endsWith(SNIPPET_SUFFIX) ? name.trim() : `${name.trim()}${SNIPPET_SUFFIX}`;
    await vscode.workspace.fs.rename(f.uri, vscode.Uri.joinPath(f.uri, '..', file), { overwrite: false });
    this.tree.refresh();
  }

  private async delete(f?: SnippetFile): Promise<void> {
    if (!f) return;
    const ok = await vscode.window.showWarningMessage(`Delete ${vscode.workspace.asRelativePath(f.uri)}?`, { modal: true }, 'Delete');
    if (ok !== 'Delete') return;
    await vscode.workspace.fs.delete(f.uri, { useTrash: true });
    this.tree.refresh();
  }
}
