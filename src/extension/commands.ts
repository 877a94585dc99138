import * as vscode from 'vscode';
import type { ApiRequest } from '../core/api/request';
import { Catalog, type CatalogFunction } from '../core/catalog';
import { secondsLeftInStep, totpCode } from '../core/otp';
import type { ApiResult } from '../core/result';
import { describeServer, requiredSecrets, SERVICE_NAMES, type ServerProfile } from '../core/servers';
import { offerPin } from './certificates';
import type { ClientRegistry } from './clients';
import { Commands } from './constants';
import type { Log } from './log';
import type { ProfileStore } from './profileStore';
import { planRequest, type PlannedRequest, type SendStart } from './requestFlow';
import type { ResultDocuments } from './results';
import type { SecretStore } from './secretStore';
import { askSecrets, serverWizard } from './serverWizard';
import type { Node, ServersTree } from './serversTree';

export interface Services {
  profiles: ProfileStore;
  secrets: SecretStore;
  clients: ClientRegistry;
  results: ResultDocuments;
  tree: ServersTree;
  log: Log;
}

/** What a command hands back to callers (and tests): the last result and where it opened. */
export interface Sent {
  result: ApiResult;
  uri: vscode.Uri;
}

export class CommandHandlers {
  private last: PlannedRequest | undefined;

  constructor(private readonly s: Services) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    return [
      r(Commands.serverAdd, () => this.addServer()),
      r(Commands.serverEdit, (n?: Node) => this.editServer(n)),
      r(Commands.serverRemove, (n?: Node) => this.removeServer(n)),
      r(Commands.serverSetSecrets, (n?: Node) => this.setSecrets(n)),
      r(Commands.serverTest, (n?: Node) => this.testConnection(n)),
      r(Commands.serverSignOut, (n?: Node) => this.signOut(n)),
      r(Commands.serverShowTotp, (n?: Node) => this.showTotp(n)),
      r(Commands.serverOpenInBrowser, (n?: Node) => this.openInBrowser(n)),
      r(Commands.serversRefresh, () => this.s.tree.refresh()),
      r(Commands.functionFind, () => this.findFunction()),
      r(Commands.functionSend, (n?: Node) => this.sendFromNode(n)),
      r(Commands.functionCopyName, (n?: Node) => this.copyName(n?.kind === 'function' ? n.fn : undefined)),
      r(Commands.functionOpenDocs, (n?: Node) => this.openDocs(n?.kind === 'function' ? n.fn : undefined)),
      r(Commands.requestSend, (start?: SendStart | PlannedRequestArg) => this.sendRequest(start)),
      r(Commands.requestRerun, () => this.rerun()),
      r(Commands.resultShowRaw, (uri?: vscode.Uri) => this.s.results.showRaw(uri ?? vscode.window.activeTextEditor?.document.uri)),
      r(Commands.logShow, () => this.s.log.channel.show()),
    ];
  }

  // ── servers ──────────────────────────────────────────────────────────────

  async addServer(): Promise<ServerProfile | undefined> {
    const w = await serverWizard();
    if (!w) return undefined;
    await this.s.secrets.set(w.profile.id, w.secrets);
    await this.s.profiles.save(w.profile);
    void vscode.window
      .showInformationMessage(`Added ${w.profile.label} (${describeServer(w.profile)}).`, 'Test Connection')
      .then((test) => test && this.testConnection({ kind: 'server', profile: w.profile, problems: [] }));
    return w.profile;
  }

  private async serverFrom(n: Node | undefined, purpose: string, filter: (p: ServerProfile) => boolean = () => true): Promise<ServerProfile | undefined> {
    if (n && 'profile' in n) return this.s.profiles.get(n.profile.id) ?? n.profile;
    const all = this.s.profiles.profiles().filter(filter);
    if (!all.length) {
      void vscode.window.showInformationMessage(`No server to ${purpose}.`);
      return undefined;
    }
    if (all.length === 1) return all[0];
    const chosen = await vscode.window.showQuickPick(
      all.map((p) => ({ label: p.label, description: describeServer(p), p })),
      { title: `Server to ${purpose}` },
    );
    return chosen?.p;
  }

  async editServer(n?: Node): Promise<void> {
    const existing = n?.kind === 'server' && n.problems.length ? n.profile : await this.serverFrom(n, 'edit');
    if (!existing) return;
    const stored = await this.s.secrets.get(existing.id);
    const w = await serverWizard(existing, stored);
    if (!w) return;
    await this.s.secrets.delete(w.profile.id, requiredSecrets(w.profile));
    await this.s.secrets.set(w.profile.id, w.secrets);
    await this.s.profiles.save(w.profile);
  }

  async removeServer(n?: Node): Promise<void> {
    const p = n?.kind === 'server' ? n.profile : await this.serverFrom(n, 'remove');
    if (!p) return;
    const ok = await vscode.window.showWarningMessage(`Remove ${p.label} (${describeServer(p)}) and its stored credentials?`, { modal: true }, 'Remove');
    if (ok !== 'Remove') return;
    this.s.clients.drop(p.id);
    await this.s.secrets.delete(p.id);
    await this.s.profiles.remove(p.id);
  }

  async setSecrets(n?: Node): Promise<void> {
    const p = await this.serverFrom(n, 'set credentials for');
    if (!p) return;
    try {
      const secrets = await askSecrets(p, await this.s.secrets.get(p.id));
      await this.s.secrets.set(p.id, secrets);
      void vscode.window.showInformationMessage(`Credentials for ${p.label} stored in VS Code's secret storage.`);
    } catch {
      /* cancelled */
    }
  }

  async testConnection(n?: Node): Promise<ApiResult | undefined> {
    const p = await this.serverFrom(n, 'test');
    if (!p) return undefined;
    const req: ApiRequest =
      p.service === 'whm' ? { family: 'whm', function: 'version', params: [] } : { family: 'uapi', module: 'Variables', function: 'get_user_information', params: [] };
    const r = await this.callWithPin(p, req, `Testing ${p.label}…`);
    if (!r) return undefined;
    if (r.result.ok) {
      const version = (r.result.data as { version?: string } | null)?.version;
      void vscode.window.showInformationMessage(`Connected to ${r.profile.label} as ${p.username}${version ? `: cPanel & WHM ${version}` : ''} (${r.result.timings.totalMs} ms).`);
    } else {
      void this.explainFailure(r.profile, r.result);
    }
    return r.result;
  }

  async signOut(n?: Node): Promise<void> {
    const p = await this.serverFrom(n, 'sign out of', (x) => x.auth === 'session');
    if (!p) return;
    await (await this.s.clients.get(p)).signOut();
    void vscode.window.showInformationMessage(`Signed out of ${p.label}.`);
  }

  async showTotp(n?: Node): Promise<void> {
    const p = await this.serverFrom(n, 'show a two-factor code for', (x) => x.twoFactor !== 'none');
    if (!p) return;
    const secret = (await this.s.secrets.get(p.id)).totpSecret;
    if (!secret) {
      void vscode.window.showWarningMessage(`No two-factor secret is stored for ${p.label}: use "Set Credentials…".`);
      return;
    }
    const now = Date.now() / 1000;
    await vscode.env.clipboard.writeText(totpCode(secret, now));
    // The code itself is not shown: it is a credential, and it is on the clipboard.
    void vscode.window.showInformationMessage(`The two-factor code for ${p.username} on ${p.label} is on the clipboard; it is valid for ${Math.floor(secondsLeftInStep(now))} more seconds.`);
  }

  async openInBrowser(n?: Node): Promise<void> {
    const p = await this.serverFrom(n, 'open in a browser', (x) => x.service === 'whm');
    if (!p) return;
    if (p.service !== 'whm') {
      void vscode.window.showInformationMessage('Single sign-on links come from WHM: add the WHM server to open its accounts in a browser.');
      return;
    }
    const user = n?.kind === 'account' ? n.user : p.username;
    const service = n?.kind === 'account' ? 'cpaneld' : 'whostmgrd';
    try {
      const client = await this.s.clients.get(p);
      const session = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Opening ${user} on ${p.label}…` }, () =>
        client.createUserSession(user, service),
      );
      // The link is a credential: it goes to the browser and nowhere else.
      const opened = await vscode.env.openExternal(vscode.Uri.parse(session.url, true));
      if (!opened) void vscode.window.showWarningMessage('The browser did not open.');
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    }
  }

  // ── functions and requests ───────────────────────────────────────────────

  async findFunction(): Promise<void> {
    const catalog = Catalog.load();
    const chosen = await vscode.window.showQuickPick(
      catalog.functions.map((f) => ({ label: f.name, description: f.title, detail: `${f.family === 'uapi' ? 'UAPI' : 'WHM API 1'} · ${f.category}`, f })),
      { title: 'Find Function', placeHolder: 'Type a name or words of its title (1,282 functions)', matchOnDescription: true, matchOnDetail: true },
    );
    if (!chosen) return;
    const action = await vscode.window.showQuickPick(['Send…', 'Open Docs', 'Copy Name'], { title: chosen.f.name });
    if (action === 'Open Docs') return this.openDocs(chosen.f);
    if (action === 'Copy Name') return this.copyName(chosen.f);
    if (action === 'Send…') {
      const f = chosen.f;
      const fits = (p: ServerProfile): boolean => (f.family === 'whm' ? p.service === 'whm' : true);
      const p = await this.serverFrom(undefined, `send ${f.name} to`, fits);
      if (!p) return;
      let asUser: string | undefined;
      if (f.family === 'uapi' && p.service === 'whm') {
        asUser = await vscode.window.showInputBox({ title: `${f.name} on ${p.label}: on behalf of which account?`, ignoreFocusOut: true });
        if (!asUser) return;
      }
      await this.sendRequest({ profileId: p.id, family: f.family, functionName: f.name, asUser });
    }
  }

  private async sendFromNode(n?: Node): Promise<Sent | undefined> {
    if (n?.kind !== 'function') return this.sendRequest();
    return this.sendRequest({ profileId: n.profile.id, family: n.fn.family, functionName: n.fn.name, asUser: n.asUser });
  }

  private async copyName(f: CatalogFunction | undefined): Promise<void> {
    if (!f) return;
    await vscode.env.clipboard.writeText(f.name);
    vscode.window.setStatusBarMessage(`Copied ${f.name}`, 3000);
  }

  private async openDocs(f: CatalogFunction | undefined): Promise<void> {
    if (f?.docs) await vscode.env.openExternal(vscode.Uri.parse(f.docs));
  }

  /** From the palette (asks everything), from the tree (a start), or complete (tests, snippets). */
  async sendRequest(start?: SendStart | PlannedRequestArg): Promise<Sent | undefined> {
    let planned: PlannedRequest | undefined;
    if (start && 'request' in start) {
      const profile = this.s.profiles.get(start.profileId);
      if (!profile) {
        void vscode.window.showErrorMessage(`No server with the id "${start.profileId}".`);
        return undefined;
      }
      planned = { profile, request: start.request, beside: start.beside === true };
    } else {
      planned = await planRequest(start ?? {}, this.s.profiles, this.s.clients);
    }
    if (!planned) return undefined;
    this.last = planned;
    return this.send(planned);
  }

  async rerun(): Promise<Sent | undefined> {
    if (!this.last) {
      void vscode.window.showInformationMessage('Nothing to rerun yet: send a request first.');
      return undefined;
    }
    const profile = this.s.profiles.get(this.last.profile.id);
    if (!profile) {
      void vscode.window.showWarningMessage(`The server ${this.last.profile.label} no longer exists.`);
      return undefined;
    }
    return this.send({ profile, request: this.last.request });
  }

  private async send(planned: PlannedRequest): Promise<Sent | undefined> {
    const r = await this.callWithPin(planned.profile, planned.request, `${planned.request.family} ${planned.request.module ? `${planned.request.module}/` : ''}${planned.request.function} on ${planned.profile.label}…`);
    if (!r) return undefined;
    const editor = await this.s.results.show(r.result, r.profile, planned.beside === true);
    if (!r.result.ok && r.result.kind !== 'api_error') void this.explainFailure(r.profile, r.result);
    return { result: r.result, uri: editor.document.uri };
  }

  /** Sends with a cancellable progress notification; on an untrusted certificate, offers to pin and retries once. */
  private async callWithPin(profile: ServerProfile, req: ApiRequest, title: string): Promise<{ profile: ServerProfile; result: ApiResult } | undefined> {
    const run = (p: ServerProfile): Thenable<ApiResult> =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        return this.s.clients.call(p, req, ac.signal).finally(() => sub.dispose());
      });
    const result = await run(profile);
    const pinned = await offerPin(profile, result, this.s.profiles);
    if (pinned) return { profile: pinned, result: await run(pinned) };
    return { profile, result };
  }

  private async explainFailure(p: ServerProfile, r: ApiResult): Promise<void> {
    const actions = r.kind === 'auth_error' || r.kind === 'config_error' ? ['Set Credentials…', 'Edit Server…', 'Show Log'] : ['Edit Server…', 'Show Log'];
    const choice = await vscode.window.showErrorMessage(`${p.label} (${SERVICE_NAMES[p.service]}): ${r.hint ?? r.errors.join(' ')}`, ...actions);
    const node: Node = { kind: 'server', profile: p, problems: [] };
    if (choice === 'Set Credentials…') await this.setSecrets(node);
    if (choice === 'Edit Server…') await this.editServer(node);
    if (choice === 'Show Log') this.s.log.channel.show();
  }
}

/** A complete request, as the builder, snippets and tests send it. */
export interface PlannedRequestArg {
  profileId: string;
  request: ApiRequest;
  /** Open the result beside the active editor, keeping focus (the builder stays in view). */
  beside?: boolean;
}
