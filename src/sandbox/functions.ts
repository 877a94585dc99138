import { Catalog } from '../core/catalog';
import { WHM_FUNCTIONS, type MailAccount, type SandboxAccount, type SandboxUser } from './accounts';

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
  openSession(user: string, service: 'cpaneld' | 'whostmgrd' | 'webmaild'): { url: string; session: string; token: string; expires: number };
}

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

const ok = (data: unknown, extra: Partial<UapiAnswer> = {}): UapiAnswer => ({ status: 1, errors: null, messages: null, warnings: null, data, metadata: {}, ...extra });
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
  if (ctx.body.contentType !== 'application/json') return { error: `This function reads a JSON body (Content-Type: application/json), not ${ctx.body.contentType || 'query parameters'}.` };
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
    if (!b.value || typeof b.value !== 'object' || Array.isArray(b.value)) return { error: '“personalization” must be an object of names and values.' };
    Object.assign(store, b.value);
    ctx.personalization.set(user, store);
    return { data: { personalization: Object.fromEntries(Object.entries(b.value).map(([k, v]) => [k, { value: v, success: 1, reason: 'OK' }])) } };
  }
  const b = jsonBody(ctx, 'names');
  if ('error' in b) return { error: b.error };
  if (!Array.isArray(b.value)) return { error: '“names” must be an array of names.' };
  return { data: { personalization: Object.fromEntries(b.value.map((k) => [String(k), k in store ? { value: store[String(k)], success: 1, reason: 'OK' } : { value: null, success: 0, reason: 'Not found' }])) } };
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
    return ok({ uploads: files.map((f) => ({ file: f.filename, path: `${dir}/${f.filename}`, size: f.size, reason: 'Upload successful', status: 1 })), succeeded: files.length, failed: 0, warned: 0 });
  }
  switch (key) {
    case 'Email/list_pops':
      return ok(
        ctx.mail.filter((m) => m._owner === ctx.account).map((m) => ({ email: m.email, login: m.login, suspended_login: m.suspended_login, suspended_incoming: 0 })),
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
    case 'Tokens/list':
      return ok([{ name: 'deploy', create_time: 1700000000, has_full_access: 1 }]);
    case 'Notes/echo':
      // Sends back what it was given: tests use it to see that markup in answers stays text.
      return ok(Object.fromEntries(p.entries()));
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
      return { data: [{ command: '/usr/local/bin/php /home/x/cron.php', minute: '*/15', hour: '*', day: '*', month: '*', weekday: '*', line: 1 }] };
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
    case 'applist':
      // root may call every WHM function; a reseller only what its privileges allow.
      return { result: 1, reason: 'OK', data: { app: c.acl ?? Catalog.load().functions.filter((f) => f.family === 'whm').map((f) => f.function) } };
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
      if (!user || !/^[a-z][a-z0-9]{0,15}$/.test(user)) return { result: 0, reason: 'Invalid username: use 1–16 lowercase letters and digits, starting with a letter.' };
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
      return { result: 1, reason: 'Account Creation Ok', data: { nameserver: 'ns1.sandbox.cpanel.test', ip: '127.0.0.1' }, output: { messages: [`Account ${user} created.`] } };
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
      return { result: 1, reason: 'OK', data: { pkg: [{ name: 'default', QUOTA: 'unlimited' }, { name: 'gold', QUOTA: 10240 }] } };
    case 'create_user_session': {
      const user = p.get('user') ?? '';
      const service = (p.get('service') ?? 'cpaneld') as 'cpaneld' | 'whostmgrd' | 'webmaild';
      if (!['cpaneld', 'whostmgrd', 'webmaild'].includes(service)) return { result: 0, reason: `Invalid service “${service}”.` };
      if (service === 'whostmgrd' ? user !== c.user && !(c.user === 'root' && ctx.users.some((u) => u.user === user && u.whm)) : !find(user)) {
        return noUser(user);
      }
      const s = ctx.openSession(user, service);
      return { result: 1, reason: 'Created session', data: { url: s.url, session: s.session, cp_security_token: s.token, expires: s.expires, service } };
    }
  }
  return { result: 0, reason: `Unknown app (“${fn}”) requested for this version (1) of the API.` };
}

/**
 * WHM API 1 output shaping, applied to the first list in the answer: api.filter (contains, eq,
 * begins), api.sort (one field), api.chunk (size, start from 1), api.columns.
 */
export function shapeWhm(data: unknown, p: URLSearchParams): { data: unknown; metadata: Record<string, unknown> } {
  if (!data || typeof data !== 'object') return { data, metadata: {} };
  const d = data as Record<string, unknown>;
  const key = Object.keys(d).find((k) => Array.isArray(d[k]));
  if (!key) return { data, metadata: {} };
  let rows = d[key] as Record<string, unknown>[];
  const md: Record<string, unknown> = {};
  if (p.get('api.filter.enable') === '1') {
    const field = p.get('api.filter.a.field') ?? '';
    const type = p.get('api.filter.a.type') ?? 'contains';
    const arg = p.get('api.filter.a.arg0') ?? '';
    rows = rows.filter((r) => {
      const v = String(r[field] ?? '');
      return type === 'eq' ? v === arg : type === 'begins' ? v.startsWith(arg) : v.includes(arg);
    });
    md.filter = { a: { field, type, arg0: arg } };
  }
  if (p.get('api.sort.enable') === '1') {
    const field = p.get('api.sort.a.field') ?? '';
    const rev = p.get('api.sort.a.reverse') === '1';
    rows = [...rows].sort((x, y) => String(x[field] ?? '').localeCompare(String(y[field] ?? '')) * (rev ? -1 : 1));
  }
  if (p.get('api.chunk.enable') === '1') {
    const size = Number(p.get('api.chunk.size') ?? 20);
    const start = Number(p.get('api.chunk.start') ?? 1);
    md.chunk = { records: rows.length, start, size };
    rows = rows.slice(start - 1, start - 1 + size);
  }
  if (p.get('api.columns.enable') === '1') {
    const cols = [...p.entries()].filter(([k]) => /^api\.columns\.[a-z]$/.test(k)).map(([, v]) => v);
    rows = rows.map((r) => Object.fromEntries(cols.filter((c) => c in r).map((c) => [c, r[c]])));
  }
  return { data: { ...d, [key]: rows }, metadata: md };
}

/** UAPI output shaping on list answers: api.filter_*, api.sort_*, api.paginate_*. */
export function shapeUapi(a: UapiAnswer, p: URLSearchParams): UapiAnswer {
  if (!Array.isArray(a.data)) return a;
  let rows = a.data as Record<string, unknown>[];
  const md: Record<string, unknown> = { ...a.metadata };
  const fcol = p.get('api.filter_column');
  if (fcol) {
    const term = p.get('api.filter_term') ?? '';
    const type = p.get('api.filter_type') ?? 'contains';
    rows = rows.filter((r) => {
      const v = String(r[fcol] ?? '');
      return type === 'eq' ? v === term : type === 'begins' ? v.startsWith(term) : v.includes(term);
    });
    md.filter = { column: fcol, term, type };
  }
  const scol = p.get('api.sort_column');
  if (scol) {
    const rev = p.get('api.sort_reverse') === '1';
    rows = [...rows].sort((x, y) => String(x[scol] ?? '').localeCompare(String(y[scol] ?? '')) * (rev ? -1 : 1));
  }
  const size = Number(p.get('api.paginate_size') ?? 0);
  if (size > 0) {
    const start = Math.max(1, Number(p.get('api.paginate_start') ?? 1));
    md.paginate = { total_results: rows.length, results_per_page: size, start_result: start, current_page: Math.floor((start - 1) / size) + 1, total_pages: Math.ceil(rows.length / size) };
    rows = rows.slice(start - 1, start - 1 + size);
  }
  md.transformed = 1;
  return { ...a, data: rows, metadata: md };
}
