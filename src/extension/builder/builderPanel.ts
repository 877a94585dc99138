import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { generate, LANGUAGE_NAMES, onServerCommand } from '../../core/codegen';
import { requestToSnippet, withSecretPlaceholders } from '../../core/snippets';
import { parseWebviewMessage, type BuilderState, type HostToWebview, type WebviewToHost } from '../../shared/protocol';
import { builderHtml, makeNonce } from './builderHtml';
import { functionSummaries, serverSummary, stateToRequest } from './builderModel';
import type { Services } from '../services';
import { verdictOf } from '../results/results';
import type { SnippetStore } from '../snippets/snippetStore';

export const BUILDER_VIEW_TYPE = 'cpanel.builder';

/**
 * The request builder panel. One at a time; reopening reveals it (with a new starting state when one
 * is given). The webview keeps its own form state (getState/setState), so a reload or a restart of
 * VS Code restores it through the serializer.
 */
export class BuilderPanel implements vscode.Disposable {
  private static current: BuilderPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private pendingState: BuilderState | undefined;
  private sending: AbortController | undefined;

  /** Ctrl/Cmd+Enter in the builder. */
  sendNow(): void {
    this.post({ type: 'sendNow' });
  }

  /** Escape while the builder's send runs. */
  cancelSend(): void {
    this.sending?.abort();
  }

  static createOrShow(extensionUri: vscode.Uri, s: Services, snippets: SnippetStore, start?: BuilderState): BuilderPanel {
    if (BuilderPanel.current) {
      BuilderPanel.current.panel.reveal();
      if (start) BuilderPanel.current.post({ type: 'init', servers: s.profiles.profiles().map(serverSummary), functions: functionSummaries(), state: start });
      return BuilderPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(BUILDER_VIEW_TYPE, 'Request Builder', vscode.ViewColumn.One, BuilderPanel.options(extensionUri));
    BuilderPanel.current = new BuilderPanel(panel, extensionUri, s, snippets, start);
    return BuilderPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, s: Services, snippets: SnippetStore): void {
    panel.webview.options = BuilderPanel.options(extensionUri);
    BuilderPanel.current?.dispose();
    BuilderPanel.current = new BuilderPanel(panel, extensionUri, s, snippets);
  }

  static get active(): BuilderPanel | undefined {
    return BuilderPanel.current;
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'dist', 'codicons'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly s: Services,
    private readonly snippets: SnippetStore,
    start?: BuilderState,
  ) {
    this.pendingState = start;
    const w = panel.webview;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'cpanel.svg');
    w.html = builderHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'builder.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'builder.css')).toString(),
      codiconUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'codicons', 'codicon.css')).toString(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      w.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      s.profiles.onDidChange(() => this.post({ type: 'servers', servers: s.profiles.profiles().map(serverSummary) })),
    );
  }

  private post(msg: HostToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  /** A message from the webview: validated, then handled; anything malformed is logged and ignored. */
  async receive(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.s.log.write('warn', 'builder', 'ignored a malformed message from the webview');
      return;
    }
    await this.handle(msg);
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'init', servers: this.s.profiles.profiles().map(serverSummary), functions: functionSummaries(), ...(this.pendingState ? { state: this.pendingState } : {}) });
        this.pendingState = undefined;
        return;
      case 'loadAccounts': {
        const p = this.s.profiles.get(msg.serverId);
        if (!p || p.service !== 'whm') return;
        const a = await this.s.accounts.get(p);
        this.post({ type: 'accounts', serverId: p.id, accounts: a.ok ? a.accounts.map((x) => ({ user: x.user, domain: x.domain })) : [], ...(a.ok ? {} : { error: a.error }) });
        return;
      }
      case 'send': {
        const p = this.s.profiles.get(msg.state.serverId);
        if (!p) return this.post({ type: 'notice', level: 'error', message: 'That server no longer exists: choose another.' });
        let request;
        try {
          request = stateToRequest(msg.state, p.service);
        } catch (e) {
          return this.post({ type: 'notice', level: 'error', message: e instanceof Error ? e.message : String(e) });
        }
        this.post({ type: 'sending' });
        // Escape (a keybinding while this send runs) cancels it.
        this.sending = new AbortController();
        void vscode.commands.executeCommand('setContext', 'cpanel.builderSending', true);
        const sent = await this.s.runner.run({ profile: p, request, origin: 'builder', beside: true, signal: this.sending.signal }).finally(() => {
          this.sending = undefined;
          void vscode.commands.executeCommand('setContext', 'cpanel.builderSending', false);
        });
        if (!sent) return this.post({ type: 'notice', level: 'info', message: 'Not sent.' });
        const r = sent.result;
        this.post({ type: 'result', result: { ok: r.ok, kind: r.kind, verdict: verdictOf(r.kind), status: r.status, ms: r.timings.totalMs, hint: r.hint, errors: r.errors } });
        return;
      }
      case 'sendGroup': {
        const p = this.s.profiles.get(msg.state.serverId);
        let request;
        try {
          request = stateToRequest(msg.state, p?.service ?? 'whm');
        } catch (e) {
          return this.post({ type: 'notice', level: 'error', message: e instanceof Error ? e.message : String(e) });
        }
        await this.s.sendToGroup?.(request);
        return;
      }
      case 'save': {
        const p = this.s.profiles.get(msg.state.serverId);
        if (!p) return this.post({ type: 'notice', level: 'error', message: 'Choose a server before saving.' });
        let snippet;
        try {
          snippet = requestToSnippet(p.label, stateToRequest(msg.state, p.service), undefined, (file) => {
            const ws = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
            return ws ? relative(ws.uri.fsPath, file).split(sep).join('/') : undefined;
          });
        } catch (e) {
          return this.post({ type: 'notice', level: 'error', message: e instanceof Error ? e.message : String(e) });
        }
        // Nothing secret is written to the workspace: a password typed here becomes an ${env:…} placeholder.
        const { snippet: safe, replaced } = withSecretPlaceholders(snippet);
        const uri = await this.snippets.saveNew(safe);
        if (uri) {
          const read = replaced.length ? ` ${replaced.map((x) => x.name).join(', ')} ${replaced.length === 1 ? 'is' : 'are'} read from ${replaced.map((x) => `\${env:${x.env}}`).join(', ')}, not written to the file.` : '';
          this.post({ type: 'notice', level: 'info', message: `Saved ${vscode.workspace.asRelativePath(uri)}.${read}` });
        }
        return;
      }
      case 'copy': {
        const p = this.s.profiles.get(msg.state.serverId);
        if (!p) return this.post({ type: 'notice', level: 'error', message: 'Choose a server first.' });
        let code: string;
        try {
          const req = stateToRequest(msg.state, p.service);
          code = msg.language === 'server' ? onServerCommand(p, req) : generate(msg.language, p, req);
        } catch (e) {
          return this.post({ type: 'notice', level: 'error', message: e instanceof Error ? e.message : String(e) });
        }
        await vscode.env.clipboard.writeText(code);
        const envs = /(?:Secrets|Secret parameters) come from the environment: (.*)\./.exec(code)?.[1] ?? 'none needed';
        const as = msg.language === 'server' ? 'the command on the server (run it as root)' : LANGUAGE_NAMES[msg.language];
        this.post({ type: 'notice', level: 'info', message: `Copied as ${as}. It reads its secrets from the environment: ${envs}.` });
        return;
      }
      case 'openDocs':
        await vscode.env.openExternal(vscode.Uri.parse(msg.url));
        return;
      case 'pickFile': {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFolders: false, openLabel: 'Upload', title: 'File to upload' });
        if (picked?.[0]) this.post({ type: 'file', index: msg.index, path: picked[0].fsPath });
        return;
      }
    }
  }

  dispose(): void {
    if (BuilderPanel.current === this) BuilderPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
