/**
 * Messages between the request builder webview and the extension host. Both sides import these
 * types; every message that arrives is checked by the validators below before it is used, because
 * the other side is another process that could send anything.
 */

import { isFamily, PARAM_NAME, type Family, type NamedParam, type Service, type Shaping } from './families';
import { emptyShaping, parseShaping } from './shaping';

export type { Shaping } from './families';
export type BuilderFamily = Family;
/** Copy as: a program in one of these languages, or the command on the server itself (whmapi1, uapi, cpapi2). */
export type CodeLanguage = 'curl' | 'perl' | 'php' | 'python' | 'node' | 'server';
export const CODE_LANGUAGES: readonly CodeLanguage[] = ['curl', 'perl', 'php', 'python', 'node', 'server'];
export type BuilderParam = NamedParam;

/** A body other than the form: a JSON document, or files (each under a field name, chosen with the host's file dialog). */
export type BuilderBody = { kind: 'none' } | { kind: 'json'; text: string } | { kind: 'files'; files: { name: string; path: string }[] };

export interface BuilderState {
  serverId: string;
  family: BuilderFamily;
  account: string;
  functionName: string;
  method: 'GET' | 'POST';
  /** GET chosen although a parameter holds a secret: the person's own choice, warned about. */
  secretInUrl?: boolean;
  params: BuilderParam[];
  shaping: Shaping;
  body: BuilderBody;
}

export interface ServerSummary {
  id: string;
  label: string;
  service: Service;
  description: string;
}

export interface FunctionSummary {
  family: 'uapi' | 'whm';
  name: string;
  title: string;
  method: 'GET' | 'POST';
  docs: string;
  /** `body`: a JSON body field or a file upload field, not a form parameter. */
  params: { name: string; type: string; required: boolean; values?: string[]; body?: 'json' | 'file' }[];
}

export interface ResultSummary {
  ok: boolean;
  kind: string;
  verdict: string;
  status: number;
  ms: number;
  hint?: string;
  errors: string[];
}

/**
 * `seq`: a reply carries the seq of the request it answers (as vscode-pull-request-github's webviews
 * do), so the page can tell a late answer to an older request from the answer to its newest one.
 */
export type HostToWebview =
  | { type: 'init'; servers: ServerSummary[]; functions: FunctionSummary[]; state?: BuilderState }
  | { type: 'servers'; servers: ServerSummary[] }
  | { type: 'accounts'; seq?: number; serverId: string; accounts: { user: string; domain: string }[]; error?: string }
  /** The send with this seq passed its checks and is on its way. */
  | { type: 'sending'; seq?: number }
  | { type: 'result'; seq?: number; result: ResultSummary }
  | { type: 'file'; seq?: number; index: number; path: string }
  /** The end of the request with this seq (for a send: it was not sent, or it failed before an answer). */
  | { type: 'notice'; seq?: number; level: 'info' | 'error'; message: string }
  /** Ctrl/Cmd+Enter (a keybinding of the host): send the form as it is. */
  | { type: 'sendNow' };

/** `seq`: numbered by the page, one number per request, echoed in the host's reply. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'loadAccounts'; seq?: number; serverId: string }
  | { type: 'send'; seq?: number; state: BuilderState }
  /** Send to every server of a group the host asks for. */
  | { type: 'sendGroup'; seq?: number; state: BuilderState }
  /** Run the form once for each row of a CSV or JSON file (its ${row.COLUMN} placeholders filled from the row). */
  | { type: 'runRows'; seq?: number; state: BuilderState }
  | { type: 'save'; seq?: number; state: BuilderState }
  | { type: 'copy'; seq?: number; language: CodeLanguage; state: BuilderState }
  | { type: 'openDocs'; url: string }
  /** Asks the host to choose a file for body file row `index`: the webview cannot read the disk. */
  | { type: 'pickFile'; seq?: number; index: number }
  /** The Cancel button (or Escape in the page) while the send with this seq runs. */
  | { type: 'cancel'; seq?: number };

export const EMPTY_SHAPING: Shaping = emptyShaping();

export function emptyState(): BuilderState {
  return {
    serverId: '',
    family: 'uapi',
    account: '',
    functionName: '',
    method: 'GET',
    params: [],
    shaping: emptyShaping(),
    body: { kind: 'none' },
  };
}

// ── validation ──────────────────────────────────────────────────────────────

const MAX_TEXT = 64 * 1024;
const MAX_PARAMS = 500;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;

/** A builder state from the webview, or undefined when anything about it is off. */
export function parseState(v: unknown): BuilderState | undefined {
  if (!isObj(v)) return undefined;
  if (!str(v.serverId, 200) || !str(v.account, 64) || !str(v.functionName, 200)) return undefined;
  if (!isFamily(v.family)) return undefined;
  if (v.method !== 'GET' && v.method !== 'POST') return undefined;
  if (v.secretInUrl !== undefined && typeof v.secretInUrl !== 'boolean') return undefined;
  if (v.account && !/^[a-z0-9_.-]+$/.test(v.account)) return undefined;
  if (v.functionName && !/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)?$/.test(v.functionName)) return undefined;
  if (!Array.isArray(v.params) || v.params.length > MAX_PARAMS) return undefined;
  const params: BuilderParam[] = [];
  for (const p of v.params) {
    // An empty name is a row being typed; anything else must be a name cPanel can have.
    if (!isObj(p) || !str(p.name, 256) || !str(p.value) || (p.name !== '' && !PARAM_NAME.test(p.name))) return undefined;
    params.push({ name: p.name, value: p.value });
  }
  const sh = parseShaping(v.shaping ?? {});
  if (!sh) return undefined;
  const body = parseBody(v.body ?? { kind: 'none' });
  if (!body) return undefined;
  return {
    serverId: v.serverId,
    family: v.family,
    account: v.account,
    functionName: v.functionName,
    method: v.method,
    ...(v.secretInUrl === true && v.method === 'GET' ? { secretInUrl: true } : {}),
    params,
    shaping: sh,
    body,
  };
}

function parseBody(v: unknown): BuilderBody | undefined {
  if (!isObj(v)) return undefined;
  if (v.kind === 'none') return { kind: 'none' };
  if (v.kind === 'json') return str(v.text, 1024 * 1024) ? { kind: 'json', text: v.text } : undefined;
  if (v.kind !== 'files' || !Array.isArray(v.files) || v.files.length > 20) return undefined;
  const files: { name: string; path: string }[] = [];
  for (const f of v.files) {
    if (!isObj(f) || !str(f.name, 256) || !str(f.path, 4096) || (f.name !== '' && !PARAM_NAME.test(f.name))) return undefined;
    files.push({ name: f.name, path: f.path });
  }
  return { kind: 'files', files };
}

/** A request number: a positive safe integer. */
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/** `{ seq }` when the message has a valid one, `{}` when it has none; undefined when it has a bad one. */
function seqOf(v: Obj): { seq?: number } | undefined {
  if (v.seq === undefined) return {};
  return isSeq(v.seq) ? { seq: v.seq } : undefined;
}

/** Checks a message from the webview; returns it typed, or undefined to be ignored. */
export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  const seq = seqOf(v);
  if (!seq) return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'loadAccounts':
      return str(v.serverId, 200) && v.serverId ? { type: 'loadAccounts', ...seq, serverId: v.serverId } : undefined;
    case 'send':
    case 'sendGroup':
    case 'runRows':
    case 'save': {
      const state = parseState(v.state);
      return state ? { type: v.type, ...seq, state } : undefined;
    }
    case 'copy': {
      const state = parseState(v.state);
      const language = v.language;
      if (!state || !(CODE_LANGUAGES as readonly unknown[]).includes(language)) return undefined;
      return { type: 'copy', ...seq, language: language as CodeLanguage, state };
    }
    case 'openDocs':
      return str(v.url, 2048) && /^https:\/\/(api\.)?docs\.cpanel\.net\//.test(v.url) ? { type: 'openDocs', url: v.url } : undefined;
    case 'pickFile':
      return isIndex(v.index, 20) ? { type: 'pickFile', ...seq, index: v.index } : undefined;
    case 'cancel':
      return { type: 'cancel', ...seq };
    default:
      return undefined;
  }
}

const isIndex = (v: unknown, below: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < below;

// ── what the host sends: checked as strictly, and rebuilt from known fields only ──

const MAX_SERVERS = 10_000;
const MAX_FUNCTIONS = 20_000;
const MAX_FN_PARAMS = 2_000;
const MAX_VALUES = 2_000;
const MAX_ACCOUNTS = 200_000;
const MAX_ERRORS = 1_000;
const SERVICES: readonly Service[] = ['cpanel', 'whm', 'webmail'];

/** Every item through `parse`, or undefined when it is not an array, is too long, or one item is off. */
function arrayOf<T>(v: unknown, max: number, parse: (x: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(v) || v.length > max) return undefined;
  const out: T[] = [];
  for (const x of v) {
    const p = parse(x);
    if (p === undefined) return undefined;
    out.push(p);
  }
  return out;
}

function parseServer(v: unknown): ServerSummary | undefined {
  if (!isObj(v) || !str(v.id, 200) || !v.id || !str(v.label, 200) || !str(v.description, 1024)) return undefined;
  if (!(SERVICES as readonly unknown[]).includes(v.service)) return undefined;
  return { id: v.id, label: v.label, service: v.service as Service, description: v.description };
}

function parseFnParam(v: unknown): FunctionSummary['params'][number] | undefined {
  if (!isObj(v) || !str(v.name, 256) || !str(v.type, 64) || typeof v.required !== 'boolean') return undefined;
  const values = v.values === undefined ? undefined : arrayOf(v.values, MAX_VALUES, (x) => (str(x, 1024) ? x : undefined));
  if (v.values !== undefined && !values) return undefined;
  if (v.body !== undefined && v.body !== 'json' && v.body !== 'file') return undefined;
  return { name: v.name, type: v.type, required: v.required, ...(values ? { values } : {}), ...(v.body ? { body: v.body } : {}) };
}

function parseFunction(v: unknown): FunctionSummary | undefined {
  if (!isObj(v) || (v.family !== 'uapi' && v.family !== 'whm')) return undefined;
  if (!str(v.name, 200) || !v.name || !str(v.title, 1024) || !str(v.docs, 2048)) return undefined;
  if (v.method !== 'GET' && v.method !== 'POST') return undefined;
  const params = arrayOf(v.params, MAX_FN_PARAMS, parseFnParam);
  return params ? { family: v.family, name: v.name, title: v.title, method: v.method, docs: v.docs, params } : undefined;
}

function parseAccount(v: unknown): { user: string; domain: string } | undefined {
  return isObj(v) && str(v.user, 64) && str(v.domain, 256) ? { user: v.user, domain: v.domain } : undefined;
}

const strings = (v: unknown, max: number): string[] | undefined => arrayOf(v, max, (x) => (str(x) ? x : undefined));

function parseResultSummary(v: unknown): ResultSummary | undefined {
  if (!isObj(v) || typeof v.ok !== 'boolean' || !str(v.kind, 64) || !str(v.verdict, 256)) return undefined;
  if (!Number.isInteger(v.status) || (v.status as number) < 0 || (v.status as number) > 999) return undefined;
  if (typeof v.ms !== 'number' || !Number.isFinite(v.ms) || v.ms < 0) return undefined;
  if (v.hint !== undefined && !str(v.hint)) return undefined;
  const errors = strings(v.errors, MAX_ERRORS);
  if (!errors) return undefined;
  return {
    ok: v.ok,
    kind: v.kind,
    verdict: v.verdict,
    status: v.status as number,
    ms: v.ms,
    ...(v.hint !== undefined ? { hint: v.hint } : {}),
    errors,
  };
}

/** Checks a message from the host as strictly as the host checks the page's: typed, or undefined to be ignored. */
export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  const seq = seqOf(v);
  if (!seq) return undefined;
  switch (v.type) {
    case 'init': {
      const servers = arrayOf(v.servers, MAX_SERVERS, parseServer);
      const functions = arrayOf(v.functions, MAX_FUNCTIONS, parseFunction);
      const state = v.state === undefined ? undefined : parseState(v.state);
      if (!servers || !functions || (v.state !== undefined && !state)) return undefined;
      return { type: 'init', servers, functions, ...(state ? { state } : {}) };
    }
    case 'servers': {
      const servers = arrayOf(v.servers, MAX_SERVERS, parseServer);
      return servers ? { type: 'servers', servers } : undefined;
    }
    case 'accounts': {
      const accounts = arrayOf(v.accounts, MAX_ACCOUNTS, parseAccount);
      if (!str(v.serverId, 200) || !accounts || (v.error !== undefined && !str(v.error))) return undefined;
      return { type: 'accounts', ...seq, serverId: v.serverId, accounts, ...(v.error !== undefined ? { error: v.error } : {}) };
    }
    case 'sending':
      return { type: 'sending', ...seq };
    case 'result': {
      const result = parseResultSummary(v.result);
      return result ? { type: 'result', ...seq, result } : undefined;
    }
    case 'notice':
      return (v.level === 'info' || v.level === 'error') && str(v.message)
        ? { type: 'notice', ...seq, level: v.level, message: v.message }
        : undefined;
    case 'file':
      return isIndex(v.index, 20) && str(v.path, 4096) ? { type: 'file', ...seq, index: v.index, path: v.path } : undefined;
    case 'sendNow':
      return { type: 'sendNow' };
    default:
      return undefined;
  }
}
