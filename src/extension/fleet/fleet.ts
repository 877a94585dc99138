import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { FAMILIES, type Family } from '../../shared/families';
import { connectionTestRequest, functionName, methodOf, type ApiRequest } from '../../core/api/request';
import { combineFan, type FanPart, type FanTarget } from '../../core/fanout';
import type { ApiResult } from '../../core/result';
import { parseServersCsv, serversToCsv } from '../../core/serverCsv';
import { groupsOf, parseServersJson, serversToJson } from '../../core/serverFile';
import { planImport } from '../../core/serverImport';
import { describeServer, type ServerProfile } from '../../core/servers';
import type { Services } from '../services';
import { Commands } from '../constants';
import { planRequest } from '../requests/requestFlow';
import type { StoredResult } from '../results/results';
import type { FanoutInfo } from './fanoutInfo';
import { progressNotificationGone } from '../progress';
import { offerPin } from '../servers/certificates';
import type { TreeNode } from '../servers/serversTree';

/**
 * Sends one request to every target through the runner, and shows the targets' answers as one
 * result: their rows after `server` and `account` columns, a table of how each target went, and each
 * target's own answer kept to compare.
 */
export async function runFanOut(
  s: Services,
  request: ApiRequest,
  targets: FanTarget[],
  what: string,
  opts: { untrustedSource?: string } = {},
): Promise<StoredResult | undefined> {
  const started = performance.now();
  const parts = await s.runner.fanOut(request, targets, {
    what,
    ...(opts.untrustedSource !== undefined ? { untrustedSource: opts.untrustedSource } : {}),
  });
  if (!parts) return undefined;
  const shown = showFan(s, request, parts, what, Math.round(performance.now() - started));
  void progressNotificationGone(started).then(() => offerPins(s, parts));
  return shown;
}

/**
 * Targets refused for a certificate this system does not trust are offered the one way to pin it, where
 * the problem shows: the same dialog as a single call's (fingerprint, subject, expiry), one per server.
 */
async function offerPins(s: Services, parts: readonly FanPart[]): Promise<void> {
  const untrusted = new Map<string, FanPart>();
  for (const p of parts) {
    const c = p.result.certificate;
    if (p.result.kind === 'tls_error' && c && !c.trusted && p.target.profile.tls.mode === 'system') untrusted.set(p.target.profile.id, p);
  }
  if (!untrusted.size) return;
  const names = [...untrusted.values()].map((p) => p.target.profile.label);
  const choice = await vscode.window.showWarningMessage(
    `${names.length === 1 ? names[0] : `${names.length} servers`} presented a certificate this system does not trust, so ${names.length === 1 ? 'it was' : 'they were'} not called.`,
    'Check and Pin…',
  );
  if (choice !== 'Check and Pin…') return;
  for (const p of untrusted.values()) {
    const current = s.profiles.get(p.target.profile.id) ?? p.target.profile;
    // A sibling on the same host pinned a moment ago is pinned without asking again (offerPin's rule).
    if (current.tls.mode === 'system') await offerPin(current, p.result, s.profiles);
  }
}

function showFan(s: Services, request: ApiRequest, parts: FanPart[], what: string, wallMs: number): StoredResult {
  const summary = combineFan(parts);
  const stored = parts.map((p) =>
    s.results.add({
      result: p.result,
      server: p.target.profile.label,
      target: { profile: p.target.profile, request: p.target.account !== undefined ? { ...request, asUser: p.target.account } : request },
    }),
  );
  const fn = functionName(request);
  const failures = summary.targets.filter((t) => t.verdict !== 'OK');
  const result: ApiResult = {
    ok: summary.failed === 0,
    kind: summary.failed === 0 ? 'ok' : summary.ok === 0 ? (parts[0]?.result.kind ?? 'api_error') : 'api_error',
    status: 0,
    data: { rows: summary.rows, targets: summary.targets },
    errors: failures.map((t) => `${t.server}${t.account ? ` (${t.account})` : ''}: ${t.hint ?? t.verdict}`),
    warnings: [],
    messages: [`${summary.ok} of ${parts.length} targets answered OK in ${wallMs} ms; ${summary.rows.length.toLocaleString()} rows.`],
    metadata: { fanout: { targets: parts.length, ok: summary.ok, failed: summary.failed } },
    raw: '',
    contentType: '',
    ...(failures.length
      ? { hint: `${failures.length} of ${parts.length} targets failed: each is listed with what to do, and in the targets table.` }
      : {}),
    timings: { headersMs: 0, totalMs: wallMs },
    request: { method: methodOf(request), url: `${parts.length} targets`, family: request.family, function: fn },
  };
  const fanout: FanoutInfo = {
    request,
    targets: parts.map((p) => p.target),
    what,
    ok: summary.ok,
    failed: summary.failed,
    parts: stored.map((x) => x.id),
  };
  return s.panels.show({ result, server: what, fanout, title: `${request.family} ${fn} → ${what} · ${summary.ok}/${parts.length} OK` });
}

/** Groups, Import/Export Servers, Test Connection on a group, fan-outs from the tree and the palette. */
export class FleetCommands {
  constructor(
    private readonly s: Services,
    private readonly state: vscode.Memento,
  ) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    void this.setGrouping(this.grouped());
    return [
      r(Commands.groupSend, (n?: TreeNode) => this.sendToGroup(n)),
      r(Commands.groupTest, (n?: TreeNode) => this.testGroup(n)),
      r(Commands.serverSendToAccounts, (n?: TreeNode) => this.sendToAccounts(n)),
      r(Commands.serversImport, (uri?: vscode.Uri) => this.importServers(uri instanceof vscode.Uri ? uri : undefined)),
      r(Commands.serversExport, (uri?: vscode.Uri) => this.exportServers(uri instanceof vscode.Uri ? uri : undefined)),
      r(Commands.serversGroupByTag, () => this.setGrouping(true)),
      r(Commands.serversUngroup, () => this.setGrouping(false)),
    ];
  }

  grouped(): boolean {
    return this.state.get<boolean>('cpanel.groupServers', true);
  }

  private async setGrouping(on: boolean): Promise<void> {
    await this.state.update('cpanel.groupServers', on);
    await vscode.commands.executeCommand('setContext', 'cpanel.groupServers', on);
    this.s.tree.setGrouping(on);
  }

  private async pickGroup(purpose: string): Promise<string | undefined> {
    const groups = groupsOf(this.s.profiles.profiles());
    if (!groups.size) {
      const how = await vscode.window.showInformationMessage(
        'No server is in a group yet: Edit Server… » Groups puts a server in one (so do Add Server and a groups column when importing).',
        'Edit Server…',
      );
      if (how) await vscode.commands.executeCommand(Commands.serverEdit);
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      [...groups].map(([g, ps]) => ({
        label: g,
        description: `${ps.length} server${ps.length === 1 ? '' : 's'}`,
        detail: ps.map((p) => p.label).join(', '),
      })),
      { title: `Group to ${purpose}`, placeHolder: 'Which group?', ignoreFocusOut: true },
    );
    return chosen?.label;
  }

  private members(group: string): ServerProfile[] {
    return this.s.profiles.profiles().filter((p) => (p.groups ?? []).includes(group));
  }

  /** Plans the request on the group's first server, then sends it to every server that answers that API. */
  async sendToGroup(n?: TreeNode): Promise<StoredResult | undefined> {
    const group = n?.kind === 'serverGroup' ? n.name : await this.pickGroup('send a request to');
    if (!group) return undefined;
    const members = this.members(group);
    if (!members.length) return undefined;
    const plan = await planRequest({ profileId: members[0]!.id }, this.s.profiles, this.s.accounts);
    if (!plan) return undefined;
    return this.sendPlanned(plan.request, members, `group ${group}`);
  }

  /** A request made in the builder or a snippet, to a group chosen now. */
  async sendPlannedToGroup(request: ApiRequest, untrustedSource?: string): Promise<StoredResult | undefined> {
    const group = await this.pickGroup(`send ${functionName(request)} to`);
    if (!group) return undefined;
    return this.sendPlanned(request, this.members(group), `group ${group}`, untrustedSource);
  }

  /** A request (from the builder, a snippet or the palette) to every server of a group that answers its API. */
  async sendPlanned(
    request: ApiRequest,
    members: readonly ServerProfile[],
    what: string,
    untrustedSource?: string,
  ): Promise<StoredResult | undefined> {
    const fam = FAMILIES[request.family];
    const takes = (p: ServerProfile): boolean => (request.asUser ? p.service === 'whm' && fam.throughWhm : fam.direct.includes(p.service));
    const targets = members.filter(takes);
    const skipped = members.filter((p) => !takes(p));
    if (skipped.length) {
      void vscode.window.showWarningMessage(
        `${skipped.map((p) => p.label).join(', ')} ${skipped.length === 1 ? 'does' : 'do'} not answer ${fam.name}${request.asUser ? ' on behalf of an account' : ''}: left out of ${what}.`,
      );
    }
    if (!targets.length) return undefined;
    return runFanOut(
      this.s,
      request,
      targets.map((profile) => ({ profile })),
      what,
      untrustedSource !== undefined ? { untrustedSource } : {},
    );
  }

  /** UAPI or cPanel API 2 on behalf of every account of a WHM server (its listaccts, as cached). */
  async sendToAccounts(n?: TreeNode): Promise<StoredResult | undefined> {
    const profile = n && 'profile' in n ? this.s.profiles.get(n.profile.id) : await this.pickWhm();
    if (!profile || profile.service !== 'whm') return undefined;
    const family = await vscode.window.showQuickPick(
      (['uapi', 'api2'] as Family[]).map((f) => ({ label: FAMILIES[f].name, detail: FAMILIES[f].detail, f })),
      { title: `Every account of ${profile.label}: API`, ignoreFocusOut: true },
    );
    if (!family) return undefined;
    const list = await this.s.accounts.get(profile);
    if (!list.ok) {
      void vscode.window.showErrorMessage(`${profile.label}: could not list its accounts (${list.error}).`);
      return undefined;
    }
    if (!list.accounts.length) {
      void vscode.window.showInformationMessage(`${profile.label} has no accounts.`);
      return undefined;
    }
    const plan = await planRequest(
      { profileId: profile.id, family: family.f, asUser: list.accounts[0]!.user },
      this.s.profiles,
      this.s.accounts,
    );
    if (!plan) return undefined;
    const { asUser: _first, ...request } = plan.request;
    void _first;
    return runFanOut(
      this.s,
      request,
      list.accounts.map((a) => ({ profile, account: a.user })),
      `every account of ${profile.label}`,
    );
  }

  private async pickWhm(): Promise<ServerProfile | undefined> {
    const whm = this.s.profiles.profiles().filter((p) => p.service === 'whm');
    if (!whm.length) {
      // Nothing ends silently: say why, and what would make it work.
      const add = await vscode.window.showInformationMessage(
        'Sending to every account needs a WHM server, and none is set up yet: add one (root or a reseller).',
        'Add Server…',
      );
      if (add) await vscode.commands.executeCommand(Commands.serverAdd);
      return undefined;
    }
    if (whm.length === 1) return whm[0];
    const c = await vscode.window.showQuickPick(
      whm.map((p) => ({ label: p.label, description: describeServer(p), p })),
      { title: 'WHM server whose accounts to call', ignoreFocusOut: true },
    );
    return c?.p;
  }

  /** Test Connection on every server of a group at once, and one summary. */
  async testGroup(n?: TreeNode): Promise<{ ok: number; failed: string[] } | undefined> {
    const group = n?.kind === 'serverGroup' ? n.name : await this.pickGroup('test');
    if (!group) return undefined;
    const members = this.members(group);
    const started = performance.now();
    const results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Testing the ${members.length} servers of ${group}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let done = 0;
        // The person asks to test these servers: refusals are forgotten, and servers sharing a refused credential still try it once.
        for (const p of members) await this.s.clients.retry(p);
        return Promise.all(
          members.map(async (p) => {
            const r = await this.s.runner.send({ profile: p, request: connectionTestRequest(p.service), origin: 'palette' }, undefined, {
              progress: false,
              signal: ac.signal,
            });
            progress.report({ increment: 100 / members.length, message: `${++done} of ${members.length}` });
            if (r?.result.ok) {
              const version = (r.result.data as { version?: string } | null)?.version;
              if (typeof version === 'string') this.s.tree.setServerVersion(p.id, version);
            }
            return { p, r: r?.result };
          }),
        );
      },
    );
    const failed = results.filter((x) => !x.r?.ok);
    const ok = results.length - failed.length;
    const lines = failed.map((x) => `${x.p.label}: ${x.r ? (x.r.hint ?? x.r.errors.join(' ')) : 'not sent'}`);
    for (const l of lines) this.s.log.write('warn', `group ${group}`, l);
    // The summary once the progress notification is gone, so that the two never stand together.
    void progressNotificationGone(started).then(() => {
      if (!failed.length) void vscode.window.showInformationMessage(`Group ${group}: all ${ok} servers answered.`);
      else {
        void vscode.window
          .showWarningMessage(
            `Group ${group}: ${ok} of ${results.length} servers answered. ${lines[0]}${lines.length > 1 ? ` (and ${lines.length - 1} more)` : ''}`,
            'Show Log',
          )
          .then((choice) => choice && this.s.log.channel.show());
      }
    });
    return { ok, failed: failed.map((x) => x.p.label) };
  }

  /** Servers from a JSON or CSV file (never secrets); those whose label exists are replaced only when told. */
  async importServers(file?: vscode.Uri): Promise<number> {
    const uri =
      file ??
      (
        await vscode.window.showOpenDialog({
          title: 'Import Servers',
          openLabel: 'Import',
          canSelectMany: false,
          filters: { 'Servers (JSON or CSV)': ['json', 'csv'] },
        })
      )?.[0];
    if (!uri) return 0;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const name = vscode.workspace.asRelativePath(uri);
    const parsed = /\.csv$/i.test(uri.path) ? parseServersCsv(text, name) : parseServersJson(text, name);
    if (parsed.problems.length) {
      void vscode.window.showErrorMessage(
        `Nothing was imported. ${parsed.problems.slice(0, 3).join(' ')}${parsed.problems.length > 3 ? ` (${parsed.problems.length - 3} more in the log)` : ''}`,
      );
      for (const p of parsed.problems) this.s.log.write('warn', 'import', p);
      return 0;
    }
    const existing = this.s.profiles.profiles();
    const labels = new Set(existing.map((e) => e.label));
    const clash = parsed.profiles.filter((p) => labels.has(p.label));
    let replace = false;
    if (clash.length) {
      const c = await vscode.window.showWarningMessage(
        `${clash.length} of the ${parsed.profiles.length} servers are already configured (${clash
          .slice(0, 3)
          .map((p) => p.label)
          .join(', ')}${clash.length > 3 ? '…' : ''}).`,
        { modal: true },
        'Replace Them',
        'Keep Mine',
      );
      if (!c) return 0;
      replace = c === 'Replace Them';
    }
    // Ids in the file are ignored: each server gets a fresh one (no credentials), and a replaced server keeps
    // its id, and so its credentials, only when they would still go to the same host, port, service and user.
    const plan = planImport(existing, parsed.profiles, replace, randomUUID);
    // One settings write for the whole file: one per server was quadratic (50,000 rows took minutes).
    await this.s.profiles.saveMany(plan.writes);
    for (const id of plan.retired) {
      // The entry these credentials were stored for is gone: they are removed with it, as Remove Server does.
      this.s.clients.drop(id);
      await this.s.secrets.delete(id);
    }
    for (const n of plan.notes) this.s.log.write('warn', 'import', n);
    const count = plan.writes.length;
    const notes = plan.notes.length
      ? ` ${plan.notes.slice(0, 3).join(' ')}${plan.notes.length > 3 ? ` (${plan.notes.length - 3} more in the log)` : ''}`
      : '';
    const summary =
      `Imported ${count} server${count === 1 ? '' : 's'} from ${name}.${notes} ` +
      "Set each one's credentials with Set Credentials… (files never hold them).";
    if (plan.notes.length) void vscode.window.showWarningMessage(summary);
    else void vscode.window.showInformationMessage(summary);
    return count;
  }

  async exportServers(file?: vscode.Uri): Promise<number> {
    const profiles = this.s.profiles.profiles();
    if (!profiles.length) {
      void vscode.window.showInformationMessage('No servers to export.');
      return 0;
    }
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri =
      file ??
      (await vscode.window.showSaveDialog({
        title: 'Export Servers (no secrets)',
        saveLabel: 'Export',
        filters: { JSON: ['json'], CSV: ['csv'] },
        ...(base ? { defaultUri: vscode.Uri.joinPath(base, 'servers.json') } : {}),
      }));
    if (!uri) return 0;
    const text = /\.csv$/i.test(uri.path) ? serversToCsv(profiles) : serversToJson(profiles);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(
      `Exported ${profiles.length} servers to ${vscode.workspace.asRelativePath(uri)}, without secrets. \`cpapi fanout --servers\` reads the JSON form.`,
    );
    return profiles.length;
  }
}
