import { isIP } from 'node:net';
import type { ApiRequest } from '../api/request';
import type { ServerProfile } from '../servers';

/**
 * API tokens as WHM (api_token_*) and cPanel (UAPI Tokens/*) keep them: the name rule, expiry
 * choices, the requests that list, create, update, rename and revoke them, and readers for their
 * answers. No vscode here: the extension and tests share it.
 */

/** Which API a server's tokens live in. */
export type TokenKind = 'whm' | 'cpanel';

export interface TokenInfo {
  name: string;
  /** WHM: "all", or the privileges the token has. cPanel: "all" (the account's features). */
  acls: 'all' | string[];
  /** Unix seconds; undefined never expires. */
  expiresAt?: number;
  /** Addresses or CIDR ranges the token may be used from; empty: any. */
  whitelistIps: string[];
  /** Unix seconds, when the server reports it. */
  created?: number;
  /** Unix seconds, when the server reports it. */
  lastUsed?: number;
  /** cPanel: the server said the token may only read. */
  readonly?: boolean;
}

/** Servers whose tokens the extension manages (Webmail has none). */
export function tokenKindOf(p: Pick<ServerProfile, 'service'>): TokenKind | undefined {
  return p.service === 'whm' ? 'whm' : p.service === 'cpanel' ? 'cpanel' : undefined;
}

/** cPanel's rule for a token name (both APIs): letters, digits, "-" and "_", at most 50. */
export const TOKEN_NAME_MAX = 50;

export function tokenNameProblem(name: string, taken: readonly string[] = []): string | undefined {
  if (!name) return 'Give the token a name.';
  if (name.length > TOKEN_NAME_MAX) return `A token name has at most ${TOKEN_NAME_MAX} characters (this one has ${name.length}).`;
  const bad = [...name].find((c) => !/[A-Za-z0-9_-]/.test(c));
  if (bad !== undefined) return `A token name may only hold letters, digits, "-" and "_" (not ${JSON.stringify(bad)}).`;
  if (taken.includes(name)) return `This server already has a token named ${name}: choose another name.`;
  return undefined;
}

/** A name that says what made the token and when: cpanel-api-explorer-20250131-1405 (UTC), cut to the rule. */
export function generatedTokenName(purpose: string, nowMs: number, taken: readonly string[] = []): string {
  const d = new Date(nowMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  const base = `${purpose.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'token'}-${stamp}`.slice(0, TOKEN_NAME_MAX);
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const name = `${base.slice(0, TOKEN_NAME_MAX - suffix.length)}${suffix}`;
    if (!taken.includes(name)) return name;
  }
}

/** The name a rotated token gets: the old name's stem (any earlier rotation stamp dropped), stamped now. */
export function rotatedTokenName(old: string, nowMs: number, taken: readonly string[] = []): string {
  const stem = old.replace(/-r?\d{8}-\d{4}(-\d+)?$/, '') || 'token';
  return generatedTokenName(stem, nowMs, [...taken, old]);
}

// ── expiry ──────────────────────────────────────────────────────────────────

export type ExpiryChoice = { kind: 'never' } | { kind: 'days'; days: number } | { kind: 'date'; date: string };

/** What Create Token… offers. */
export const EXPIRY_DAYS = [30, 90, 365] as const;

/** A date typed as YYYY-MM-DD: the end of that day in UTC, in Unix seconds; undefined when it is no date. */
export function parseExpiryDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d, 23, 59, 59);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return Math.floor(t / 1000);
}

/** Why a typed expiry date cannot be used, or undefined. */
export function expiryDateProblem(text: string, nowMs: number): string | undefined {
  const at = parseExpiryDate(text);
  if (at === undefined) return 'Type a date as YYYY-MM-DD, such as 2026-12-31.';
  if (at * 1000 <= nowMs) return 'The date has passed: choose a day after today.';
  return undefined;
}

/** expires_at for a choice: undefined for "never" (the parameter is left out). */
export function expiresAtFor(choice: ExpiryChoice, nowMs: number): number | undefined {
  switch (choice.kind) {
    case 'never':
      return undefined;
    case 'days':
      return Math.floor(nowMs / 1000) + choice.days * 86_400;
    case 'date': {
      const at = parseExpiryDate(choice.date);
      if (at === undefined) throw new Error(expiryDateProblem(choice.date, nowMs));
      return at;
    }
  }
}

export type ExpiryState = 'never' | 'ok' | 'soon' | 'expired';

/** Whether a token has expired, or will within `soonDays`. */
export function expiryState(t: Pick<TokenInfo, 'expiresAt'>, nowMs: number, soonDays: number): ExpiryState {
  if (!t.expiresAt) return 'never';
  const left = t.expiresAt * 1000 - nowMs;
  if (left <= 0) return 'expired';
  return left <= soonDays * 86_400_000 ? 'soon' : 'ok';
}

/** "expired 3 days ago", "expires in 5 days", "expires 2026-01-31", "never expires". */
export function describeExpiry(t: Pick<TokenInfo, 'expiresAt'>, nowMs: number): string {
  if (!t.expiresAt) return 'never expires';
  const days = Math.round((t.expiresAt * 1000 - nowMs) / 86_400_000);
  const date = isoDate(t.expiresAt);
  if (t.expiresAt * 1000 <= nowMs)
    return days === 0 ? `expired today (${date})` : `expired ${-days} day${days === -1 ? '' : 's'} ago (${date})`;
  if (days <= 60) return days === 0 ? `expires today (${date})` : `expires in ${days} day${days === 1 ? '' : 's'} (${date})`;
  return `expires ${date}`;
}

export function isoDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** A rotated token keeps its lifetime: as long from now as the old one had from its creation. */
export function rotatedExpiry(old: TokenInfo, nowMs: number): number | undefined {
  if (!old.expiresAt) return undefined;
  const lifetime = old.created ? old.expiresAt - old.created : 90 * 86_400;
  return Math.floor(nowMs / 1000) + Math.max(86_400, lifetime);
}

// ── IP allow-lists ──────────────────────────────────────────────────────────

/** Why an allow-list entry is not an address or CIDR range, or undefined. */
export function ipRangeProblem(range: string): string | undefined {
  const [addr = '', bits, extra] = range.trim().split('/');
  const family = isIP(addr);
  if (!family) return `${JSON.stringify(range)} is not an IPv4 or IPv6 address.`;
  const max = family === 4 ? 32 : 128;
  if (extra !== undefined || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)))
    return `${JSON.stringify(range)}: the prefix length after "/" is 0 to ${max}.`;
  return undefined;
}

/** A typed allow-list ("192.0.2.1, 198.51.100.0/24"): the entries, or the first problem. */
export function parseIpList(text: string): { ips: string[] } | { problem: string } {
  const ips = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ip of ips) {
    const p = ipRangeProblem(ip);
    if (p) return { problem: p };
  }
  return { ips: [...new Set(ips)] };
}

// ── requests ────────────────────────────────────────────────────────────────

export interface TokenSettings {
  name: string;
  expiresAt?: number;
  /** WHM: the ACLs to give, "all", or undefined for "all of the caller's privileges" (cPanel's default). */
  acls?: 'all' | readonly string[];
  /** WHM: the allow-list. */
  whitelistIps?: readonly string[];
  /** cPanel: ask for a read-only token. */
  readonly?: boolean;
}

function aclParams(acls: 'all' | readonly string[] | undefined): [string, string][] {
  if (acls === undefined) return [];
  if (acls === 'all') return [['acl', 'all']];
  return acls.map((a, i) => [`acl-${i}`, a]);
}

const ipParams = (ips: readonly string[] | undefined): [string, string][] => (ips ?? []).map((ip, i) => [`whitelist_ip-${i}`, ip]);

export function listRequest(kind: TokenKind): ApiRequest {
  return kind === 'whm'
    ? { family: 'whm', function: 'api_token_list', params: [] }
    : { family: 'uapi', module: 'Tokens', function: 'list', params: [] };
}

export function createRequest(kind: TokenKind, s: TokenSettings): ApiRequest {
  const expiry: [string, string][] = s.expiresAt ? [['expires_at', String(s.expiresAt)]] : [];
  if (kind === 'cpanel') {
    return {
      family: 'uapi',
      module: 'Tokens',
      function: 'create_full_access',
      params: [['name', s.name], ...expiry, ...(s.readonly ? ([['readonly', '1']] as [string, string][]) : [])],
      method: 'POST',
    };
  }
  return {
    family: 'whm',
    function: 'api_token_create',
    params: [['token_name', s.name], ...aclParams(s.acls), ...expiry, ...ipParams(s.whitelistIps)],
    method: 'POST',
  };
}

/** WHM api_token_update: only what is given changes; `expiresAt: 0` removes the expiry, an empty allow-list clears it. */
export function updateRequest(
  name: string,
  u: { newName?: string; acls?: 'all' | readonly string[]; expiresAt?: number; whitelistIps?: readonly string[] },
): ApiRequest {
  const params: [string, string][] = [['token_name', name]];
  if (u.newName !== undefined && u.newName !== name) params.push(['new_name', u.newName]);
  params.push(...aclParams(u.acls));
  if (u.expiresAt !== undefined) params.push(['expires_at', String(u.expiresAt)]);
  if (u.whitelistIps) params.push(...(u.whitelistIps.length ? ipParams(u.whitelistIps) : ([['whitelist_ip', '']] as [string, string][])));
  return { family: 'whm', function: 'api_token_update', params, method: 'POST' };
}

export function renameRequest(kind: TokenKind, name: string, newName: string): ApiRequest {
  return kind === 'whm'
    ? updateRequest(name, { newName })
    : {
        family: 'uapi',
        module: 'Tokens',
        function: 'rename',
        params: [
          ['name', name],
          ['new_name', newName],
        ],
        method: 'POST',
      };
}

export function revokeRequest(kind: TokenKind, name: string): ApiRequest {
  return kind === 'whm'
    ? { family: 'whm', function: 'api_token_revoke', params: [['token_name', name]], method: 'POST' }
    : { family: 'uapi', module: 'Tokens', function: 'revoke', params: [['name', name]], method: 'POST' };
}

// ── answers ─────────────────────────────────────────────────────────────────

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
};

/** ACLs as an array of names or as an object of name → 0/1 (both forms appear in cPanel's docs). */
function readAcls(v: unknown): 'all' | string[] {
  const names = Array.isArray(v)
    ? v.map(String)
    : v && typeof v === 'object'
      ? Object.entries(v)
          .filter(([, on]) => Number(on) === 1)
          .map(([k]) => k)
      : [];
  return names.includes('all') ? 'all' : names.sort();
}

/** One token's record, from a list, a create, an update or api_token_get_details. */
export function readToken(v: unknown, fallbackName = ''): TokenInfo | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : fallbackName;
  if (!name) return undefined;
  const ips = Array.isArray(o.whitelist_ips) ? o.whitelist_ips.map(String) : [];
  const expiresAt = num(o.expires_at);
  const created = num(o.create_time);
  const lastUsed = num(o.last_used) ?? num(o.last_used_at);
  return {
    name,
    // A cPanel token reaches what the account reaches: "all" in this model.
    acls: 'acls' in o ? readAcls(o.acls) : 'all',
    whitelistIps: ips,
    ...(expiresAt ? { expiresAt } : {}),
    ...(created ? { created } : {}),
    ...(lastUsed ? { lastUsed } : {}),
    ...(Number(o.readonly) === 1 ? { readonly: true } : {}),
  };
}

/** api_token_list's data.tokens (an object keyed by name, or a list) or Tokens/list's data (a list), sorted by name. */
export function readTokenList(kind: TokenKind, data: unknown): TokenInfo[] {
  const raw = kind === 'whm' ? (data as { tokens?: unknown } | null)?.tokens : data;
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((t) => ['', t])
    : raw && typeof raw === 'object'
      ? Object.entries(raw)
      : [];
  return entries
    .map(([k, t]) => readToken(t, k))
    .filter((t): t is TokenInfo => !!t)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The token value a create call returned (data.token), or undefined. */
export function tokenValueOf(answer: unknown): string | undefined {
  const data = (answer as { data?: unknown } | null)?.data;
  const v = (data as { token?: unknown } | null)?.token;
  return typeof v === 'string' && v.length >= 8 ? v : undefined;
}

export interface Privileges {
  /** Every privilege the server named. */
  known: string[];
  /** The ones the caller has ("all" among them when it has it). */
  held: string[];
  all: boolean;
}

/** myprivs: data.privileges[0] is name → 0/1. */
export function readMyPrivs(data: unknown): Privileges | undefined {
  const list = (data as { privileges?: unknown } | null)?.privileges;
  const map = Array.isArray(list) ? list[0] : list;
  if (!map || typeof map !== 'object') return undefined;
  const entries = Object.entries(map as Record<string, unknown>);
  const held = entries
    .filter(([, v]) => Number(v) === 1)
    .map(([k]) => k)
    .sort();
  return { known: entries.map(([k]) => k).sort(), held, all: held.includes('all') };
}

/** listacls: saved ACL lists, data.acl as [{name, privileges}] or data.acls as {name: privileges}. */
export function readAclLists(data: unknown): { name: string; acls: string[] }[] {
  const d = data as { acl?: unknown; acls?: unknown } | null;
  const pairs: [string, unknown][] = Array.isArray(d?.acl)
    ? d.acl.map((x) => [String((x as { name?: unknown }).name ?? ''), (x as { privileges?: unknown }).privileges])
    : d?.acls && typeof d.acls === 'object'
      ? Object.entries(d.acls)
      : [];
  return pairs
    .filter(([name, p]) => name && p && typeof p === 'object')
    .map(([name, p]) => ({
      name,
      acls: Object.entries(p as Record<string, unknown>)
        .filter(([, v]) => Number(v) === 1)
        .map(([k]) => k)
        .sort(),
    }));
}

/** applist's data.app: the WHM functions the caller may call. */
export function readApplist(data: unknown): Set<string> | undefined {
  const apps = (data as { app?: unknown } | null)?.app;
  return Array.isArray(apps) ? new Set(apps.map(String)) : undefined;
}

/** "all" or "list-accts, suspend-acct (+3)": ACLs for a one-line description. */
export function describeAcls(acls: 'all' | readonly string[], max = 3): string {
  if (acls === 'all') return 'all privileges';
  if (!acls.length) return 'no privileges';
  return `${acls.slice(0, max).join(', ')}${acls.length > max ? ` (+${acls.length - max})` : ''}`;
}
