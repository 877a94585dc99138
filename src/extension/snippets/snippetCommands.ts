import * as vscode from 'vscode';
import { ENVIRONMENTS_FILE } from '../../core/environments';
import { snippetRequest, SNIPPET_SUFFIX, type Snippet } from '../../core/snippets';
import { BuilderPanel } from '../builder/builderPanel';
import { functionState, requestToState } from '../builder/builderModel';
import type { Sent, Services } from '../services';
import { Commands } from '../constants';
import type { EnvironmentStore } from '../environments/environmentStore';
import type { TreeNode } from '../servers/serversTree';
import type { SnippetOutcome, SnippetRuns } from './snippetRuns';
import type { SnippetFile, SnippetStore } from './snippetStore';
import type { SnippetsTree } from './snippetViews';

/** Commands around snippets and the request builder. */
export class SnippetCommands {
  constructor(
    private readonly s: Services,
    private readonly store: SnippetStore,
    private readonly tree: SnippetsTree,
    private readonly extensionUri: vscode.Uri,
    private readonly envs: EnvironmentStore,
    private readonly runs: SnippetRuns,
  ) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    return [
      r(Commands.builderOpen, () => BuilderPanel.createOrShow(this.extensionUri, this.s, this.store)),
      r(Commands.builderSend, () => BuilderPanel.active?.sendNow()),
      r(Commands.builderCancel, () => BuilderPanel.active?.cancelSend()),
      r(Commands.functionOpenInBuilder, (n?: TreeNode) => this.openFunctionInBuilder(n)),
      r(Commands.snippetSend, (target?: vscode.Uri | SnippetFile) => this.send(target)),
      r(Commands.snippetOpenInBuilder, (target?: vscode.Uri | SnippetFile) => this.openInBuilder(target)),
      r(Commands.snippetSendToGroup, (target?: vscode.Uri | SnippetFile) => this.sendToGroup(target)),
      r(Commands.snippetRename, (f?: SnippetFile) => this.rename(f)),
      r(Commands.snippetDelete, (f?: SnippetFile) => this.delete(f)),
      r(Commands.snippetsRefresh, () => this.tree.refresh()),
      r(Commands.snippetsRunFolder, (target?: vscode.Uri | SnippetFile) => this.runFolder(target)),
      r(Commands.environmentSelect, () => this.selectEnvironment()),
      r(Commands.environmentSetSecret, () => this.setEnvironmentSecret()),
      r(Commands.environmentClearCaptured, () => this.clearCaptured()),
    ];
  }

  /** Runs every snippet in the folder of the one given (or of the active editor), in file-name order, captures carried along. */
  async runFolder(target?: vscode.Uri | SnippetFile): Promise<SnippetOutcome[] | undefined> {
    const uri = this.uriOf(target);
    if (!uri) {
      void vscode.window.showInformationMessage('Choose a snippet in the Snippets view: its folder is run.');
      return undefined;
    }
    const dir = uri.path.slice(0, uri.path.lastIndexOf('/') + 1);
    const files = (await this.store.list()).filter((f) => f.uri.path.startsWith(dir) && !f.uri.path.slice(dir.length).includes('/'));
    const broken = files.filter((f) => !f.parsed.ok);
    if (broken.length) {
      void vscode.window.showErrorMessage(
        `${broken.map((f) => vscode.workspace.asRelativePath(f.uri)).join(', ')} ${broken.length > 1 ? 'have' : 'has'} problems: fix them first.`,
      );
      return undefined;
    }
    const shownDir = vscode.workspace.asRelativePath(vscode.Uri.joinPath(uri, '..'));
    const outcomes = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running the snippets in ${shownDir}`, cancellable: true },
      (progress, token) =>
        this.runs.runSequence(
          files.map((f) => ({ uri: f.uri, snippet: (f.parsed as { snippet: Snippet }).snippet })),
          { token, started: (u) => progress.report({ message: vscode.workspace.asRelativePath(u) }) },
        ),
    );
    const failed = outcomes.filter((o) => !o.pass);
    const summary = `${shownDir}: ${outcomes.length - failed.length} passed, ${failed.length} failed${failed.length ? ` (${failed.map((o) => `${vscode.workspace.asRelativePath(o.uri)}: ${o.notSent ?? o.checks.find((c) => !c.pass)?.message ?? o.result?.hint ?? 'failed'}`).join('; ')})` : ''}`;
    if (failed.length) void vscode.window.showErrorMessage(summary);
    else void vscode.window.showInformationMessage(summary);
    return outcomes;
  }

  async selectEnvironment(): Promise<void> {
    await this.envs.ready;
    if (!this.envs.file) {
      const create = await vscode.window.showInformationMessage(
        `No environments file in this workspace yet. Create ${ENVIRONMENTS_FILE} with a first environment to edit?`,
        'Create',
      );
      if (create) await this.createEnvironmentsFile();
      return;
    }
    if (this.envs.fileProblems.length) {
      void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(this.envs.file)}: ${this.envs.fileProblems.join(' ')}`);
      return;
    }
    const current = this.envs.active?.name;
    const items = [
      ...this.envs.environments().map((e) => ({
        label: e.name,
        description: e.name === current ? 'active' : '',
        detail: Object.keys(e.variables).join(', ') || 'no variables',
        name: e.name as string | undefined,
      })),
      {
        label: 'No environment',
        description: current === undefined ? 'active' : '',
        detail: 'Snippets see only what earlier snippets captured',
        name: undefined,
      },
    ];
    const chosen = await vscode.window.showQuickPick(items, {
      title: 'cPanel environment for snippets',
      placeHolder: current ? `Now: ${current}` : 'Now: none',
    });
    if (!chosen) return;
    await this.envs.setActive(chosen.name);
  }

  /** Writes a starting environments file (never over an existing one) and opens it. */
  async createEnvironmentsFile(): Promise<vscode.Uri | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder first: environments live in the workspace, beside its snippets.');
      return undefined;
    }
    const uri = vscode.Uri.joinPath(folder.uri, ENVIRONMENTS_FILE);
    const exists = await vscode.workspace.fs.stat(uri).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const server = this.s.profiles.profiles()[0]?.label ?? 'my-server';
      const text = `${JSON.stringify({ environments: { staging: { server, mailbox: 'test1' }, production: { server, mailbox: 'info' } } }, null, 2)}\n`;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    }
    await vscode.window.showTextDocument(uri);
    return uri;
  }

  async setEnvironmentSecret(): Promise<void> {
    await this.envs.ready;
    const env = this.envs.active;
    if (!env) {
      void vscode.window.showInformationMessage('Choose an environment first (cPanel: Select Environment).');
      return;
    }
    const secretVars = Object.entries(env.variables)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => k);
    if (!secretVars.length) {
      void vscode.window.showInformationMessage(`The environment "${env.name}" has no secret variables: write one as {"secret": true}.`);
      return;
    }
    const name =
      secretVars.length === 1
        ? secretVars[0]
        : await vscode.window.showQuickPick(secretVars, { title: `Secret of ${env.name} to set`, ignoreFocusOut: true });
    if (!name) return;
    const value = await vscode.window.showInputBox({
      title: `${env.name}: ${name}`,
      prompt: "Stored in VS Code's secret storage for this environment, never in a file.",
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    await this.envs.storeSecret(env.name, name, value);
    void vscode.window.showInformationMessage(`${env.name}: ${name} is stored in VS Code's secret storage.`);
  }

  clearCaptured(): void {
    const n = this.envs.capturedNames().length;
    this.envs.clearCaptured();
    void vscode.window.showInformationMessage(n ? `Forgot ${n} captured value${n > 1 ? 's' : ''}.` : 'No values were captured.');
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
      void vscode.window.showErrorMessage(
        `${vscode.workspace.asRelativePath(uri)} has problems: ${parsed.problems.map((p) => p.message).join(' ')}`,
      );
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
    if (!snippet.server.includes('${') && !this.s.profiles.profiles().some((p) => p.label === snippet.server)) {
      void vscode.window
        .showErrorMessage(
          `No server is labelled "${snippet.server}". Add one with that label, or change "server" in the snippet.`,
          'Add Server…',
        )
        .then((add) => add && vscode.commands.executeCommand(Commands.serverAdd));
      return undefined;
    }
    const o = await this.runs.sendOne(uri, snippet);
    if (o?.notSent && !o.declined) void vscode.window.showErrorMessage(o.notSent);
    return o?.result && o.resultUri && o.resultId !== undefined
      ? { result: o.result, uri: o.resultUri, id: o.resultId, checks: o.checks }
      : undefined;
  }

  /** The snippet's request to every server of a group (its own "server" aside), confirmed as any fan-out is. */
  async sendToGroup(target?: vscode.Uri | SnippetFile): Promise<unknown> {
    const loaded = await this.load(target);
    if (!loaded) return undefined;
    const r = await this.runs.requestFor(loaded.uri, loaded.snippet);
    if (!r) return undefined;
    if ('error' in r) {
      void vscode.window.showErrorMessage(r.error);
      return undefined;
    }
    return this.s.sendToGroup?.(r.request, vscode.workspace.asRelativePath(loaded.uri));
  }

  async openInBuilder(target?: vscode.Uri | SnippetFile): Promise<void> {
    const loaded = await this.load(target);
    if (!loaded) return;
    const { snippet } = loaded;
    const profile = this.s.profiles.profiles().find((p) => p.label === snippet.server);
    // Placeholders stay as written: the builder shows them, and the person fills them in there.
    const keep = { get: (n: string) => `\${${n}}`, row: (c: string) => `\${row.${c}}` };
    let request;
    try {
      request = snippetRequest(snippet, (n) => `\${env:${n}}`, keep, vscode.workspace.getWorkspaceFolder(loaded.uri)?.uri.fsPath);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `${vscode.workspace.asRelativePath(loaded.uri)} cannot open in the builder: ${e instanceof Error ? e.message : String(e)}`,
      );
      return;
    }
    const state = requestToState(profile?.id ?? '', request);
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
