import * as vscode from 'vscode';
import { connectionTestRequest } from '../core/api/request';
import { Catalog, type CatalogFunction } from '../core/catalog';
import { codeTiming, secondsLeftInStep, totpCode } from '../core/otp';
import type { SsoService } from '../core/auth/sso';
import type { ApiResult } from '../core/result';
import { describeServer, requiredSecrets, type ServerProfile } from '../core/servers';
import type { AccountsModel } from './accountsModel';
import type { ClientRegistry } from './clients';
import { Commands } from './constants';
import type { Log } from './log';
import type { ProfileStore } from './profileStore';
import { planRequest, type SendStart } from './requestFlow';
import type { Origin, RequestRunner, Sent } from './requestRunner';
import type { HistoryStore } from './history';
import type { ResultPanels } from './resultPanels';
import type { ResultDocuments } from './results';
import type { SecretStore } from './secretStore';
import { askSecrets, Cancelled, editField, pickEditField, serverWizard } from './serverWizard';
import type { ServersTree, TreeNode } from './serversTree';

export type { Sent } from './requestRunner';

/** What activate() builds; handed to tests (only) through the extension's exports in test mode. */
export interface Services {
  profiles: ProfileStore;
  secrets: SecretStore;
  clients: ClientRegistry;
  results: ResultDocuments;
  panels: ResultPanels;
  history: HistoryStore;
  tree: ServersTree;
  log: Log;
  accounts: AccountsModel;
  runner: RequestRunner;
  /** The server in the status bar, offered first by Send Request…. */
  activeServerId?: () => string | undefined;
}

export class CommandHandlers {
  constructor(private readonly s: Services) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    return [
      r(Commands.serverAdd, () => this.addServer()),
      r(Commands.serverEdit, (n?: TreeNode) => this.editServer(n)),
      r(Commands.serverRemove, (n?: TreeNode) => this.removeServer(n)),
      r(Commands.serverSetSecrets, (n?: TreeNode) => this.setSecrets(n)),
      r(Commands.serverTest, (n?: TreeNode) => this.testConnection(n)),
      r(Commands.serverSignOut, (n?: TreeNode) => this.signOut(n)),
      r(Commands.serverShowTotp, (n?: TreeNode) => this.showTotp(n)),
      r(Commands.serverOpenInBrowser, (n?: TreeNode) => this.openInBrowser(n)),
      r(Commands.accountOpenWebmail, (n?: TreeNode) => this.openWebmail(n)),
      r(Commands.serversRefresh, () => this.s.tree.refresh(true)),
      r(Commands.functionFind, () => this.findFunction()),
      r(Commands.functionSend, (n?: TreeNode) => this.sendFromNode(n)),
      r(Commands.functionCopyName, (n?: TreeNode) => this.copyName(n?.kind === 'function' ? n.fn : undefined)),
      r(Commands.functionOpenDocs, (n?: TreeNode) => this.openDocs(n?.kind === 'function' ? n.fn : undefined)),
      r(Commands.requestSend, (start?: SendStart) => this.sendRequest(start)),
      r(Commands.requestRerun, () => this.s.runner.rerun()),
      r(Commands.resultShowRaw, (uri?: vscode.Uri) =>
        this.s.results.showRaw(this.s.results.byUri(uri ?? vscode.window.activeTextEditor?.document.uri) ?? this.s.panels.active()?.stored),
      ),
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

  private async serverFrom(n: TreeNode | undefined, purpose: string, filter: (p: ServerProfile) => boolean = () => true): Promise<ServerProfile | undefined> {
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

  async editServer(n?: TreeNode): Promise<void> {
    const existing = n?.kind === 'server' && n.problems.length ? n.profile : await this.serverFrom(n, 'edit');
    if (!existing) return;
    const stored = await this.s.secrets.get(existing.id);
    // A server with invalid settings goes through every step; otherwise one field at a time.
    const field = n?.kind === 'server' && n.problems.length ? 'all' : await pickEditField(existing);
    if (!field) return;
    if (field !== 'all') {
      const one = await editField(existing, field, stored);
      if (!one) return;
      if (one.secrets) {
        await this.s.secrets.delete(one.profile.id);
        await this.s.secrets.set(one.profile.id, one.secrets);
      }
      await this.s.profiles.save(one.profile);
      void vscode.window.showInformationMessage(`Saved ${one.profile.label}.`);
      return;
    }
    const w = await serverWizard(existing, stored);
    if (!w) return;
    await this.s.secrets.delete(w.profile.id, requiredSecrets(w.profile));
    await this.s.secrets.set(w.profile.id, w.secrets);
    await this.s.profiles.save(w.profile);
  }

  async removeServer(n?: TreeNode): Promise<void> {
    const p = n?.kind === 'server' ? n.profile : await this.serverFrom(n, 'remove');
    if (!p) return;
    const ok = await vscode.window.showWarningMessage(`Remove ${p.label} (${describeServer(p)}) and its stored credentials?`, { modal: true }, 'Remove');
    if (ok !== 'Remove') return;
    this.s.clients.drop(p.id);
    await this.s.secrets.delete(p.id);
    await this.s.profiles.remove(p.id);
  }

  async setSecrets(n?: TreeNode): Promise<void> {
    const p = await this.serverFrom(n, 'set credentials for');
    if (!p) return;
    let secrets;
    try {
      secrets = await askSecrets(p, await this.s.secrets.get(p.id));
    } catch (e) {
      if (e instanceof Cancelled) return;
      throw e;
    }
    await this.s.secrets.set(p.id, secrets);
    void vscode.window.showInformationMessage(`Credentials for ${p.label} stored in VS Code's secret storage.`);
  }

  async testConnection(n?: TreeNode): Promise<ApiResult | undefined> {
    const p = await this.serverFrom(n, 'test');
    if (!p) return undefined;
    const req = connectionTestRequest(p.service);
    // Testing is the person asking to try again: a credential refused earlier is sent this once.
    await this.s.clients.retry(p);
    const r = await this.s.runner.call({ profile: p, request: req, origin: 'palette' }, `Testing ${p.label}…`);
    if (!r) return undefined;
    if (r.result.ok) {
      const version = (r.result.data as { version?: string } | null)?.version;
      if (typeof version === 'string') this.s.tree.setServerVersion(p.id, version);
      void vscode.window.showInformationMessage(`Connected to ${r.profile.label} as ${p.username}${version ? `: cPanel & WHM ${version}` : ''} (${r.result.timings.totalMs} ms).`);
    } else {
      void this.s.runner.explainFailure(r.profile, r.result);
    }
    return r.result;
  }

  async signOut(n?: TreeNode): Promise<void> {
    const p = await this.serverFrom(n, 'sign out of', (x) => x.auth === 'session');
    if (!p) return;
    await (await this.s.clients.get(p)).signOut();
    void vscode.window.showInformationMessage(`Signed out of ${p.label}.`);
  }

  async showTotp(n?: TreeNode): Promise<void> {
    const p = await this.serverFrom(n, 'show a two-factor code for', (x) => x.twoFactor !== 'none');
    if (!p) return;
    const secret = (await this.s.secrets.get(p.id)).totpSecret;
    if (!secret) {
      void vscode.window.showWarningMessage(`No two-factor secret is stored for ${p.label}: use "Set Credentials…".`);
      return;
    }
    // Near the end of a step the code would expire before it is pasted: wait for the next one.
    const timing = codeTiming(Date.now() / 1000);
    if (timing.waitMs) {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `The current code for ${p.username} expires in a moment: waiting for the next one…` }, () => new Promise((r) => setTimeout(r, timing.waitMs)));
    }
    const now = Date.now() / 1000;
    await vscode.env.clipboard.writeText(totpCode(secret, now));
    // The code itself is not shown: it is a credential, and it is on the clipboard. Short, so the toast shows all of it.
    void vscode.window.showInformationMessage(`2FA code for ${p.username} copied: valid ${Math.floor(secondsLeftInStep(now))} s.`);
  }

  async openInBrowser(n?: TreeNode): Promise<void> {
    const p = await this.serverFrom(n, 'open in a browser', (x) => x.service === 'whm');
    if (!p) return;
    if (p.service !== 'whm') {
      void vscode.window.showInformationMessage('Single sign-on links come from WHM: add the WHM server to open its accounts in a browser.');
      return;
    }
    const user = n?.kind === 'account' ? n.user : p.username;
    await this.openSession(p, user, n?.kind === 'account' ? 'cpaneld' : 'whostmgrd', user);
  }

  /**
   * Webmail for an account or one of its mailboxes, through a single sign-on link from WHM
   * (create_user_session with service=webmaild): no mailbox password is needed or seen.
   */
  async openWebmail(n?: TreeNode): Promise<void> {
    const p = await this.serverFrom(n, 'open Webmail from', (x) => x.service === 'whm');
    if (!p) return;
    const account = n?.kind === 'account' ? n.user : undefined;
    const user = await vscode.window.showInputBox({
      title: `Open Webmail on ${p.label}`,
      prompt: 'The cPanel account, or one of its mailboxes (user@example.com)',
      value: account ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[a-z0-9_.-]+(@[A-Za-z0-9.-]+)?$/i.test(v.trim()) ? null : 'An account name such as alice, or a mailbox such as info@example.com.'),
    });
    if (!user) return;
    await this.openSession(p, user.trim(), 'webmaild', `Webmail for ${user.trim()}`);
  }

  private async openSession(p: ServerProfile, user: string, service: SsoService, what: string): Promise<void> {
    try {
      const client = await this.s.clients.get(p);
      const session = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Opening ${what} on ${p.label}…` }, () => client.createUserSession(user, service));
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
      await this.sendRequest({ profileId: p.id, family: f.family, functionName: f.name, asUser }, 'palette');
    }
  }

  private async sendFromNode(n?: TreeNode): Promise<Sent | undefined> {
    if (n?.kind !== 'function') return this.sendRequest();
    return this.sendRequest({ profileId: n.profile.id, family: n.fn.family, functionName: n.fn.name, asUser: n.asUser }, 'tree');
  }

  private async copyName(f: CatalogFunction | undefined): Promise<void> {
    if (!f) return;
    await vscode.env.clipboard.writeText(f.name);
    vscode.window.setStatusBarMessage(`Copied ${f.name}`, 3000);
  }

  private async openDocs(f: CatalogFunction | undefined): Promise<void> {
    if (f?.docs) await vscode.env.openExternal(vscode.Uri.parse(f.docs));
  }

  /** From the palette (asks everything) or the tree (a server, family, account or function already chosen). */
  async sendRequest(start?: SendStart, origin: Origin = start ? 'tree' : 'palette'): Promise<Sent | undefined> {
    const preferredId = this.s.activeServerId?.();
    const planned = await planRequest({ ...(preferredId ? { preferredId } : {}), ...start }, this.s.profiles, this.s.accounts, (p) => this.s.tree.allowed(p));
    if (!planned) return undefined;
    return this.s.runner.run({ ...planned, origin });
  }
}
