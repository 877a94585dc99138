import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { effectOf } from '../core/api/effects';
import { Catalog } from '../core/catalog';
import { aclsGrant, WHM_ACLS, WHM_FUNCTIONS, type MailAccount, type SandboxAccount, type SandboxToken, type SandboxUser } from './accounts';

export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
  sha256: string;
}

/** The request body beyond form fields, as the functions that take one read it. */
export interface RequestBodyFacts {
  contentType: string;
  json?: unknown;
  jsonError?: boolean;
  files?: UploadedFile[];
  multipartError?: boolean;
}

/** What a sandbox function needs to know about the call and the server. */
export interface FnContext {
  caller: SandboxUser;
  /** The cPanel account a UAPI/API 2 function runs as. */
  account: string;
  params: URLSearchParams;
  body: RequestBodyFacts;
  personalization: Map<string, Record<string, unknown>>;
  received: UploadedFile[];
  accounts: SandboxAccount[];
  mail: MailAccount[];
  users: SandboxUser[];
  /** create_user_session: opens a session and returns its login URL parts. */
  openSession(
    user: string,
    service: 'cpaneld' | 'whostmgrd' | 'webmaild',
  ): { url: string; session: string; token: string; expires: number };
  /** The API token the call was signed with, when it was. */
  token?: SandboxToken;
  /** The sandbox's clock, in milliseconds. */
  now(): number;
}

import { FILTER_TYPES, SORT_METHODS, type ShapingFamily } from '../shared/shaping';

export interface UapiAnswer {
  status: 0 | 1;
  errors: string[] | null;
  messages: string[] | null;
  warnings: string[] | null;
  data: unknown;
  metadata: Record<string, unknown>;
}

export interface WhmAnswer {
  result: 0 | 1;
  reason: string;
  data?: unknown;
  output?: { messages?: string[]; warnings?: string[] };
}

const ok = (data: unknown, extra: Partial<UapiAnswer> = {}): UapiAnswer => ({
  status: 1,
  errors: null,
  messages: null,
  warnings: null,
  data,
  metadata: {},
  ...extra,
});
const err = (...errors: string[]): UapiAnswer => ({ status: 0, errors, messages: null, warnings: null, data: null, metadata: {} });

function owns(caller: SandboxUser, a: SandboxAccount): boolean {
  return caller.user === 'root' || a.owner === caller.user;
}

function domainsOf(ctx: FnContext): string[] {
  const a = ctx.accounts.find((x) => x.user === ctx.account);
  return a ? [a.domain] : [];
}

/** UAPI (also served through WHM and to Webmail). */
/**
 * The JSON body a function documented with one must have (cPanel reads these only as
 * application/json): the object, or an answer that says what is wrong.
 */
function jsonBody(ctx: FnContext, field: string): { value: unknown } | { error: string } {
  if (ctx.body.contentType !== 'application/json')
    return {
      error: `This function reads a JSON body (Content-Type: application/json), not ${ctx.body.contentType || 'query parameters'}.`,
    };
  if (ctx.body.jsonError) return { error: 'The request body is not valid JSON.' };
  const b = ctx.body.json as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || !(field in b)) return { error: `The JSON body must have “${field}”.` };
  return { value: b[field] };
}

function personalize(ctx: FnContext, user: string, kind: 'get' | 'set'): { data?: unknown; error?: string } {
  const store = ctx.personalization.get(user) ?? {};
  if (kind === 'set') {
    const b = jsonBody(ctx, 'personalization');
    if ('error' in b) return { error: b.error };
    if (!b.value || typeof b.value !== 'object' || Array.isArray(b.value))
      return { error: '“personalization” must be an object of names and values.' };
    Object.assign(store, b.value);
    ctx.personalization.set(user, store);
    return {
      data: { personalization: Object.fromEntries(Object.entries(b.value).map(([k, v]) => [k, { value: v, success: 1, reason: 'OK' }])) },
    };
  }
  const b = jsonBody(ctx, 'names');
  if ('error' in b) return { error: b.error };
  if (!Array.isArray(b.value)) return { error: '“names” must be an array of names.' };
  return {
    data: {
      personalization: Object.fromEntries(
        b.value.map((k) => [
          String(k),
          k in store ? { value: store[String(k)], success: 1, reason: 'OK' } : { value: null, success: 0, reason: 'Not found' },
        ]),
      ),
    },
  };
}

export function uapi(module: string, fn: string, ctx: FnContext): UapiAnswer {
  const p = ctx.params;
  const key = `${module}/${fn}`;
  if (key === 'Personalization/set' || key === 'Personalization/get') {
    const r = personalize(ctx, ctx.account, key === 'Personalization/set' ? 'set' : 'get');
    return r.error ? err(r.error) : ok(r.data);
  }
  if (key === 'Fileman/upload_files') {
    if (ctx.body.contentType !== 'multipart/form-data') return err('You must upload files as multipart/form-data.');
    if (ctx.body.multipartError) return err('The multipart body could not be read.');
    const files = (ctx.body.files ?? []).filter((f) => /^file-\d+$/.test(f.field));
    if (!files.length) return err('You must specify at least one file to upload (fields file-1, file-2, …).');
    const dir = p.get('dir') ?? `/home/${ctx.account}`;
    ctx.received.push(...files);
    return ok({
      uploads: files.map((f) => ({ file: f.filename, path: `${dir}/${f.filename}`, size: f.size, reason: 'Upload successful', status: 1 })),
      succeeded: files.length,
      failed: 0,
      warned: 0,
    });
  }
  switch (key) {
    case 'Email/list_pops':
      return ok(
        ctx.mail
          .filter((m) => m._owner === ctx.account)
          .map((m) => ({ email: m.email, login: m.login, suspended_login: m.suspended_login, suspended_incoming: 0 })),
      );
    case 'Email/list_pops_with_disk':
      return ok(
        ctx.mail
          .filter((m) => m._owner === ctx.account)
          .map((m) => {
            const used = m.diskused ?? 0;
            const [user, domain] = m.email.split('@') as [string, string];
            return {
              email: m.email,
              login: m.login,
              user,
              domain,
              _diskused: used,
              diskused: (used / 1048576).toFixed(2),
              humandiskused: `${(used / 1048576).toFixed(2)} MB`,
              diskquota: m.diskquota,
              _diskquota: m.diskquota === 'unlimited' ? 0 : Number(m.diskquota) * 1048576,
              suspended_login: m.suspended_login,
              suspended_incoming: 0,
              mtime: m.mtime ?? 1_700_000_000,
            };
          }),
      );
    case 'Email/add_pop': {
      const local = p.get('email') ?? '';
      const domain = p.get('domain') ?? domainsOf(ctx)[0] ?? '';
      if (!local) return err('You must specify the “email” parameter.');
      if (!p.get('password')) return err('You must specify the “password” parameter.');
      if (!domainsOf(ctx).includes(domain)) return err(`You do not own the domain “${domain}”.`);
      const email = local.includes('@') ? local : `${local}@${domain}`;
      if (ctx.mail.some((m) => m.email === email)) return err(`The account ${email} already exists!`);
      ctx.mail.push({ email, login: email, domain, suspended_login: 0, diskquota: p.get('quota') ?? 'unlimited', _owner: ctx.account });
      return ok(email);
    }
    case 'Email/delete_pop': {
      const email = (p.get('email') ?? '') + (p.get('domain') ? `@${p.get('domain')}` : '');
      const i = ctx.mail.findIndex((m) => m.email === email && m._owner === ctx.account);
      if (i < 0) return err(`The account “${email}” does not exist.`);
      ctx.mail.splice(i, 1);
      return ok(null);
    }
    case 'Ftp/list_ftp':
      return ok([
        { user: ctx.account, type: 'main', homedir: `/home/${ctx.account}` },
        { user: `${ctx.account}_logs`, type: 'logaccess', homedir: `/usr/local/apache/domlogs/${ctx.account}` },
      ]);
    case 'DomainInfo/list_domains':
      return ok({ main_domain: domainsOf(ctx)[0] ?? '', addon_domains: [], sub_domains: [], parked_domains: [] });
    case 'Mysql/list_databases':
      return ok([{ database: `${ctx.account}_wp`, disk_usage: 1048576, users: [`${ctx.account}_wp`] }]);
    case 'Variables/get_user_information': {
      const a = ctx.accounts.find((x) => x.user === ctx.account);
      return ok({ user: ctx.account, domain: a?.domain, plan: a?.plan, owner: a?.owner, contact_email: a?.email });
    }
    case 'Notes/echo':
      // Sends back what it was given: tests use it to see that markup in answers stays text.
      return ok(Object.fromEntries(p.entries()));
  }
  if (module === 'Tokens') {
    const r = cpanelTokens(fn, ctx);
    if (r) return r;
  }
  if (!['Email', 'Ftp', 'DomainInfo', 'Mysql', 'Variables', 'Tokens', 'Notes'].includes(module)) {
    return err(`Failed to load module “${module}”: Can't locate Cpanel/API/${module}.pm in @INC.`);
  }
  return err(`Could not find function “${fn}” in module “${module}”.`);
}

/** cPanel API 2: a few functions, through WHM only. */
export function api2(module: string, fn: string, ctx: FnContext): { data: unknown; error?: string } {
  switch (`${module}/${fn}`) {
    case 'Email/listpops':
      return { data: ctx.mail.filter((m) => m._owner === ctx.account).map((m) => ({ email: m.email, login: m.login })) };
    case 'Cron/listcron':
      return {
        data: [{ command: '/usr/local/bin/php /home/x/cron.php', minute: '*/15', hour: '*', day: '*', month: '*', weekday: '*', line: 1 }],
      };
  }
  return { data: [], error: `Could not find function “${fn}” in module “${module}”` };
}

export function isWhmFunction(fn: string): boolean {
  return (WHM_FUNCTIONS as readonly string[]).includes(fn);
}

/** WHM API 1. */
export function whm(fn: string, ctx: FnContext): WhmAnswer {
  const p = ctx.params;
  const c = ctx.caller;
  if (fn === 'personalization_set' || fn === 'personalization_get') {
    const r = personalize(ctx, c.user, fn === 'personalization_set' ? 'set' : 'get');
    return r.error ? { result: 0, reason: r.error } : { result: 1, reason: 'OK', data: r.data };
  }
  const visible = ctx.accounts.filter((a) => owns(c, a));
  const find = (user: string | null): SandboxAccount | undefined => visible.find((a) => a.user === user);
  const noUser = (u: string | null): WhmAnswer => ({ result: 0, reason: `The user “${u ?? ''}” does not exist or you do not own it.` });
  switch (fn) {
    case 'version':
      return { result: 1, reason: 'OK', data: { version: '11.138.0.5' } };
    case 'gethostname':
      return { result: 1, reason: 'OK', data: { hostname: 'sandbox.cpanel.test' } };
    case 'applist': {
      // root may call every WHM function; a reseller only what its privileges allow; a token only what its ACLs grant.
      const mine = c.acl
        ? [...new Set([...c.acl, 'myprivs'])]
        : Catalog.load()
            .functions.filter((f) => f.family === 'whm')
            .map((f) => f.function);
      const token = ctx.token;
      return { result: 1, reason: 'OK', data: { app: token ? mine.filter((f) => aclsGrant(token.acls, f)) : mine } };
    }
    case 'listaccts': {
      const search = p.get('search');
      const type = p.get('searchtype') ?? 'user';
      const list = search ? visible.filter((a) => String(a[type as keyof SandboxAccount] ?? '').includes(search)) : visible;
      return { result: 1, reason: 'OK', data: { acct: list.map((a) => ({ ...a, suspended: a.suspended ? 1 : 0 })) } };
    }
    case 'accountsummary': {
      const a = find(p.get('user'));
      return a ? { result: 1, reason: 'OK', data: { acct: [{ ...a, suspended: a.suspended ? 1 : 0 }] } } : noUser(p.get('user'));
    }
    case 'createacct': {
      const user = p.get('username') ?? p.get('user') ?? '';
      const domain = p.get('domain') ?? '';
      if (!user || !/^[a-z][a-z0-9]{0,15}$/.test(user))
        return { result: 0, reason: 'Invalid username: use 1–16 lowercase letters and digits, starting with a letter.' };
      if (!domain) return { result: 0, reason: 'You must specify a domain name.' };
      if (ctx.accounts.some((a) => a.user === user)) return { result: 0, reason: `The username “${user}” is taken.` };
      ctx.accounts.push({
        user,
        domain,
        owner: c.user,
        plan: p.get('plan') ?? 'default',
        email: p.get('contactemail') ?? '',
        suspended: false,
        suspendreason: 'not suspended',
        startdate: '26 Nov 22 12:00',
        diskused: '0M',
        ip: '127.0.0.1',
      });
      ctx.users.push({ user, password: p.get('password') ?? '', whm: false, tokens: [] });
      return {
        result: 1,
        reason: 'Account Creation Ok',
        data: { nameserver: 'ns1.sandbox.cpanel.test', ip: '127.0.0.1' },
        output: { messages: [`Account ${user} created.`] },
      };
    }
    case 'suspendacct':
    case 'unsuspendacct': {
      const a = find(p.get('user'));
      if (!a) return noUser(p.get('user'));
      a.suspended = fn === 'suspendacct';
      a.suspendreason = a.suspended ? (p.get('reason') ?? 'suspended') : 'not suspended';
      return { result: 1, reason: 'OK', output: { messages: [`${a.user} ${a.suspended ? 'suspended' : 'unsuspended'}.`] } };
    }
    case 'removeacct': {
      const a = find(p.get('user') ?? p.get('username'));
      if (!a) return noUser(p.get('user'));
      ctx.accounts.splice(ctx.accounts.indexOf(a), 1);
      return { result: 1, reason: `${a.user} account removed`, output: { warnings: ['Account removal is simulated.'] } };
    }
    case 'passwd': {
      const a = find(p.get('user'));
      if (!a) return noUser(p.get('user'));
      if (!p.get('password')) return { result: 0, reason: 'You must specify a password.' };
      const u = ctx.users.find((x) => x.user === a.user);
      if (u) u.password = p.get('password') ?? '';
      return { result: 1, reason: 'Password changed', data: { app: 'system' } };
    }
    case 'listpkgs':
      return {
        result: 1,
        reason: 'OK',
        data: {
          pkg: [
            { name: 'default', QUOTA: 'unlimited' },
            { name: 'gold', QUOTA: 10240 },
          ],
        },
      };
    case 'create_user_session': {
      const user = p.get('user') ?? '';
      const service = (p.get('service') ?? 'cpaneld') as 'cpaneld' | 'whostmgrd' | 'webmaild';
      if (!['cpaneld', 'whostmgrd', 'webmaild'].includes(service)) return { result: 0, reason: `Invalid service “${service}”.` };
      if (
        service === 'whostmgrd' ? user !== c.user && !(c.user === 'root' && ctx.users.some((u) => u.user === user && u.whm)) : !find(user)
      ) {
        return noUser(user);
      }
      const s = ctx.openSession(user, service);
      return {
        result: 1,
        reason: 'Created session',
        data: { url: s.url, session: s.session, cp_security_token: s.token, expires: s.expires, service },
      };
    }
  }
  const t = whmTokens(fn, ctx);
  if (t) return t;
  return { result: 0, reason: `Unknown app (“${fn}”) requested for this version (1) of the API.` };
}

// ── API tokens, as cPanel documents them ────────────────────────────────────

const TOKEN_NAME = /^[A-Za-z0-9_-]{1,50}$/;
const nameRule = (name: string): string =>
  `The API token name “${name}” is not valid: a name may only contain letters, digits, dashes (-) and underscores (_), and may not exceed 50 characters.`;

/** A new token value: 32 uppercase letters and digits, as cPanel makes them. */
function newTokenValue(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(32)].map((b) => chars[b % chars.length]).join('');
}

/** The privileges a caller holds: its own, narrowed by the token it signed in with. */
function heldPrivileges(ctx: FnContext): 'all' | string[] {
  const own: 'all' | string[] = ctx.caller.privs ?? 'all';
  const t = ctx.token;
  if (!t || t.acls === 'all') return own;
  return own === 'all' ? [...t.acls] : own.filter((a) => t.acls.includes(a));
}

/** The acl, acl-0, acl-1… values of a call, or undefined when it sent none. */
function aclParams(p: URLSearchParams): string[] | undefined {
  const values = [...p.entries()]
    .filter(([k]) => k === 'acl' || /^acl-\d+$/.test(k))
    .map(([, v]) => v.trim())
    .filter(Boolean);
  return values.length ? [...new Set(values)] : undefined;
}

/** The whitelist_ip, whitelist_ip-N values of a call, or undefined when it sent none. */
function ipParams(p: URLSearchParams): string[] | undefined {
  const entries = [...p.entries()].filter(([k]) => k === 'whitelist_ip' || /^whitelist[-_]ip-\d+$/.test(k));
  return entries.length ? entries.map(([, v]) => v.trim()).filter(Boolean) : undefined;
}

function ipRangeProblem(range: string): string | undefined {
  const [addr, bits, extra] = range.split('/');
  const family = isIP(addr ?? '');
  const max = family === 4 ? 32 : 128;
  if (!family || extra !== undefined || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)))
    return `“${range}” is not a valid IP address or CIDR range.`;
  return undefined;
}

/** Whether `ip` is inside `range` (IPv4 CIDR; IPv6 only exactly). */
export function ipInRange(ip: string, range: string): boolean {
  const bare = ip.replace(/^::ffff:/, '');
  const [addr, bitsText] = range.split('/');
  if (isIP(bare) !== 4 || isIP(addr ?? '') !== 4) return bare === addr;
  const n = (a: string): number => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const size = 2 ** (32 - bits);
  return Math.floor(n(bare) / size) === Math.floor(n(addr!) / size);
}

/** The ACLs a create or update asks for, checked against what the caller holds; an error when it may not. */
function grantable(ctx: FnContext, asked: string[]): { acls: 'all' | string[] } | { error: string } {
  const held = heldPrivileges(ctx);
  if (asked.includes('all')) {
    return held === 'all' ? { acls: 'all' } : { error: 'You cannot assign the “all” privilege to an API token: you do not have it.' };
  }
  const unknown = asked.filter((a) => !(a in WHM_ACLS));
  if (unknown.length) return { error: `Unknown privilege: ${unknown.join(', ')}.` };
  const missing = held === 'all' ? [] : asked.filter((a) => !held.includes(a));
  if (missing.length) return { error: `You cannot assign privileges that you do not have: ${missing.join(', ')}.` };
  return { acls: asked.sort() };
}

/** expires_at as sent: 0 or absent never; otherwise a Unix time in the future. */
function expiry(ctx: FnContext): { at: number | undefined } | { error: string } | undefined {
  const v = ctx.params.get('expires_at');
  if (v === null) return undefined;
  if (!/^\d{1,12}$/.test(v.trim())) return { error: `The expiration time “${v}” is not a Unix time.` };
  const at = Number(v.trim());
  if (at === 0) return { at: undefined };
  if (at * 1000 <= ctx.now()) return { error: 'The expiration time must be in the future.' };
  return { at };
}

function whmTokenView(t: SandboxToken): Record<string, unknown> {
  return {
    name: t.name,
    acls: t.acls === 'all' ? ['all'] : [...t.acls],
    create_time: t.createTime,
    expires_at: t.expiresAt ?? 0,
    whitelist_ips: [...(t.whitelistIps ?? [])],
    ...(t.lastUsed ? { last_used: t.lastUsed } : {}),
  };
}

function whmTokens(fn: string, ctx: FnContext): WhmAnswer | undefined {
  const p = ctx.params;
  const c = ctx.caller;
  const tokens = (c.apiTokens ??= []);
  const fail = (reason: string): WhmAnswer => ({ result: 0, reason });
  const named = (): SandboxToken | WhmAnswer => {
    const name = p.get('token_name') ?? '';
    return tokens.find((t) => t.name === name) ?? fail(`The API token “${name}” does not exist.`);
  };
  const privilegeMap = (held: 'all' | string[]): Record<string, 0 | 1> =>
    Object.fromEntries(['all', ...Object.keys(WHM_ACLS)].sort().map((a) => [a, held === 'all' || held.includes(a) ? 1 : 0]));
  switch (fn) {
    case 'myprivs':
      return { result: 1, reason: 'OK', data: { privileges: [privilegeMap(heldPrivileges(ctx))] } };
    case 'listacls': {
      if (heldPrivileges(ctx) !== 'all') return fail('Permission denied: listing ACL lists needs the “all” privilege.');
      const lists: Record<string, string[]> = {
        'accounts-read': ['basic-whm-functions', 'list-accts', 'acct-summary'],
        'reseller-standard': ['basic-whm-functions', 'list-accts', 'acct-summary', 'suspend-acct', 'create-user-session', 'cpanel-api'],
      };
      return {
        result: 1,
        reason: 'OK',
        data: { acl: Object.entries(lists).map(([name, acls]) => ({ name, privileges: privilegeMap(acls) })) },
      };
    }
    case 'api_token_list':
      return { result: 1, reason: 'OK', data: { tokens: Object.fromEntries(tokens.map((t) => [t.name, whmTokenView(t)])) } };
    case 'api_token_get_details': {
      const t = tokens.find((x) => x.value === (p.get('token') ?? ''));
      return t ? { result: 1, reason: 'OK', data: whmTokenView(t) } : fail('The API token does not exist.');
    }
    case 'api_token_create': {
      const name = p.get('token_name') ?? '';
      if (!TOKEN_NAME.test(name)) return fail(nameRule(name));
      if (tokens.some((t) => t.name === name)) return fail(`An API token named “${name}” already exists.`);
      const asked = aclParams(p);
      const g = asked ? grantable(ctx, asked) : { acls: heldPrivileges(ctx) };
      if ('error' in g) return fail(g.error);
      const e = expiry(ctx);
      if (e && 'error' in e) return fail(e.error);
      const ips = ipParams(p) ?? [];
      const bad = ips.map(ipRangeProblem).find(Boolean);
      if (bad) return fail(bad);
      const t: SandboxToken = {
        name,
        value: newTokenValue(),
        acls: g.acls,
        createTime: Math.floor(ctx.now() / 1000),
        ...(e?.at ? { expiresAt: e.at } : {}),
        ...(ips.length ? { whitelistIps: ips } : {}),
      };
      tokens.push(t);
      return { result: 1, reason: 'OK', data: { ...whmTokenView(t), token: t.value } };
    }
    case 'api_token_update': {
      const t = named();
      if (!('value' in t)) return t;
      const newName = p.get('new_name');
      if (newName !== null && newName !== t.name) {
        if (!TOKEN_NAME.test(newName)) return fail(nameRule(newName));
        if (tokens.some((x) => x.name === newName)) return fail(`An API token named “${newName}” already exists.`);
      }
      const asked = aclParams(p);
      const g = asked ? grantable(ctx, asked) : undefined;
      if (g && 'error' in g) return fail(g.error);
      const e = expiry(ctx);
      if (e && 'error' in e) return fail(e.error);
      const ips = ipParams(p);
      const bad = ips?.map(ipRangeProblem).find(Boolean);
      if (bad) return fail(bad);
      if (newName !== null) t.name = newName;
      if (g) t.acls = g.acls;
      if (e) t.expiresAt = e.at;
      if (ips) t.whitelistIps = ips;
      return { result: 1, reason: 'OK', data: whmTokenView(t) };
    }
    case 'api_token_revoke': {
      const t = named();
      if (!('value' in t)) return t;
      tokens.splice(tokens.indexOf(t), 1);
      return { result: 1, reason: 'OK', data: { revoked: 1 } };
    }
  }
  return undefined;
}

/** UAPI Tokens/*: the account's own cPanel API tokens (full access, or read-only). */
function cpanelTokens(fn: string, ctx: FnContext): UapiAnswer | undefined {
  const p = ctx.params;
  const user = ctx.users.find((u) => u.user === ctx.account);
  if (!user) return err('The account does not exist.');
  const tokens = (user.apiTokens ??= []);
  const view = (t: SandboxToken): Record<string, unknown> => ({
    name: t.name,
    create_time: t.createTime,
    expires_at: t.expiresAt ?? null,
    has_full_access: 1,
    ...(t.readonly ? { readonly: 1 } : {}),
    ...(t.lastUsed ? { last_used: t.lastUsed } : {}),
  });
  const find = (name: string): SandboxToken | undefined => tokens.find((t) => t.name === name);
  switch (fn) {
    case 'list':
      return ok(tokens.map(view));
    case 'create_full_access': {
      const name = p.get('name') ?? '';
      if (!TOKEN_NAME.test(name)) return err(nameRule(name));
      if (find(name)) return err(`An API token named “${name}” already exists.`);
      const e = expiry(ctx);
      if (e && 'error' in e) return err(e.error);
      const t: SandboxToken = {
        name,
        value: newTokenValue(),
        acls: 'all',
        createTime: Math.floor(ctx.now() / 1000),
        ...(e?.at ? { expiresAt: e.at } : {}),
        ...(p.get('readonly') === '1' ? { readonly: true } : {}),
      };
      tokens.push(t);
      return ok({ ...view(t), token: t.value });
    }
    case 'rename': {
      const t = find(p.get('name') ?? '');
      if (!t) return err(`The API token “${p.get('name') ?? ''}” does not exist.`);
      const newName = p.get('new_name') ?? '';
      if (!TOKEN_NAME.test(newName)) return err(nameRule(newName));
      if (find(newName)) return err(`An API token named “${newName}” already exists.`);
      t.name = newName;
      return ok(view(t));
    }
    case 'revoke': {
      const t = find(p.get('name') ?? '');
      if (!t) return err(`The API token “${p.get('name') ?? ''}” does not exist.`);
      tokens.splice(tokens.indexOf(t), 1);
      return ok(1);
    }
  }
  return undefined;
}

/** Whether a read-only cPanel token may call a UAPI function (only what reads). */
export function readonlyAllows(module: string, fn: string): boolean {
  return effectOf('uapi', `${module}/${fn}`) === 'read';
}

// ── output shaping, accepting only the documented forms ─────────────────────

type Row = Record<string, unknown>;

/** A shaping parameter the sandbox refuses: not a documented form, or used without its enabling switch. */
class ShapingError extends Error {}

const isNumberLike = (v: unknown): boolean => typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()));
const isUnlimited = (v: unknown): boolean => typeof v === 'string' && /^unlimited$/i.test(v.trim());

function matchRow(r: Row, field: string, type: string, term: string, family: ShapingFamily): boolean {
  const values = field === '*' ? Object.values(r) : [r[field]];
  return values.some((raw) => {
    const v = raw === undefined || raw === null ? '' : String(raw);
    switch (type) {
      case 'contains':
        return v.toLowerCase().includes(term.toLowerCase());
      case 'begins':
        return v.toLowerCase().startsWith(term.toLowerCase());
      case 'ends':
        return v.toLowerCase().endsWith(term.toLowerCase());
      case 'matches':
        try {
          return new RegExp(term).test(v);
        } catch {
          throw new ShapingError(`“${term}” is not a valid regular expression.`);
        }
      case 'defined':
        return raw !== undefined && raw !== null && v !== '';
      case 'undefined':
        return raw === undefined || raw === null || v === '';
      case 'eq':
        // UAPI's eq compares numbers; WHM's eq is its string equality.
        return family === 'whm' ? v === term : Number(v) === Number(term);
      case '==':
        return Number(v) === Number(term);
      case 'ne':
        return Number(v) !== Number(term);
      default: {
        const unlimited = isUnlimited(raw);
        if (unlimited && !type.endsWith('_handle_unlimited')) return false;
        const n = unlimited ? Infinity : Number(v);
        const t = Number(term);
        if (type.startsWith('lt')) return type === 'lt_equal' ? n <= t : n < t;
        return type === 'gt_equal' ? n >= t : n > t;
      }
    }
  });
}

function filterRows(rows: Row[], family: ShapingFamily, filters: { field: string; type: string; term: string }[]): Row[] {
  for (const f of filters) {
    if (!f.field) throw new ShapingError('A filter needs the return to match against.');
    if (!FILTER_TYPES[family].includes(f.type)) throw new ShapingError(`Invalid filter type “${f.type}”.`);
    if (/^(==|lt|gt|ne)/.test(f.type) && !isNumberLike(f.term))
      throw new ShapingError(`The filter type “${f.type}” needs a numeric term, not “${f.term}”.`);
  }
  return rows.filter((r) => filters.every((f) => matchRow(r, f.field, f.type, f.term, family)));
}

function sortRows(rows: Row[], field: string, method: string, reverse: boolean): Row[] {
  if (!(SORT_METHODS as readonly string[]).includes(method)) throw new ShapingError(`Invalid sort method “${method}”.`);
  const values = rows.map((r) => r[field]).filter((v) => v !== undefined && v !== null && v !== '');
  // cPanel: "You must set this parameter whenever you sort numeric values, or the function will fail."
  if (method === 'lexicographic' && values.length && values.every((v) => typeof v === 'number')) {
    throw new ShapingError(`Cannot sort the numeric return “${field}” lexicographically: set the sort method to numeric.`);
  }
  const key = (v: unknown): number | string => {
    if (method === 'ipv4')
      return String(v ?? '')
        .split('.')
        .reduce((n, o) => n * 256 + (Number(o) || 0), 0);
    if (method === 'numeric' || method === 'numeric_zero_as_max') {
      const n = isUnlimited(v) ? Infinity : Number(v ?? 0);
      return method === 'numeric_zero_as_max' && n === 0 ? Infinity : Number.isNaN(n) ? 0 : n;
    }
    return String(v ?? '');
  };
  const keyed = rows.map((r) => ({ r, k: key(r[field]) }));
  keyed.sort(
    (a, b) =>
      (typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k))) * (reverse ? -1 : 1),
  );
  return keyed.map((x) => x.r);
}

function positiveInt(v: string | null, name: string, fallback: number): number {
  if (v === null) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw new ShapingError(`${name} must be a nonnegative integer, not “${v}”.`);
  return Number(v);
}

/** The api.* (or api2_*) names a family documents for output shaping. */
const DOCUMENTED: { readonly [F in ShapingFamily]: RegExp } = {
  // api.version: the WHM request that carries a UAPI call through uapi_cpanel.
  uapi: /^api\.(version|sort|sort_(column|method|reverse)(_\d+)?|filter|filter_(column|type|term)(_\d+)?|paginate|paginate_(start|size|page))$/,
  api2: /^api2_(sort|sort_(column|method|reverse)|filter|filter_(column|type|term)|paginate|paginate_(start|size|page)|columns|columns_[a-z])$/,
  whm: /^api\.(version|sort\.enable|sort\.[a-z]\.(field|method|reverse)|filter\.enable|filter\.verbose|filter\.[a-z]\.(field|type|arg0)|chunk\.(enable|size|start)|columns\.enable|columns\.[a-z])$/,
};

function checkNames(family: ShapingFamily, p: URLSearchParams): void {
  const prefix = family === 'api2' ? 'api2_' : 'api.';
  for (const k of p.keys()) {
    if (k.startsWith(prefix) && !DOCUMENTED[family].test(k)) throw new ShapingError(`Unknown output parameter “${k}”.`);
  }
  const needs = (enable: string, re: RegExp): void => {
    const used = [...p.keys()].find((k) => re.test(k));
    if (used && p.get(enable) !== '1') throw new ShapingError(`“${used}” has no effect unless ${enable}=1 is sent.`);
  };
  if (family === 'whm') {
    needs('api.sort.enable', /^api\.sort\.[a-z]\./);
    needs('api.filter.enable', /^api\.filter\.[a-z]\./);
    needs('api.chunk.enable', /^api\.chunk\.(size|start)$/);
    needs('api.columns.enable', /^api\.columns\.[a-z]$/);
  } else {
    needs(`${prefix}sort`, new RegExp(`^${prefix.replace('.', '\\.')}sort_`));
    needs(`${prefix}filter`, new RegExp(`^${prefix.replace('.', '\\.')}filter_`));
    needs(`${prefix}paginate`, new RegExp(`^${prefix.replace('.', '\\.')}paginate_`));
    if (family === 'api2') needs('api2_columns', /^api2_columns_[a-z]$/);
  }
}

/** Several UAPI filters or sorts are numbered (_0, _1, …); one may also be unnumbered. */
function numbered(p: URLSearchParams, base: string): string[] {
  const out: string[] = [];
  if (p.has(base)) out.push('');
  for (let i = 0; p.has(`${base}_${i}`); i++) out.push(`_${i}`);
  return out;
}

function paginate(rows: Row[], p: URLSearchParams, prefix: string): { rows: Row[]; paginate?: Record<string, unknown> } {
  if (p.get(`${prefix}paginate`) !== '1') return { rows };
  const size = positiveInt(p.get(`${prefix}paginate_size`), `${prefix}paginate_size`, 20) || 20;
  const page = p.has(`${prefix}paginate_page`) ? positiveInt(p.get(`${prefix}paginate_page`), `${prefix}paginate_page`, 1) : undefined;
  const start =
    page !== undefined
      ? (Math.max(1, page) - 1) * size + 1
      : Math.max(1, positiveInt(p.get(`${prefix}paginate_start`), `${prefix}paginate_start`, 1));
  return {
    rows: rows.slice(start - 1, start - 1 + size),
    paginate: {
      total_results: rows.length,
      total_pages: Math.max(1, Math.ceil(rows.length / size)),
      current_page: Math.floor((start - 1) / size) + 1,
      results_per_page: size,
      start_result: String(start),
    },
  };
}

/** UAPI and cPanel API 2 shaping of a list: filters, then sort, then pages (api2 also columns). */
function shapeList(family: 'uapi' | 'api2', rows: Row[], p: URLSearchParams): { rows: Row[]; metadata: Record<string, unknown> } {
  const prefix = family === 'uapi' ? 'api.' : 'api2_';
  const md: Record<string, unknown> = {};
  if (p.get(`${prefix}filter`) === '1') {
    const filters = numbered(p, `${prefix}filter_column`).map((n) => ({
      field: p.get(`${prefix}filter_column${n}`) ?? '',
      type: p.get(`${prefix}filter_type${n}`) ?? 'contains',
      term: p.get(`${prefix}filter_term${n}`) ?? '',
    }));
    if (!filters.length) throw new ShapingError(`${prefix}filter=1 needs ${prefix}filter_column.`);
    rows = filterRows(rows, family, filters);
    md.records_before_filter = rows.length;
  }
  if (p.get(`${prefix}sort`) === '1') {
    const sorts = numbered(p, `${prefix}sort_column`);
    if (!sorts.length) throw new ShapingError(`${prefix}sort=1 needs ${prefix}sort_column.`);
    // The first sort key decides first: sort by the last key first, stably.
    for (const n of [...sorts].reverse())
      rows = sortRows(
        rows,
        p.get(`${prefix}sort_column${n}`) ?? '',
        p.get(`${prefix}sort_method${n}`) ?? p.get(`${prefix}sort_method`) ?? 'lexicographic',
        (p.get(`${prefix}sort_reverse${n}`) ?? p.get(`${prefix}sort_reverse`)) === '1',
      );
  }
  const paged = paginate(rows, p, prefix);
  if (paged.paginate) md.paginate = paged.paginate;
  rows = paged.rows;
  if (family === 'api2' && p.get('api2_columns') === '1') {
    const cols = [...p.entries()].filter(([k]) => /^api2_columns_[a-z]$/.test(k)).map(([, v]) => v);
    rows = rows.map((r) => Object.fromEntries(cols.filter((c) => c in r).map((c) => [c, r[c]])));
  }
  return { rows, metadata: md };
}

/**
 * WHM API 1 output shaping on the first list in the answer: lettered filters, sorts, chunks and
 * columns, each only with its api.*.enable=1. A form WHM does not document is refused.
 */
export function shapeWhm(data: unknown, p: URLSearchParams): { data: unknown; metadata: Record<string, unknown>; error?: string } {
  try {
    checkNames('whm', p);
    if (!data || typeof data !== 'object') return { data, metadata: {} };
    const d = data as Record<string, unknown>;
    const key = Object.keys(d).find((k) => Array.isArray(d[k]));
    if (!key) return { data, metadata: {} };
    let rows = d[key] as Row[];
    const md: Record<string, unknown> = {};
    const letters = (re: RegExp): string[] =>
      [...new Set([...p.keys()].map((k) => re.exec(k)?.[1]).filter((x): x is string => !!x))].sort();
    if (p.get('api.filter.enable') === '1') {
      const filters = letters(/^api\.filter\.([a-z])\.field$/).map((l) => ({
        field: p.get(`api.filter.${l}.field`) ?? '',
        type: p.get(`api.filter.${l}.type`) ?? 'contains',
        term: p.get(`api.filter.${l}.arg0`) ?? '',
      }));
      if (!filters.length) throw new ShapingError('api.filter.enable=1 needs api.filter.a.field.');
      const before = rows.length;
      rows = filterRows(rows, 'whm', filters);
      md.filter = Object.fromEntries(
        filters.map((f, i) => [
          String.fromCharCode(97 + i),
          { field: f.field, type: f.type, arg0: f.term, records_before_filter: before, records_after_filter: rows.length },
        ]),
      );
    }
    if (p.get('api.sort.enable') === '1') {
      const sorts = letters(/^api\.sort\.([a-z])\.field$/);
      if (!sorts.length) throw new ShapingError('api.sort.enable=1 needs api.sort.a.field.');
      for (const l of [...sorts].reverse())
        rows = sortRows(
          rows,
          p.get(`api.sort.${l}.field`) ?? '',
          p.get(`api.sort.${l}.method`) ?? 'lexicographic',
          p.get(`api.sort.${l}.reverse`) === '1',
        );
    }
    if (p.get('api.chunk.enable') === '1') {
      const size = positiveInt(p.get('api.chunk.size'), 'api.chunk.size', 20) || 20;
      const start = positiveInt(p.get('api.chunk.start'), 'api.chunk.start', 1);
      // api.chunk.start counts from 1: 0 is the most common mistake.
      if (start < 1) throw new ShapingError('api.chunk.start is 1-indexed: the first record is 1, not 0.');
      md.chunk = { start, size, records: rows.length, current: Math.floor((start - 1) / size) + 1 };
      rows = rows.slice(start - 1, start - 1 + size);
    }
    if (p.get('api.columns.enable') === '1') {
      const cols = [...p.entries()].filter(([k]) => /^api\.columns\.[a-z]$/.test(k)).map(([, v]) => v);
      rows = rows.map((r) => Object.fromEntries(cols.filter((c) => c in r).map((c) => [c, r[c]])));
    }
    return { data: { ...d, [key]: rows }, metadata: md };
  } catch (e) {
    if (e instanceof ShapingError) return { data: undefined, metadata: {}, error: e.message };
    throw e;
  }
}

/** UAPI output shaping on list answers; a form UAPI does not document fails the call, as cPanel's own checks would. */
export function shapeUapi(a: UapiAnswer, p: URLSearchParams): UapiAnswer {
  try {
    checkNames('uapi', p);
    if (!Array.isArray(a.data)) return a;
    const shaped = shapeList('uapi', a.data as Row[], p);
    return {
      ...a,
      data: shaped.rows,
      metadata: {
        ...a.metadata,
        ...shaped.metadata,
        ...(Object.keys(shaped.metadata).length || p.get('api.sort') === '1' ? { transformed: 1 } : {}),
      },
    };
  } catch (e) {
    if (e instanceof ShapingError) return err(e.message);
    throw e;
  }
}

/** cPanel API 2 shaping (api2_*), or the error the call fails with. */
export function shapeApi2(data: unknown, p: URLSearchParams): { data: unknown; paginate?: Record<string, unknown>; error?: string } {
  try {
    checkNames('api2', p);
    if (!Array.isArray(data)) return { data };
    const shaped = shapeList('api2', data as Row[], p);
    return { data: shaped.rows, ...(shaped.metadata.paginate ? { paginate: shaped.metadata.paginate as Record<string, unknown> } : {}) };
  } catch (e) {
    if (e instanceof ShapingError) return { data: undefined, error: e.message };
    throw e;
  }
}
