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

export type HostToWebview =
  | { type: 'init'; servers: ServerSummary[]; functions: FunctionSummary[]; state?: BuilderState }
  | { type: 'servers'; servers: ServerSummary[] }
  | { type: 'accounts'; serverId: string; accounts: { user: string; domain: string }[]; error?: string }
  | { type: 'sending' }
  | { type: 'result'; result: ResultSummary }
  | { type: 'file'; index: number; path: string }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  /** Ctrl/Cmd+Enter (a keybinding of the host): send the form as it is. */
  | { type: 'sendNow' };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'loadAccounts'; serverId: string }
  | { type: 'send'; state: BuilderState }
  /** Send to every server of a group the host asks for. */
  | { type: 'sendGroup'; state: BuilderState }
  | { type: 'save'; state: BuilderState }
  | { type: 'copy'; language: CodeLanguage; state: BuilderState }
  | { type: 'openDocs'; url: string }
  /** Asks the host to choose a file for body file row `index`: the webview cannot read the disk. */
  | { type: 'pickFile'; index: number };

export const EMPTY_SHAPING: Shaping = emptyShaping();

export function emptyState(): BuilderState {
  return { serverId: '', family: 'uapi', account: '', functionName: '', method: 'GET', params: [], shaping: emptyShaping(), body: { kind: 'none' } };
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

/** Checks a message from the webview; returns it typed, or undefined to be ignored. */
export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'loadAccounts':
      return str(v.serverId, 200) && v.serverId ? { type: 'loadAccounts', serverId: v.serverId } : undefined;
    case 'send':
    case 'sendGroup':
    case 'save': {
      const state = parseState(v.state);
      return state ? { type: v.type, state } : undefined;
    }
    case 'copy': {
      const state = parseState(v.state);
      const language = v.language;
      if (!state || !(CODE_LANGUAGES as readonly unknown[]).includes(language)) return undefined;
      return { type: 'copy', language: language as CodeLanguage, state };
    }
    case 'openDocs':
      return str(v.url, 2048) && /^https:\/\/(api\.)?docs\.cpanel\.net\//.test(v.url) ? { type: 'openDocs', url: v.url } : undefined;
    case 'pickFile':
      return Number.isInteger(v.index) && (v.index as number) >= 0 && (v.index as number) < 20 ? { type: 'pickFile', index: v.index as number } : undefined;
    default:
      return undefined;
  }
}

/** Checks a message from the host (the webview trusts its host less than blindly). */
export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'init':
      return Array.isArray(v.servers) && Array.isArray(v.functions) && (v.state === undefined || parseState(v.state)) ? (v as unknown as HostToWebview) : undefined;
    case 'servers':
      return Array.isArray(v.servers) ? (v as unknown as HostToWebview) : undefined;
    case 'accounts':
      return str(v.serverId) && Array.isArray(v.accounts) ? (v as unknown as HostToWebview) : undefined;
    case 'sending':
      return { type: 'sending' };
    case 'result':
      return isObj(v.result) && typeof v.result.kind === 'string' ? (v as unknown as HostToWebview) : undefined;
    case 'notice':
      return (v.level === 'info' || v.level === 'error') && str(v.message) ? { type: 'notice', level: v.level, message: v.message } : undefined;
    case 'file':
      return Number.isInteger(v.index) && str(v.path, 4096) ? { type: 'file', index: v.index as number, path: v.path } : undefined;
    case 'sendNow':
      return { type: 'sendNow' };
    default:
      return undefined;
  }
}
