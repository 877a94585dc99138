import * as vscode from 'vscode';
import { familiesOn, FAMILIES, type Family } from '../../shared/families';
import { AUTH_SCHEMES } from '../../core/auth/schemes';
import { Catalog, groupOf, groupTitle, newerThanServer, type CatalogFunction } from '../../core/catalog';
import type { ApiRequest } from '../../core/api/request';
import type { ApiResult } from '../../core/result';
import { describeServer, SERVICE_NAMES, type ProfileEntry, type ServerProfile } from '../../core/servers';
import type { AccountsModel } from './accountsModel';
import type { ClientRegistry } from './clients';
import { Commands, VIEW_SERVERS } from '../constants';
import { Disposable } from '../lifecycle';
import type { ProfileStore } from './profileStore';
import type { TokenInfo } from '../../core/tokens/tokens';
import { tokenItem, tokensItem, type TokensSource } from '../tokens/tokenTree';

export type TreeNode = TreeNodeKind & {
  /** The group a server is shown under, carried to everything below it so that tree ids stay unique when a server is in two groups. */
  scope?: string;
};

type TreeNodeKind =
  /** A tag of cpanel.servers[].groups, with its servers (grouping on). */
  | { kind: 'serverGroup'; name: string; entries: ProfileEntry[] }
  | { kind: 'server'; profile: ServerProfile; problems: string[] }
  | { kind: 'family'; profile: ServerProfile; family: Family; asUser?: string }
  | { kind: 'group'; profile: ServerProfile; family: 'uapi' | 'whm'; group: string; asUser?: string }
  | { kind: 'function'; profile: ServerProfile; fn: CatalogFunction; asUser?: string; allowed?: boolean }
  /** A family the catalog does not list (cPanel API 2): its function is typed. */
  | { kind: 'freeForm'; profile: ServerProfile; family: Family; asUser: string }
  | { kind: 'accounts'; profile: ServerProfile }
  | { kind: 'account'; profile: ServerProfile; user: string; domain: string; suspended: boolean }
  /** The server's API tokens (WHM api_token_list, UAPI Tokens/list). */
  | { kind: 'tokens'; profile: ServerProfile }
  | { kind: 'token'; profile: ServerProfile; token: TokenInfo; used: boolean }
  | { kind: 'message'; text: string; icon: string; tooltip?: string };

/** Servers → API families → modules or categories → functions; on WHM also cPanel accounts. */
export class ServersTree extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly applists = new Map<string, Promise<Set<string> | undefined>>();
  /** cPanel & WHM versions the servers reported (Test Connection), to mark functions they are too old for. */
  private readonly versions = new Map<string, string>();
  readonly view: vscode.TreeView<TreeNode>;
  /** Where the "API Tokens" nodes read from (set by the tokens commands). */
  tokens: TokensSource | undefined;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly clients: ClientRegistry,
    private readonly accounts: AccountsModel,
    private readonly send: (profile: ServerProfile, request: ApiRequest) => Promise<ApiResult>,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(VIEW_SERVERS, { treeDataProvider: this, showCollapseAll: true }));
    this._register(profiles.onDidChange(() => this.refresh()));
    this._register(clients.onDidChangeState(() => this._onDidChangeTreeData.fire(undefined)));
    this._register(accounts.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
  }

  private grouping = true;
  /** Called by Refresh (the button): the tokens lists are read again too. */
  onRefetch: (() => void) | undefined;

  /** Redraws one node (a server's "API Tokens" after a change), or the whole tree. */
  redraw(n?: TreeNode): void {
    this._onDidChangeTreeData.fire(n);
  }

  /** Servers under their groups (a server in two groups is under both), or one flat list. */
  setGrouping(on: boolean): void {
    if (this.grouping === on) return;
    this.grouping = on;
    this._onDidChangeTreeData.fire(undefined);
  }

  setServerVersion(profileId: string, version: string): void {
    if (this.versions.get(profileId) === version) return;
    this.versions.set(profileId, version);
    this._onDidChangeTreeData.fire(undefined);
  }

  /** Redraws; with `refetch` (the Refresh button) also reads accounts and WHM's applist again. */
  refresh(refetch = false): void {
    this.applists.clear();
    if (refetch) this.onRefetch?.();
    if (refetch) this.accounts.invalidateAll();
    this._onDidChangeTreeData.fire(undefined);
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    const item = this.itemOf(n);
    if (n.scope && item.id) item.id = `${n.scope}/${item.id}`;
    return item;
  }

  private itemOf(n: TreeNode): vscode.TreeItem {
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (n.kind) {
      case 'serverGroup': {
        const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `serverGroup:${n.name}`;
        const signedIn = n.entries.filter((e) => this.clients.state(e.profile.id) === 'signed_in').length;
        const errors = n.entries.filter(
          (e) => e.problems.length || ['error', 'unreachable'].includes(this.clients.state(e.profile.id)),
        ).length;
        item.description = `${n.entries.length} server${n.entries.length === 1 ? '' : 's'}${signedIn ? ` · ${signedIn} signed in` : ''}${errors ? ` · ${errors} with errors` : ''}`;
        item.iconPath = new vscode.ThemeIcon(errors ? 'warning' : 'server-environment');
        item.tooltip = `Group ${n.name}: ${n.entries.map((e) => e.profile.label).join(', ')}`;
        item.contextValue = 'serverGroup';
        return item;
      }
      case 'server': {
        const p = n.profile;
        const item = new vscode.TreeItem(p.label, n.problems.length ? vscode.TreeItemCollapsibleState.None : Collapsed);
        item.id = `server:${p.id}`;
        const state = n.problems.length ? 'invalid' : this.clients.state(p.id);
        const stateText = {
          signed_out: 'not signed in',
          signed_in: 'signed in',
          error: 'error',
          unreachable: 'unreachable',
          invalid: 'invalid settings',
        }[state];
        item.description = `${describeServer(p)} · ${stateText}`;
        item.iconPath =
          state === 'signed_in'
            ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'))
            : state === 'error' || state === 'invalid' || state === 'unreachable'
              ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
              : new vscode.ThemeIcon('circle-large-outline');
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${escapeMd(p.label)}** · ${SERVICE_NAMES[p.service]}\n\n`);
        md.appendMarkdown(`\`${describeServer(p)}\` · ${p.secure ? 'HTTPS' : 'plain HTTP'}\n\n`);
        md.appendMarkdown(
          `Authentication: ${AUTH_SCHEMES[p.auth].name}${p.twoFactor === 'none' ? '' : p.twoFactor === 'header' ? ', 2FA code on every request' : ', 2FA code at login'}\n\n`,
        );
        md.appendMarkdown(
          `TLS: ${p.tls.mode === 'pinned' ? `pinned certificate \`${p.tls.fingerprint256.slice(0, 23)}…\`` : p.tls.mode === 'ca' ? 'custom CA file' : 'system trust'}\n\n`,
        );
        md.appendMarkdown(`State: ${stateText}`);
        for (const problem of n.problems) md.appendMarkdown(`\n\n$(warning) ${escapeMd(problem)}`);
        item.tooltip = md;
        item.contextValue = n.problems.length
          ? 'invalidServer'
          : `server.${p.service}${p.auth === 'session' ? '.session' : ''}${p.twoFactor !== 'none' ? '.tfa' : ''}`;
        return item;
      }
      case 'family': {
        const item = new vscode.TreeItem(FAMILIES[n.family].name, Collapsed);
        item.id = `family:${n.profile.id}:${n.asUser ?? ''}:${n.family}`;
        item.iconPath = new vscode.ThemeIcon(FAMILIES[n.family].icon);
        item.description = n.asUser ? `as ${n.asUser}` : undefined;
        item.contextValue = 'family';
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(groupTitle(n.family === 'whm' ? 'whm' : 'uapi', n.group), Collapsed);
        item.id = `group:${n.profile.id}:${n.asUser ?? ''}:${n.family}:${n.group}`;
        item.iconPath = new vscode.ThemeIcon(n.family === 'uapi' ? 'symbol-module' : 'folder');
        item.contextValue = 'group';
        return item;
      }
      case 'function': {
        const f = n.fn;
        const item = new vscode.TreeItem(f.function, vscode.TreeItemCollapsibleState.None);
        item.id = `function:${n.profile.id}:${n.asUser ?? ''}:${f.family}:${f.name}`;
        const server = this.versions.get(n.profile.id);
        const tooNew = newerThanServer(f, server);
        item.description =
          n.allowed === false
            ? `${f.title} · not allowed for this user`
            : tooNew
              ? `${f.title} · needs ${f.since}, the server has ${server}`
              : f.title;
        item.iconPath = new vscode.ThemeIcon(n.allowed === false ? 'circle-slash' : tooNew ? 'warning' : 'symbol-method');
        item.tooltip = functionTooltip(f, n.allowed, tooNew ? server : undefined);
        item.contextValue = `function${f.docs ? '.docs' : ''}`;
        item.accessibilityInformation = { label: `${f.name}: ${f.title}` };
        return item;
      }
      case 'freeForm': {
        const item = new vscode.TreeItem(
          `Call an ${FAMILIES[n.family].name.replace(/^cPanel /, '')} function…`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.iconPath = new vscode.ThemeIcon('play');
        item.command = {
          command: Commands.requestSend,
          title: 'Send',
          arguments: [{ profileId: n.profile.id, family: n.family, asUser: n.asUser }],
        };
        return item;
      }
      case 'accounts': {
        const item = new vscode.TreeItem('cPanel accounts', Collapsed);
        item.id = `accounts:${n.profile.id}`;
        item.iconPath = new vscode.ThemeIcon('organization');
        return item;
      }
      case 'account': {
        const item = new vscode.TreeItem(n.user, Collapsed);
        item.id = `account:${n.profile.id}:${n.user}`;
        item.description = `${n.domain}${n.suspended ? ' · suspended' : ''}`;
        item.iconPath = new vscode.ThemeIcon('account');
        item.contextValue = 'account';
        return item;
      }
      case 'tokens':
        return tokensItem(n.profile);
      case 'token':
        return tokenItem(n.profile, n.token, n.used, this.tokens?.soonDays() ?? 14, this.tokens?.now());
      case 'message': {
        const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(n.icon);
        item.tooltip = n.tooltip ?? n.text;
        return item;
      }
    }
  }

  async getChildren(n?: TreeNode): Promise<TreeNode[]> {
    const kids = await this.childrenOf(n);
    return n?.scope ? kids.map((k) => ({ ...k, scope: n.scope })) : kids;
  }

  private async childrenOf(n?: TreeNode): Promise<TreeNode[]> {
    if (!n) {
      const entries = this.profiles.entries();
      const server = (e: ProfileEntry): TreeNode => ({ kind: 'server', profile: e.profile, problems: e.problems });
      if (!this.grouping || !entries.some((e) => e.profile.groups?.length)) return entries.map((e) => server(e));
      const groups = new Map<string, ProfileEntry[]>();
      for (const e of entries) {
        for (const g of e.profile.groups ?? []) {
          const members = groups.get(g);
          if (members) members.push(e);
          else groups.set(g, [e]);
        }
      }
      return [
        ...[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, es]): TreeNode => ({ kind: 'serverGroup', name, entries: es })),
        ...entries.filter((e) => !e.profile.groups?.length).map((e) => server(e)),
      ];
    }
    const catalog = Catalog.load();
    switch (n.kind) {
      case 'serverGroup':
        return n.entries.map((e) => ({ kind: 'server', profile: e.profile, problems: e.problems, scope: n.name }));
      case 'server': {
        const ways = familiesOn(n.profile.service);
        const direct: TreeNode[] = ways.filter((w) => !w.onBehalf).map((w) => ({ kind: 'family', profile: n.profile, family: w.family }));
        const tokens: TreeNode[] = this.tokens && n.profile.service !== 'webmail' ? [{ kind: 'tokens', profile: n.profile }] : [];
        return [...direct, ...(ways.some((w) => w.onBehalf) ? [{ kind: 'accounts', profile: n.profile } as TreeNode] : []), ...tokens];
      }
      case 'family': {
        const section = FAMILIES[n.family].catalog;
        if (!section) return [{ kind: 'freeForm', profile: n.profile, family: n.family, asUser: n.asUser ?? '' }];
        return catalog
          .groups(section)
          .map((g) => ({ kind: 'group', profile: n.profile, family: section, group: g.name, asUser: n.asUser }));
      }
      case 'group': {
        const allowed = n.family === 'whm' ? await this.applist(n.profile) : undefined;
        return catalog.inGroup(n.family, n.group).map((fn) => ({
          kind: 'function',
          profile: n.profile,
          fn,
          asUser: n.asUser,
          allowed: allowed ? allowed.has(fn.function) : undefined,
        }));
      }
      case 'accounts': {
        const a = await this.accounts.get(n.profile);
        if (!a.ok) return [{ kind: 'message', text: `Could not list accounts: ${a.error}`, icon: 'error', tooltip: a.error }];
        if (!a.accounts.length) return [{ kind: 'message', text: 'No accounts', icon: 'info' }];
        return a.accounts.map((x) => ({ kind: 'account', profile: n.profile, user: x.user, domain: x.domain, suspended: x.suspended }));
      }
      case 'tokens': {
        if (!this.tokens) return [];
        const r = await this.tokens.list(n.profile);
        if (!r.ok) return [{ kind: 'message', text: `Could not list tokens: ${r.error}`, icon: 'error', tooltip: r.error }];
        if (!r.tokens.length) return [{ kind: 'message', text: 'No API tokens', icon: 'info' }];
        const used = this.tokens.used(n.profile);
        return r.tokens.map((token) => ({
          kind: 'token',
          profile: n.profile,
          token,
          used: used.kind === 'name' && used.name === token.name,
        }));
      }
      case 'account':
        return familiesOn(n.profile.service)
          .filter((w) => w.onBehalf)
          .map((w) => ({ kind: 'family', profile: n.profile, family: w.family, asUser: n.user }));
      default:
        return [];
    }
  }

  /** The WHM functions this server's user may call (its applist, fetched once), or undefined. */
  allowed(profile: ServerProfile): Promise<Set<string> | undefined> {
    return profile.service === 'whm' ? this.applist(profile) : Promise.resolve(undefined);
  }

  /** WHM's applist: the functions this WHM user may call, or undefined when it cannot be had. */
  private applist(profile: ServerProfile): Promise<Set<string> | undefined> {
    let p = this.applists.get(profile.id);
    if (!p) {
      p = this.send(profile, { family: 'whm', function: 'applist', params: [] }).then((r) => {
        const apps = (r.data as { app?: unknown } | null)?.app;
        return r.ok && Array.isArray(apps) ? new Set(apps.map(String)) : undefined;
      });
      this.applists.set(profile.id, p);
    }
    return p;
  }
}

export function functionTooltip(f: CatalogFunction, allowed?: boolean, olderServer?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(f.title)}**\n\n`);
  md.appendMarkdown(
    `\`${f.name}\` · ${FAMILIES[f.family].name} · ${f.method}${f.since ? ` · since ${f.since}` : ''} · ${escapeMd(groupTitle(f.family, groupOf(f)))}\n\n`,
  );
  if (allowed === false) md.appendMarkdown("$(circle-slash) Not in this user's applist: WHM will refuse it.\n\n");
  if (olderServer)
    md.appendMarkdown(
      `$(warning) Added in ${escapeMd(f.since ?? '')}: this server runs ${escapeMd(olderServer)}, which may not have it.\n\n`,
    );
  if (f.params.length) {
    md.appendMarkdown('Parameters:\n');
    for (const p of f.params) {
      const values = p.values?.length
        ? ` — ${p.values
            .slice(0, 8)
            .map((v) => `\`${escapeMd(v)}\``)
            .join(', ')}${p.values.length > 8 ? ', …' : ''}`
        : '';
      md.appendMarkdown(`- \`${p.name}\` ${escapeMd(p.type)}${p.required ? ' **required**' : ''}${values}\n`);
    }
  } else {
    md.appendMarkdown('No parameters.\n');
  }
  if (f.docs) md.appendMarkdown(`\n[Documentation](${f.docs})`);
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}
