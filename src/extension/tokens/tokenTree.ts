import * as vscode from 'vscode';
import type { ServerProfile } from '../../core/servers';
import { describeAcls, describeExpiry, expiryState, isoDate, type TokenInfo } from '../../core/tokens/tokens';

/** Which token a server signs in with: its name, "none" (not a token), or unknown (the server does not say). */
export type UsedToken = { kind: 'name'; name: string; how: 'created' | 'server' } | { kind: 'notToken' } | { kind: 'unknown' };

/** The tree's view of a server's tokens, as the tokens commands keep them. */
export interface TokensSource {
  list(profile: ServerProfile): Promise<{ ok: true; tokens: TokenInfo[] } | { ok: false; error: string }>;
  used(profile: ServerProfile): UsedToken;
  /** Days before expiry a token is marked (cpanel.tokens.soonDays). */
  soonDays(): number;
  /** The clock expiry is judged by. */
  now(): number;
}

/** The "API Tokens" node under a server. */
export function tokensItem(profile: ServerProfile): vscode.TreeItem {
  const item = new vscode.TreeItem('API Tokens', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `tokens:${profile.id}`;
  item.iconPath = new vscode.ThemeIcon('key');
  item.contextValue = `tokens.${profile.service}${profile.auth === 'password' || profile.auth === 'session' ? '.signin' : ''}`;
  item.tooltip = `The ${profile.service === 'whm' ? 'WHM' : 'cPanel'} API tokens of ${profile.username} on ${profile.label}`;
  return item;
}

/** One token: its name, privileges, expiry (marked when expired or soon), and whether this server signs in with it. */
export function tokenItem(profile: ServerProfile, t: TokenInfo, used: boolean, soonDays: number, now = Date.now()): vscode.TreeItem {
  const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.None);
  item.id = `token:${profile.id}:${t.name}`;
  const state = expiryState(t, now, soonDays);
  const parts = [
    ...(used ? ['used by this server'] : []),
    ...(profile.service === 'whm' ? [describeAcls(t.acls)] : t.readonly ? ['read-only'] : []),
    ...(state === 'never' ? [] : [describeExpiry(t, now)]),
    ...(t.whitelistIps.length ? [`from ${t.whitelistIps.length === 1 ? t.whitelistIps[0] : `${t.whitelistIps.length} ranges`}`] : []),
  ];
  item.description = parts.join(' · ');
  item.iconPath =
    state === 'expired'
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : state === 'soon'
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
        : new vscode.ThemeIcon(used ? 'pass-filled' : 'key');
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(t.name)}**${used ? ' · the token this server signs in with' : ''}\n\n`);
  if (profile.service === 'whm')
    md.appendMarkdown(
      `Privileges: ${t.acls === 'all' ? 'all' : t.acls.length ? t.acls.map((a) => `\`${escapeMd(a)}\``).join(', ') : 'none'}\n\n`,
    );
  else md.appendMarkdown(`Access: ${t.readonly ? 'read-only' : "the account's features"}\n\n`);
  md.appendMarkdown(
    `Expiry: ${state === 'expired' ? '$(error) ' : state === 'soon' ? '$(warning) ' : ''}${escapeMd(describeExpiry(t, now))}\n\n`,
  );
  if (profile.service === 'whm')
    md.appendMarkdown(
      `IP allow-list: ${t.whitelistIps.length ? t.whitelistIps.map((ip) => `\`${escapeMd(ip)}\``).join(', ') : 'any address'}\n\n`,
    );
  md.appendMarkdown(
    `Created: ${t.created ? isoDate(t.created) : 'not reported'} · Last used: ${t.lastUsed ? isoDate(t.lastUsed) : 'not reported'}`,
  );
  item.tooltip = md;
  item.contextValue = `token.${profile.service}${used ? '.used' : ''}`;
  item.accessibilityInformation = { label: `API token ${t.name}: ${parts.join(', ')}` };
  return item;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}
