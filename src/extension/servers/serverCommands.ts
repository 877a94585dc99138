import * as vscode from 'vscode';
import { connectionTestRequest } from '../../core/api/request';
import { codeTiming, secondsLeftInStep, totpCode } from '../../core/otp';
import type { SsoService } from '../../core/auth/sso';
import type { ApiResult } from '../../core/result';
import { describeServer, requiredSecrets, type ServerProfile } from '../../core/servers';
import { Commands } from '../constants';
import { progressNotificationGone } from '../progress';
import type { Services } from '../services';
import { pickServer } from './pickServer';
import { askSecrets, Cancelled, editField, pickEditField, serverWizard } from './serverWizard';
import type { TreeNode } from './serversTree';

/** Servers: add, edit, remove, credentials, Test Connection, sign out, TOTP codes, the browser. */
export class ServerCommands {
  constructor(private readonly s: Services) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
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
    ];
  }

  // ── servers ──────────────────────────────────────────────────────────────

  async addServer(): Promise<ServerProfile | undefined> {
    const w = await serverWizard(undefined, undefined, undefined, this.groupsInUse());
    if (!w) return undefined;
    await this.s.secrets.set(w.profile.id, w.secrets);
    await this.s.profiles.save(w.profile);
    void vscode.window
      .showInformationMessage(`Added ${w.profile.label} (${describeServer(w.profile)}).`, 'Test Connection')
      .then((test) => test && this.testConnection({ kind: 'server', profile: w.profile, problems: [] }));
    return w.profile;
  }

  async editServer(n?: TreeNode): Promise<void> {
    const existing = n?.kind === 'server' && n.problems.length ? n.profile : await pickServer(this.s.profiles, n, 'edit');
    if (!existing) return;
    const stored = await this.s.secrets.get(existing.id);
    // A server with invalid settings goes through every step; otherwise one field at a time.
    const field = n?.kind === 'server' && n.problems.length ? 'all' : await pickEditField(existing);
    if (!field) return;
    if (field !== 'all') {
      const one = await editField(existing, field, stored, undefined, this.groupsInUse());
      if (!one) return;
      if (one.secrets) {
        await this.s.secrets.delete(one.profile.id);
        await this.s.secrets.set(one.profile.id, one.secrets);
      }
      await this.s.profiles.save(one.profile);
      void vscode.window.showInformationMessage(`Saved ${one.profile.label}.`);
      return;
    }
    const w = await serverWizard(existing, stored, undefined, this.groupsInUse());
    if (!w) return;
    await this.s.secrets.delete(w.profile.id, requiredSecrets(w.profile));
    await this.s.secrets.set(w.profile.id, w.secrets);
    await this.s.profiles.save(w.profile);
  }

  private groupsInUse(): string[] {
    return this.s.profiles.profiles().flatMap((p) => p.groups ?? []);
  }

  async removeServer(n?: TreeNode): Promise<void> {
    const p = n?.kind === 'server' ? n.profile : await pickServer(this.s.profiles, n, 'remove');
    if (!p) return;
    const ok = await vscode.window.showWarningMessage(
      `Remove ${p.label} (${describeServer(p)}) and its stored credentials?`,
      { modal: true },
      'Remove',
    );
    if (ok !== 'Remove') return;
    this.s.clients.drop(p.id);
    await this.s.secrets.delete(p.id);
    await this.s.profiles.remove(p.id);
  }

  async setSecrets(n?: TreeNode): Promise<void> {
    const p = await pickServer(this.s.profiles, n, 'set credentials for');
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
    const p = await pickServer(this.s.profiles, n, 'test');
    if (!p) return undefined;
    const req = connectionTestRequest(p.service);
    // Testing is the person asking to try again: a credential refused earlier is sent this once.
    await this.s.clients.retry(p);
    const started = performance.now();
    const r = await this.s.runner.send({ profile: p, request: req, origin: 'palette' }, `Testing ${p.label}…`);
    if (!r) return undefined;
    const version = r.result.ok ? (r.result.data as { version?: string } | null)?.version : undefined;
    if (typeof version === 'string') this.s.tree.setServerVersion(p.id, version);
    // The verdict once the "Testing…" progress is off the screen, so that the two never stand together.
    void progressNotificationGone(started).then(() => {
      if (r.result.ok) {
        void vscode.window.showInformationMessage(
          `Connected to ${r.profile.label} as ${p.username}${version ? `: cPanel & WHM ${version}` : ''} (${r.result.timings.totalMs} ms).`,
        );
      } else void this.s.runner.explainFailure(r.profile, r.result);
    });
    return r.result;
  }

  async signOut(n?: TreeNode): Promise<void> {
    const p = await pickServer(this.s.profiles, n, 'sign out of', (x) => x.auth === 'session');
    if (!p) return;
    await (await this.s.clients.get(p)).signOut();
    void vscode.window.showInformationMessage(`Signed out of ${p.label}.`);
  }

  async showTotp(n?: TreeNode): Promise<void> {
    const p = await pickServer(this.s.profiles, n, 'show a two-factor code for', (x) => x.twoFactor !== 'none');
    if (!p) return;
    const secret = (await this.s.secrets.get(p.id)).totpSecret;
    if (!secret) {
      void vscode.window.showWarningMessage(`No two-factor secret is stored for ${p.label}: use "Set Credentials…".`);
      return;
    }
    // Near the end of a step the code would expire before it is pasted: wait for the next one.
    const timing = codeTiming(Date.now() / 1000);
    if (timing.waitMs) {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `The current code for ${p.username} expires in a moment: waiting for the next one…`,
        },
        () => new Promise((r) => setTimeout(r, timing.waitMs)),
      );
    }
    const now = Date.now() / 1000;
    await vscode.env.clipboard.writeText(totpCode(secret, now));
    // The code itself is not shown: it is a credential, and it is on the clipboard. Short, so the toast shows all of it.
    void vscode.window.showInformationMessage(`2FA code for ${p.username} copied: valid ${Math.floor(secondsLeftInStep(now))} s.`);
  }

  async openInBrowser(n?: TreeNode): Promise<void> {
    const p = await pickServer(this.s.profiles, n, 'open in a browser', (x) => x.service === 'whm');
    if (!p) return;
    if (p.service !== 'whm') {
      void vscode.window.showInformationMessage(
        'Single sign-on links come from WHM: add the WHM server to open its accounts in a browser.',
      );
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
    const p = await pickServer(this.s.profiles, n, 'open Webmail from', (x) => x.service === 'whm');
    if (!p) return;
    const account = n?.kind === 'account' ? n.user : undefined;
    const user = await vscode.window.showInputBox({
      title: `Open Webmail on ${p.label}`,
      prompt: 'The cPanel account, or one of its mailboxes (user@example.com)',
      value: account ?? '',
      ignoreFocusOut: true,
      validateInput: (v) =>
        /^[a-z0-9_.-]+(@[A-Za-z0-9.-]+)?$/i.test(v.trim()) ? null : 'An account name such as alice, or a mailbox such as info@example.com.',
    });
    if (!user) return;
    await this.openSession(p, user.trim(), 'webmaild', `Webmail for ${user.trim()}`);
  }

  private async openSession(p: ServerProfile, user: string, service: SsoService, what: string): Promise<void> {
    try {
      const client = await this.s.clients.get(p);
      const session = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Opening ${what} on ${p.label}…` },
        () => client.createUserSession(user, service),
      );
      // The link is a credential: it goes to the browser and nowhere else.
      const opened = await vscode.env.openExternal(vscode.Uri.parse(session.url, true));
      if (!opened) void vscode.window.showWarningMessage('The browser did not open.');
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    }
  }
}
