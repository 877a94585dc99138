import { FAMILIES, isControlParam, isSecretParam, paramNameProblem, type Family, type Service } from '../../shared/families';
import { defaultPort, type ServerProfile } from '../servers';
import { parseSnippet, secretParamEnv, serializeSnippet, workspacePathProblem, type Snippet, type SnippetBody } from '../snippets';
import { EXPANSION_END, EXPANSION_START, hasExpansion, onlyVariable, shellCommands, ShellSyntaxError, shownWord } from './shellWords';

/**
 * Import Request: the same call, from wherever it was written down, as a snippet. Understood:
 * - a curl command line: cPanel's documentation samples, a browser's "Copy as cURL" (bash), and our
 *   own Copy as curl script;
 * - a cPanel or WHM URL (/execute/…, /json-api/…?api.version=1, the old json-api/cpanel envelope,
 *   uapi_cpanel), with or without a /cpsess…/ token;
 * - an on-server command line: uapi, whmapi1, cpapi2.
 * Nothing in the text is run or fetched. Secrets in it (an Authorization header, cookies, a cpsess
 * token, secret parameters) never reach the snippet: they are dropped, secret parameters become
 * ${env:CPANEL_PARAM_NAME} placeholders, and `dropped` says what went.
 */

export type ImportSource = 'curl' | 'url' | 'uapi' | 'whmapi1' | 'cpapi2';

export interface ImportedRequest {
  source: ImportSource;
  family: Family;
  /** "Email/list_pops" or "listaccts". */
  function: string;
  /** The cPanel account the call is for: on behalf of it through WHM, or the account of a cPanel server. */
  account?: string;
  method: 'GET' | 'POST';
  params: { name: string; value: string }[];
  body?: SnippetBody;
  /** Where it was sent, when the text says (a URL). */
  endpoint?: { host: string; port: number; secure: boolean; service: Service };
  /** The user the text authenticates as (Authorization, --user), never the secret. */
  login?: string;
  /** How the text authenticated, when it did: what a credential stored for the server would be. */
  auth?: 'token' | 'password' | 'accesshash' | 'session';
  /** What was left out, each a sentence (secrets are named, never shown). */
  dropped: string[];
  /** Things to know that are not about secrets (an ignored header, WHM API 0 read as API 1). */
  notes: string[];
}

/** Text that is none of the forms, or a form that cannot be read: the message says which forms are understood. */
export class ImportError extends Error {}

export const UNDERSTOOD =
  'Import understands a curl command line (cPanel\'s docs, a browser\'s "Copy as cURL" for bash, Copy as curl), a cPanel or WHM URL ' +
  '(…/execute/Module/function?…, …/json-api/function?api.version=1&…, json-api/cpanel?cpanel_jsonapi_…, json-api/uapi_cpanel?…), ' +
  'or a command run on the server (uapi --user=U Module function k=v, whmapi1 function k=v, cpapi2 --user=U Module function k=v).';

const SERVICE_OF_PORT: Record<number, { service: Service; secure: boolean }> = {
  2083: { service: 'cpanel', secure: true },
  2082: { service: 'cpanel', secure: false },
  2087: { service: 'whm', secure: true },
  2086: { service: 'whm', secure: false },
  2096: { service: 'webmail', secure: true },
  2095: { service: 'webmail', secure: false },
};

/** Reads one request from `text`; throws ImportError saying what is wrong or which forms are understood. */
export function importRequest(text: string): ImportedRequest {
  const trimmed = text.trim();
  if (!trimmed) throw new ImportError(`There is nothing to import. ${UNDERSTOOD}`);
  // A URL alone (pasted from a browser's address bar or the docs).
  if (/^(https?:\/\/|\/(cpsess[^/]*\/)?(execute|json-api)\/)/i.test(trimmed) && !/\s/.test(trimmed))
    return fromUrl(trimmed, 'url', newImport('url'));
  let commands: string[][];
  try {
    commands = shellCommands(trimmed);
  } catch (e) {
    if (e instanceof ShellSyntaxError) throw new ImportError(`${e.message} ${UNDERSTOOD}`);
    throw e;
  }
  const words = (c: string[]): string[] => (c[0] === '$' || c[0] === 'sudo' ? c.slice(1) : c);
  const program = (c: string[]): string => (words(c)[0] ?? '').replace(/^.*\//, '');
  const known = commands.map(words).filter((c) => ['curl', 'uapi', 'whmapi1', 'cpapi2'].includes((c[0] ?? '').replace(/^.*\//, '')));
  // Our own Copy as curl logs in with a first curl (…/login/): the call is the other one.
  const calls = known.filter((c) => !(program(c) === 'curl' && c.some((w) => /\/login\/?(\?|$)/.test(w))));
  if (!calls.length) {
    const single = commands.length === 1 ? program(commands[0]!) : '';
    throw new ImportError(
      `${single ? `"${shownWord(single).slice(0, 40)}" is not a command Import reads. ` : 'No request was found in the text. '}${UNDERSTOOD}`,
    );
  }
  if (calls.length > 1) throw new ImportError(`The text has ${calls.length} commands that make calls: import one at a time.`);
  const call = calls[0]!;
  const name = program(call) as ImportSource;
  if (name === 'curl') {
    const r = fromCurl(call.slice(1));
    // The login of our own session script names the user (user=…); its password is a variable, never read.
    // (It runs inside token=$(…), which is kept as text: the user is read from that text, nothing is run.)
    const login = /\/login\/\?login_only=1/.test(trimmed) ? /--data-urlencode\s+'user=([a-z0-9_.@-]+)'/i.exec(trimmed)?.[1] : undefined;
    if (login && r.login === undefined) r.login = login;
    return r;
  }
  return fromServerCommand(name as 'uapi' | 'whmapi1' | 'cpapi2', call.slice(1));
}

function newImport(source: ImportSource): ImportedRequest {
  return { source, family: 'uapi', function: '', method: 'GET', params: [], dropped: [], notes: [] };
}

/** A value as the snippet keeps it: "$NAME" alone becomes ${env:NAME}; a command's output cannot be imported. */
function valueOf(word: string, where: string): string {
  const v = onlyVariable(word);
  if (v) return `\${env:${v}}`;
  if (hasExpansion(word))
    throw new ImportError(
      `${where} uses the shell (${shownWord(word).replace(/=.*$/, '=…').slice(0, 60)}): write its value, or a single $NAME, instead.`,
    );
  return word;
}

function addParam(r: ImportedRequest, name: string, value: string): void {
  const problem = paramNameProblem(name);
  if (problem) throw new ImportError(problem);
  r.params.push({ name, value });
}

// ── URLs ────────────────────────────────────────────────────────────────────

function fromUrl(raw: string, source: ImportSource, r: ImportedRequest): ImportedRequest {
  const u = readUrl(raw, r);
  route(r, u, u.query);
  r.source = source;
  return r;
}

interface ReadUrl {
  path: string;
  query: [string, string][];
  host?: string;
  port?: number;
  secure: boolean;
}

/** The parts of a URL: the path without a cpsess token (dropped, and said so), the query in order. */
function readUrl(raw: string, r: ImportedRequest): ReadUrl {
  // A session token written as a shell variable ('https://h:2083'"$token"'/execute/…', as our curl writes it).
  let text = raw.replace(new RegExp(`${EXPANSION_START}[A-Za-z_][A-Za-z0-9_]*${EXPANSION_END}(?=/(execute|json-api)/)`), () => {
    r.dropped.push("the session token (a cpsess… prefix of the path): a snippet signs in with the server's stored credential");
    r.auth ??= 'session';
    return '';
  });
  if (hasExpansion(text)) throw new ImportError(`The URL uses the shell (${shownWord(text).slice(0, 80)}): write it out in full.`);
  const bare = text.startsWith('/');
  if (bare) text = `https://server.invalid${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ImportError(`The URL cannot be read. ${UNDERSTOOD}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ImportError(`A cPanel or WHM URL starts with https:// or http://. ${UNDERSTOOD}`);
  if (url.username || url.password) {
    r.login ??= decodeURIComponent(url.username) || undefined;
    if (url.password) r.dropped.push('the password written in the URL');
  }
  let path = url.pathname;
  const session = /^\/cpsess[^/]*(\/.*)$/i.exec(path);
  if (session) {
    path = session[1]!;
    r.dropped.push("the session token (/cpsess…/ in the URL): a snippet signs in with the server's stored credential");
    r.auth ??= 'session';
  }
  return {
    path,
    query: [...url.searchParams],
    secure: url.protocol === 'https:',
    ...(bare ? {} : { host: url.hostname.replace(/^\[|\]$/g, '') }),
    ...(url.port ? { port: Number(url.port) } : {}),
  };
}

/** Family, function, account and parameters from the path and every parameter (query, then body, in order). */
function route(r: ImportedRequest, u: ReadUrl, params: [string, string][]): void {
  const byPort = u.port !== undefined ? SERVICE_OF_PORT[u.port] : undefined;
  const exec = /^\/execute\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)\/?$/.exec(u.path);
  const json = /^\/json-api\/([A-Za-z0-9_]+)\/?$/.exec(u.path);
  let service: Service;
  if (exec) {
    r.family = 'uapi';
    r.function = `${exec[1]}/${exec[2]}`;
    for (const [k, v] of params) addParam(r, k, v);
    service = byPort && byPort.service !== 'whm' ? byPort.service : 'cpanel';
  } else if (json) {
    service = 'whm';
    readJsonApi(r, json[1]!, [...params]);
  } else {
    throw new ImportError(`The URL's path is not a cPanel or WHM API call (/execute/Module/function or /json-api/function). ${UNDERSTOOD}`);
  }
  if (u.host !== undefined)
    r.endpoint = { host: u.host, port: u.port ?? defaultPort(service, u.secure), secure: u.secure, service: byPort?.service ?? service };
  if (byPort && byPort.secure !== u.secure)
    r.notes.push(
      `Port ${u.port} is ${byPort.secure ? 'a TLS port' : 'a plain-HTTP port'}, but the URL uses ${u.secure ? 'https' : 'http'}.`,
    );
}

/** /json-api/FUNCTION?…: WHM API 1, or UAPI and API 2 on behalf of an account (cpanel, uapi_cpanel). */
function readJsonApi(r: ImportedRequest, fn: string, query: [string, string][]): void {
  const take = (name: string): string | undefined => {
    const i = query.findIndex(([k]) => k.toLowerCase() === name);
    if (i < 0) return undefined;
    const [, v] = query[i]!;
    query.splice(i, 1);
    return v;
  };
  if (fn === 'cpanel') {
    const user = take('cpanel_jsonapi_user');
    const version = take('cpanel_jsonapi_apiversion');
    const module = take('cpanel_jsonapi_module');
    const func = take('cpanel_jsonapi_func');
    take('api.version');
    if (!user || !module || !func)
      throw new ImportError('A json-api/cpanel URL needs cpanel_jsonapi_user, cpanel_jsonapi_module and cpanel_jsonapi_func.');
    if (version !== undefined && version !== '2' && version !== '3')
      throw new ImportError(`cpanel_jsonapi_apiversion=${version.slice(0, 8)} is not one Import reads: 3 is UAPI, 2 is cPanel API 2.`);
    if (version === undefined)
      r.notes.push('The URL has no cpanel_jsonapi_apiversion, so WHM runs cPanel API 2: imported as cPanel API 2.');
    r.family = version === '3' ? 'uapi' : 'api2';
    r.function = `${module}/${func}`;
    r.account = user;
  } else if (fn === 'uapi_cpanel') {
    take('api.version');
    const user = take('cpanel.user');
    const module = take('cpanel.module');
    const func = take('cpanel.function');
    if (!user || !module || !func)
      throw new ImportError('A json-api/uapi_cpanel URL needs cpanel.user, cpanel.module and cpanel.function.');
    r.family = 'uapi';
    r.function = `${module}/${func}`;
    r.account = user;
  } else {
    const version = take('api.version');
    if (version === undefined)
      r.notes.push('The URL has no api.version=1 (WHM runs the legacy API 0 then): imported as WHM API 1, which sends api.version=1.');
    else if (version !== '1') throw new ImportError(`api.version=${version.slice(0, 8)} is not WHM API 1: Import reads api.version=1.`);
    r.family = 'whm';
    r.function = fn;
  }
  for (const [k, v] of query) {
    if (isControlParam(k))
      throw new ImportError(`"${k}" appears twice or where it does not belong: the URL is ambiguous about which call it makes.`);
    addParam(r, k, v);
  }
}

// ── curl ────────────────────────────────────────────────────────────────────

/** curl options that take a value, long and short (the rest are read as flags and ignored). */
const CURL_VALUE_OPTIONS = new Set([
  '-H',
  '--header',
  '-d',
  '--data',
  '--data-raw',
  '--data-binary',
  '--data-ascii',
  '--data-urlencode',
  '-X',
  '--request',
  '-u',
  '--user',
  '-b',
  '--cookie',
  '-c',
  '--cookie-jar',
  '-F',
  '--form',
  '--form-string',
  '--url',
  '--url-query',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '-o',
  '--output',
  '--cacert',
  '--capath',
  '-E',
  '--cert',
  '--key',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-x',
  '--proxy',
  '-U',
  '--proxy-user',
  '--resolve',
  '--connect-to',
  '-w',
  '--write-out',
  '-T',
  '--upload-file',
  '-r',
  '--range',
  '--retry',
  '--limit-rate',
  '-K',
  '--config',
  '--interface',
  '--pinnedpubkey',
  '--oauth2-bearer',
  '--json',
  '-D',
  '--dump-header',
  '--max-redirs',
  '--tls-max',
  '--ciphers',
  '--cert-type',
  '--key-type',
  '--pass',
  '--noproxy',
  '--proxy-header',
  '--trace',
  '--trace-ascii',
  '--stderr',
]);

function fromCurl(args: string[]): ImportedRequest {
  const r = newImport('curl');
  const opts: { name: string; value?: string }[] = [];
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 && CURL_VALUE_OPTIONS.has(a.slice(0, eq)) ? a.slice(0, eq) : a;
      if (CURL_VALUE_OPTIONS.has(name)) {
        const value = eq > 0 && name !== a ? a.slice(eq + 1) : args[++i];
        if (value === undefined) throw new ImportError(`curl's ${name} needs a value.`);
        opts.push({ name, value });
      } else opts.push({ name });
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // A cluster of short options (-sSk, -XPOST, -H'…'): a letter that takes a value takes the rest, or the next word.
      for (let j = 1; j < a.length; j++) {
        const name = `-${a[j]}`;
        if (CURL_VALUE_OPTIONS.has(name)) {
          const rest = a.slice(j + 1);
          const value = rest || args[++i];
          if (value === undefined) throw new ImportError(`curl's ${name} needs a value.`);
          opts.push({ name, value });
          break;
        }
        opts.push({ name });
      }
      continue;
    }
    urls.push(a);
  }
  for (const o of opts) if (o.name === '--url' && o.value !== undefined) urls.push(o.value);
  if (urls.length !== 1)
    throw new ImportError(
      urls.length ? `The curl line names ${urls.length} URLs: import one call at a time.` : `The curl line names no URL. ${UNDERSTOOD}`,
    );
  const url = readUrl(urls[0]!, r);
  const query: { name: string; value: string }[] = [];
  let method: string | undefined;
  let get = false;
  let json: string | undefined;
  const form: { name: string; value: string }[] = [];
  const files: { name: string; path: string }[] = [];
  const ignoredHeaders = new Set<string>();
  for (const o of opts) {
    const v = o.value ?? '';
    switch (o.name) {
      case '-X':
      case '--request':
        method = v.toUpperCase();
        break;
      case '-G':
      case '--get':
        get = true;
        break;
      case '-H':
      case '--header':
        header(r, v, ignoredHeaders, (t) => (json = t === 'json' ? (json ?? '') : json));
        break;
      case '-u':
      case '--user': {
        const user = v.split(':')[0] ?? '';
        r.login = hasExpansion(user) ? undefined : user;
        r.auth ??= 'password';
        if (v.includes(':')) r.dropped.push(`the password for ${r.login ?? 'the user'} (--user)`);
        break;
      }
      case '-b':
      case '--cookie':
        r.dropped.push("the cookies (-b): a snippet signs in with the server's stored credential");
        r.auth ??= 'session';
        break;
      case '--oauth2-bearer':
        r.dropped.push('the bearer token (--oauth2-bearer)');
        break;
      case '-d':
      case '--data':
      case '--data-raw':
      case '--data-binary':
      case '--data-ascii':
        if (o.name !== '--data-raw' && v.startsWith('@'))
          throw new ImportError(`curl's ${o.name} @FILE reads a file, which Import does not: paste the data itself.`);
        if (json !== undefined || /^\s*[[{]/.test(v)) {
          json = v;
          break;
        }
        for (const [k, x] of new URLSearchParams(valueOf(v, `curl's ${o.name}`))) form.push({ name: k, value: x });
        break;
      case '--json':
        json = v;
        break;
      case '--data-urlencode':
      case '--url-query': {
        const eq = v.indexOf('=');
        if (eq <= 0)
          throw new ImportError(
            `curl's ${o.name} "${eq < 0 ? 'VALUE' : '=VALUE'}" has no parameter name: Import reads ${o.name} 'name=value'.`,
          );
        if (v.slice(eq + 1).startsWith('@'))
          throw new ImportError(`curl's ${o.name} name@FILE reads a file, which Import does not: paste the value itself.`);
        const name = v.slice(0, eq);
        const entry = { name, value: valueOf(v.slice(eq + 1), `The parameter "${name}"`) };
        if (o.name === '--url-query') query.push(entry);
        else form.push(entry);
        break;
      }
      case '-F':
      case '--form':
      case '--form-string': {
        const eq = v.indexOf('=');
        if (eq <= 0) throw new ImportError(`curl's ${o.name} needs name=value or name=@FILE.`);
        const name = v.slice(0, eq);
        const value = v.slice(eq + 1);
        if (o.name !== '--form-string' && value.startsWith('@')) {
          const path = value
            .slice(1)
            .replace(/^"(.*)"$/, '$1')
            .replace(/;type=[^;]*$/, '');
          const problem = workspacePathProblem(path);
          if (problem) throw new ImportError(`The file for "${name}": ${problem}. A snippet uploads files of its workspace only.`);
          files.push({ name, path });
        } else form.push({ name, value: valueOf(value, `The field "${name}"`) });
        break;
      }
      case '-T':
      case '--upload-file':
        throw new ImportError("curl's --upload-file (-T) sends a file as the whole body, which a cPanel or WHM API call does not take.");
      default:
        break;
    }
  }
  if (ignoredHeaders.size) r.notes.push(`Headers that do not change the call were left out: ${[...ignoredHeaders].sort().join(', ')}.`);
  const hasBody = form.length > 0 || !!json || files.length > 0;
  if (method && method !== 'GET' && method !== 'POST')
    throw new ImportError(`curl -X ${method.slice(0, 10)}: cPanel and WHM APIs take GET or POST.`);
  if (get && json) throw new ImportError('curl -G with a JSON body: a JSON body goes with a POST.');
  // -G puts the data in the query: a GET. Every parameter, the URL's first, then the body's, in order.
  r.method = !get && (method === 'POST' || hasBody) ? 'POST' : 'GET';
  route(r, url, [...url.query, ...[...query, ...form].map((p) => [p.name, p.value] as [string, string])]);
  if (json !== undefined && json !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(valueOf(json, 'The JSON body'));
    } catch {
      throw new ImportError('The curl line sends a JSON body that is not valid JSON.');
    }
    r.body = { json: parsed };
    r.method = 'POST';
  }
  if (files.length) {
    if (r.body) throw new ImportError('The curl line sends both a JSON body and files: a request has one body.');
    r.body = { files };
    r.method = 'POST';
  }
  return r;
}

/** One -H header: credentials dropped (their user kept), the content type noted, the rest left out by name. */
function header(r: ImportedRequest, h: string, ignored: Set<string>, contentType: (t: 'json' | 'other') => void): void {
  const colon = h.indexOf(':');
  const name = (colon < 0 ? h : h.slice(0, colon)).trim().toLowerCase();
  const value = colon < 0 ? '' : h.slice(colon + 1).trim();
  if (name === 'authorization') {
    const m = /^(\S+)\s+(.*)$/.exec(value);
    const scheme = (m?.[1] ?? '').toLowerCase();
    const cred = m?.[2] ?? '';
    if (scheme === 'cpanel' || scheme === 'whm') {
      const user = cred.split(':')[0] ?? '';
      if (user && !hasExpansion(user)) r.login = user;
      // A WHM access hash is hundreds of characters; an API token is 32.
      const secret = cred.slice(cred.indexOf(':') + 1);
      r.auth = scheme === 'whm' && secret.replace(/\s/g, '').length > 64 ? 'accesshash' : 'token';
      r.dropped.push(
        `the Authorization header (${scheme === 'cpanel' ? 'cpanel' : 'WHM'} ${r.login ?? 'user'}:…, ${r.auth === 'accesshash' ? 'an access hash' : 'an API token'})`,
      );
    } else if (scheme === 'basic') {
      let user: string | undefined;
      try {
        user = hasExpansion(cred) ? undefined : Buffer.from(cred, 'base64').toString('utf8').split(':')[0];
      } catch {
        user = undefined;
      }
      if (user && /^[A-Za-z0-9_.@-]+$/.test(user)) r.login = user;
      r.auth = 'password';
      r.dropped.push(`the Authorization header (Basic: ${r.login ?? 'a user'}'s password)`);
    } else r.dropped.push('the Authorization header');
    return;
  }
  if (name === 'cookie') {
    r.dropped.push("the Cookie header (a session cookie): a snippet signs in with the server's stored credential");
    r.auth ??= 'session';
    return;
  }
  if (name === 'x-cpanel-otp') {
    r.dropped.push("the two-factor code (X-CPANEL-OTP): the server's stored TOTP secret makes a fresh one");
    return;
  }
  if (name === 'content-type') {
    contentType(/json/i.test(value) ? 'json' : 'other');
    return;
  }
  if (name === 'proxy-authorization') {
    r.dropped.push('the Proxy-Authorization header');
    return;
  }
  if (name) ignored.add(name);
}

// ── uapi, whmapi1, cpapi2 on the server ─────────────────────────────────────

function fromServerCommand(program: 'uapi' | 'whmapi1' | 'cpapi2', args: string[]): ImportedRequest {
  const r = newImport(program);
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--user' || a === '-u') {
      r.account = args[++i];
      continue;
    }
    if (a.startsWith('--user=')) {
      r.account = a.slice('--user='.length);
      continue;
    }
    if (/^--output(=|$)/.test(a)) {
      if (a === '--output') i++;
      continue;
    }
    if (a.startsWith('--')) {
      r.notes.push(`${a.split('=')[0]} was left out: it changes how ${program} prints, not the call.`);
      continue;
    }
    rest.push(a);
  }
  if (r.account !== undefined && (hasExpansion(r.account) || !/^[a-z0-9_.-]+$/.test(r.account)))
    throw new ImportError('--user must name a cPanel account (lowercase letters, digits, _ . -).');
  const named = program === 'whmapi1' ? 1 : 2;
  const head = rest.slice(0, named);
  if (head.length < named || head.some((w) => w.includes('=') || hasExpansion(w))) {
    throw new ImportError(
      program === 'whmapi1'
        ? 'whmapi1 needs a function name: whmapi1 [--output=jsonpretty] function key=value…'
        : `${program} needs a module and a function: ${program} --user=USER Module function key=value…`,
    );
  }
  if (program === 'whmapi1') {
    if (r.account !== undefined) throw new ImportError('whmapi1 runs as root: it takes no --user.');
    r.family = 'whm';
    r.function = head[0]!;
  } else {
    r.family = program === 'cpapi2' ? 'api2' : 'uapi';
    r.function = `${head[0]}/${head[1]}`;
    if (program === 'cpapi2' && r.account === undefined)
      throw new ImportError('cpapi2 needs --user=USER: cPanel API 2 runs as an account.');
  }
  for (const w of rest.slice(named)) {
    const eq = w.indexOf('=');
    if (eq <= 0)
      throw new ImportError(`"${shownWord(w).slice(0, 40)}" is not key=value: ${program} parameters are written like domain=example.com.`);
    const name = w.slice(0, eq);
    // The command line tools read URI-encoded values (as cPanel's docs say to write them).
    const raw = valueOf(w.slice(eq + 1), `The parameter "${name}"`);
    let value = raw;
    if (!raw.startsWith('${env:')) {
      try {
        value = decodeURIComponent(raw.replace(/\+/g, '%20'));
      } catch {
        value = raw;
      }
    }
    addParam(r, name, value);
  }
  return r;
}

// ── the snippet ─────────────────────────────────────────────────────────────

/** The configured server a request was sent to: same host (case-insensitive) and port; a service that fits. */
export function matchServer(imp: ImportedRequest, profiles: readonly ServerProfile[]): ServerProfile | undefined {
  if (!imp.endpoint) return undefined;
  const e = imp.endpoint;
  const same = profiles.filter((p) => p.host.toLowerCase() === e.host.toLowerCase() && p.port === e.port);
  if (same.length <= 1) return same[0];
  // Several profiles for one host and port (other users): the one that signs in as the text's user.
  return (
    same.find((p) => imp.login !== undefined && p.username === imp.login) ??
    same.find((p) => imp.account !== undefined && p.username === imp.account) ??
    same[0]
  );
}

export interface ImportedSnippet {
  snippet: Snippet;
  text: string;
  /** Every secret left out, and each secret parameter made a placeholder: what to tell the person. */
  dropped: string[];
  notes: string[];
  /** The configured server it was matched to, when one was. */
  server?: ServerProfile;
}

/**
 * The imported request as a snippet for `server` (a configured profile; without one, the label is the
 * host the text names, or SERVER). Secret parameters become ${env:CPANEL_PARAM_NAME}.
 */
export function importedSnippet(imp: ImportedRequest, server: ServerProfile | undefined, fallbackLabel?: string): ImportedSnippet {
  const dropped = [...imp.dropped];
  const notes = [...imp.notes];
  const params = imp.params.map((p) => {
    if (!isSecretParam(p.name) || p.value === '' || /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(p.value)) return p;
    const env = secretParamEnv(p.name);
    dropped.push(`the value of "${p.name}": the snippet reads it from \${env:${env}}`);
    return { name: p.name, value: `\${env:${env}}` };
  });
  // A value that is not a secret by name but is written as ${…} in the text would be read as a placeholder: that is what $NAME became.
  let account = imp.account;
  const family = imp.family;
  if (server && family !== 'whm' && FAMILIES[family].direct.includes(server.service)) {
    // Straight to a cPanel or Webmail server: the call runs as the server's own user.
    if (account !== undefined && account !== server.username)
      notes.push(`The text calls it as ${account}; on ${server.label} it runs as ${server.username}.`);
    account = undefined;
  }
  if (server?.service === 'whm' && family !== 'whm' && account === undefined) {
    throw new ImportError(
      `${FAMILIES[family].name} through the WHM server ${server.label} needs the account to call it for: the text names none (give uapi --user=USER).`,
    );
  }
  const label = server?.label ?? fallbackLabel ?? imp.endpoint?.host ?? 'SERVER';
  if (!server)
    notes.push(
      `No configured server matches${imp.endpoint ? ` ${imp.endpoint.host}:${imp.endpoint.port}` : ' (the text names no server)'}: the snippet names "${label}"; add a server with that label or change "server".`,
    );
  const hasSecretParam = params.some((p) => p.value.startsWith('${env:') && isSecretParam(p.name));
  const snippet: Snippet = {
    version: 1,
    server: label,
    family,
    function: imp.function,
    ...(account !== undefined ? { account } : {}),
    method: imp.body || hasSecretParam ? 'POST' : imp.method,
    params: params.map((p) => ({ name: p.name, value: neutralizePlaceholders(p.value) })),
    ...(imp.body ? { body: imp.body } : {}),
  };
  const text = serializeSnippet(snippet);
  const check = parseSnippet(text);
  if (!check.ok)
    throw new ImportError(
      `The call cannot be a snippet: ${check.problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.message)
        .join(' ')}`,
    );
  return { snippet, text, dropped, notes, ...(server ? { server } : {}) };
}

/**
 * A value from the text that happens to contain "${…}" would be read as a placeholder when the snippet
 * runs; snippets have no escape for it, so such a value is refused rather than changed in meaning.
 */
function neutralizePlaceholders(v: string): string {
  if (/^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(v)) return v;
  if (/\$\{(env:|row\.)?[A-Za-z0-9_][A-Za-z0-9_.-]*\}/.test(v))
    throw new ImportError('A parameter value contains "${…}", which a snippet would read as a placeholder: change it in the text first.');
  return v;
}
