import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { generate, LANGUAGE_NAMES, onServerCommand } from '../../core/codegen';
import { requestToSnippet, withSecretPlaceholders } from '../../core/snippets';
import { parseWebviewMessage, type BuilderState, type ServerSummary, type HostToWebview, type WebviewToHost } from '../../shared/protocol';
import { functionSummaries, serverSummary, stateToRequest } from './builderModel';
import type { Services } from '../services';
import { verdictOf } from '../results/results';
import type { SnippetStore } from '../snippets/snippetStore';
import { WebviewHost } from '../webviews/webviewHost';
import { SendSlot } from './sendSlot';

export const BUILDER_VIEW_TYPE = 'cpanel.builder';

/**
 * The request builder panel. One at a time; reopening reveals it (with a new starting state when one
 * is given). The webview keeps its own form state (getState/setState), so a reload or a restart of
 * VS Code restores it through the serializer. One send at a time: each reply carries the seq of the
 * request it answers.
 */
export class BuilderPanel extends WebviewHost<WebviewToHost, HostToWebview> {
  private static current: BuilderPanel | undefined;
  private pendingState: BuilderState | undefined;
  private readonly sending = new SendSlot();

  /** Ctrl/Cmd+Enter in the builder. */
  sendNow(): void {
    this.post({ type: 'sendNow' });
  }

  /** Escape while the builder's send runs. */
  cancelSend(): void {
    this.sending.cancel();
  }

  static createOrShow(extensionUri: vscode.Uri, s: Services, snippets: SnippetStore, start?: BuilderState): BuilderPanel {
    if (BuilderPanel.current) {
      BuilderPanel.current.panel.reveal();
      if (start) BuilderPanel.current.post({ type: 'init', servers: serversFor(s), functions: functionSummaries(), state: start });
      return BuilderPanel.current;
    }
    const panel = WebviewHost.createPanel(BUILDER_VIEW_TYPE, 'Request Builder', vscode.ViewColumn.One, extensionUri);
    BuilderPanel.current = new BuilderPanel(panel, extensionUri, s, snippets, start);
    return BuilderPanel.current;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, s: Services, snippets: SnippetStore): void {
    BuilderPanel.current?.dispose();
    BuilderPanel.current = new BuilderPanel(panel, extensionUri, s, snippets);
  }

  static get active(): BuilderPanel | undefined {
    return BuilderPanel.current;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly s: Services,
    private readonly snippets: SnippetStore,
    start?: BuilderState,
  ) {
    const page = { script: 'builder.js', style: 'builder.css', title: 'cPanel Request Builder' };
    super(panel, { extensionUri, page, parse: parseWebviewMessage, log: s.log, component: 'builder' });
    this.pendingState = start;
    this._register(s.profiles.onDidChange(() => this.post({ type: 'servers', servers: serversFor(s) })));
    this._register({ dispose: () => BuilderPanel.current === this && (BuilderPanel.current = undefined) });
  }

  /** The notice that ends a request: with its seq, so the page puts it with the request that asked. */
  private notice(msg: WebviewToHost, level: 'info' | 'error', message: string): void {
    this.post({ type: 'notice', ...('seq' in msg && msg.seq !== undefined ? { seq: msg.seq } : {}), level, message });
  }

  protected failed(msg: WebviewToHost, message: string): void {
    this.notice(msg, 'error', message);
  }

  protected async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({
          type: 'init',
          servers: serversFor(this.s),
          functions: functionSummaries(),
          ...(this.pendingState ? { state: this.pendingState } : {}),
        });
        this.pendingState = undefined;
        return;
      case 'loadAccounts': {
        const p = this.s.profiles.get(msg.serverId);
        if (!p || p.service !== 'whm') return;
        const a = await this.s.accounts.get(p);
        const accounts = a.ok ? a.accounts.map((x) => ({ user: x.user, domain: x.domain })) : [];
        this.post({
          type: 'accounts',
          ...(msg.seq !== undefined ? { seq: msg.seq } : {}),
          serverId: p.id,
          accounts,
          ...(a.ok ? {} : { error: a.error }),
        });
        return;
      }
      case 'send':
        return this.send(msg);
      case 'cancel':
        this.sending.cancel(msg.seq);
        return;
      case 'sendGroup': {
        const p = this.s.profiles.get(msg.state.serverId);
        let request;
        try {
          request = stateToRequest(msg.state, p?.service ?? 'whm');
        } catch (e) {
          return this.notice(msg, 'error', e instanceof Error ? e.message : String(e));
        }
        await this.s.sendToGroup?.(request);
        return;
      }
      case 'runRows': {
        const p = this.s.profiles.get(msg.state.serverId);
        if (!p) return this.notice(msg, 'error', 'Choose a server before running the form for each row.');
        let snippet;
        try {
          snippet = requestToSnippet(p.label, stateToRequest(msg.state, p.service));
        } catch (e) {
          return this.notice(msg, 'error', e instanceof Error ? e.message : String(e));
        }
        await this.s.runForEachRow?.(snippet);
        return;
      }
      case 'save': {
        const p = this.s.profiles.get(msg.state.serverId);
        if (!p) return this.notice(msg, 'error', 'Choose a server before saving.');
        let snippet;
        try {
          snippet = requestToSnippet(p.label, stateToRequest(msg.state, p.service), undefined, (file) => {
            const ws = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
            return ws ? relative(ws.uri.fsPath, file).split(sep).join('/') : undefined;
          });
        } catch (e) {
          return this.notice(msg, 'error', e instanceof Error ? e.message : String(e));
        }
        // Nothing secret is written to the workspace: a password typed here becomes an ${env:…} placeholder.
        const { snippet: safe, replaced } = withSecretPlaceholders(snippet);
        const uri = await this.snippets.saveNew(safe);
        if (uri) {
          const read = replaced.length
            ? ` ${replaced.map((x) => x.name).join(', ')} ${replaced.length === 1 ? 'is' : 'are'} read from ${replaced.map((x) => `\${env:${x.env}}`).join(', ')}, not written to the file.`
            : '';
          this.notice(msg, 'info', `Saved ${vscode.workspace.asRelativePath(uri)}.${read}`);
        }
        return;
      }
      case 'copy': {
        const p = this.s.profiles.get(msg.state.serverId);
        if (!p) return this.notice(msg, 'error', 'Choose a server first.');
        let code: string;
        try {
          const req = stateToRequest(msg.state, p.service);
          code = msg.language === 'server' ? onServerCommand(p, req) : generate(msg.language, p, req);
        } catch (e) {
          return this.notice(msg, 'error', e instanceof Error ? e.message : String(e));
        }
        await vscode.env.clipboard.writeText(code);
        const envs = /(?:Secrets|Secret parameters) come from the environment: (.*)\./.exec(code)?.[1] ?? 'none needed';
        const as = msg.language === 'server' ? 'the command on the server (run it as root)' : LANGUAGE_NAMES[msg.language];
        this.notice(msg, 'info', `Copied as ${as}. It reads its secrets from the environment: ${envs}.`);
        return;
      }
      case 'openDocs':
        await vscode.env.openExternal(vscode.Uri.parse(msg.url));
        return;
      case 'pickFile': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          canSelectFolders: false,
          openLabel: 'Upload',
          title: 'File to upload',
        });
        if (picked?.[0])
          this.post({ type: 'file', ...(msg.seq !== undefined ? { seq: msg.seq } : {}), index: msg.index, path: picked[0].fsPath });
        return;
      }
    }
  }

  /** One send at a time: a second one while the first runs is refused, and says so. */
  private async send(msg: Extract<WebviewToHost, { type: 'send' }>): Promise<void> {
    const p = this.s.profiles.get(msg.state.serverId);
    if (!p) return this.notice(msg, 'error', 'That server no longer exists: choose another.');
    let request;
    try {
      request = stateToRequest(msg.state, p.service);
    } catch (e) {
      return this.notice(msg, 'error', e instanceof Error ? e.message : String(e));
    }
    const ticket = this.sending.take(msg.seq);
    if (!ticket) return this.notice(msg, 'info', 'A send is already running: wait for its answer, or cancel it (Escape).');
    const seq = msg.seq !== undefined ? { seq: msg.seq } : {};
    this.post({ type: 'sending', ...seq });
    // Escape (a keybinding while this send runs) cancels it.
    void vscode.commands.executeCommand('setContext', 'cpanel.builderSending', true);
    let sent;
    try {
      sent = await this.s.runner.run({ profile: p, request, origin: 'builder', beside: true, signal: ticket.signal });
    } finally {
      // Only this send's own end frees the slot: it cannot clear another send's state.
      if (this.sending.release(ticket)) void vscode.commands.executeCommand('setContext', 'cpanel.builderSending', false);
    }
    if (!sent) return this.notice(msg, 'info', 'Not sent.');
    const r = sent.result;
    const hint = r.hint ? { hint: r.hint } : {};
    const result = {
      ok: r.ok,
      kind: r.kind,
      verdict: verdictOf(r.kind),
      status: r.status,
      ms: r.timings.totalMs,
      ...hint,
      errors: r.errors,
    };
    this.post({ type: 'result', ...seq, result });
  }
}

/** The servers the builder offers, the active one (the status bar's) first: a new form starts on it. */
function serversFor(s: Services): ServerSummary[] {
  const active = s.activeServerId?.();
  const all = s.profiles.profiles();
  return [...all.filter((p) => p.id === active), ...all.filter((p) => p.id !== active)].map(serverSummary);
}
