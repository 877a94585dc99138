/**
 * Messages between the request builder webview and the extension host. Both sides import these
 * types; every message that arrives is checked by the validators below before it is used, because
 * the other side is another process that could send anything.
 */

export type BuilderFamily = 'uapi' | 'whm' | 'api2';
export type CodeLanguage = 'curl' | 'perl' | 'php' | 'python';

export interface BuilderParam {
  name: string;
  value: string;
}

/** Output shaping, turned into api.* parameters by shapingParams(). Empty strings mean "not set". */
export interface Shaping {
  sortField: string;
  sortReverse: boolean;
  filterField: string;
  filterType: string;
  filterValue: string;
  pageSize: string;
  pageStart: string;
  columns: string;
}

export interface BuilderState {
  serverId: string;
  family: BuilderFamily;
  account: string;
  functionName: string;
  method: 'GET' | 'POST';
  params: BuilderParam[];
  shaping: Shaping;
}

export interface ServerSummary {
  id: string;
  label: string;
  service: 'cpanel' | 'whm' | 'webmail';
  description: string;
}

export interface FunctionSummary {
  family: 'uapi' | 'whm';
  name: string;
  title: string;
  method: 'GET' | 'POST';
  docs: string;
  params: { name: string; type: string; required: boolean; values?: string[] }[];
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
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'loadAccounts'; serverId: string }
  | { type: 'send'; state: BuilderState }
  | { type: 'save'; state: BuilderState }
  | { type: 'copy'; language: CodeLanguage; state: BuilderState }
  | { type: 'openDocs'; url: string };

export const EMPTY_SHAPING: Shaping = { sortField: '', sortReverse: false, filterField: '', filterType: 'contains', filterValue: '', pageSize: '', pageStart: '', columns: '' };

export function emptyState(): BuilderState {
  return { serverId: '', family: 'uapi', account: '', functionName: '', method: 'GET', params: [], shaping: { ...EMPTY_SHAPING } };
}

// ── validation ──────────────────────────────────────────────────────────────

const MAX_TEXT = 64 * 1024;
const MAX_PARAMS = 500;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;

function shaping(v: unknown): Shaping | undefined {
  if (!isObj(v)) return undefined;
  const out: Partial<Shaping> = {};
  for (const k of ['sortField', 'filterField', 'filterType', 'filterValue', 'pageSize', 'pageStart', 'columns'] as const) {
    const x = v[k] ?? '';
    if (!str(x, 4096)) return undefined;
    out[k] = x;
  }
  if (typeof (v.sortReverse ?? false) !== 'boolean') return undefined;
  out.sortReverse = (v.sortReverse as boolean | undefined) ?? false;
  if (!['contains', 'eq', 'begins', ''].includes(out.filterType!)) return undefined;
  if ((out.pageSize && !/^\d{1,6}$/.test(out.pageSize)) || (out.pageStart && !/^\d{1,9}$/.test(out.pageStart))) return undefined;
  return out as Shaping;
}

/** A builder state from the webview, or undefined when anything about it is off. */
export function parseState(v: unknown): BuilderState | undefined {
  if (!isObj(v)) return undefined;
  if (!str(v.serverId, 200) || !str(v.account, 64) || !str(v.functionName, 200)) return undefined;
  if (v.family !== 'uapi' && v.family !== 'whm' && v.family !== 'api2') return undefined;
  if (v.method !== 'GET' && v.method !== 'POST') return undefined;
  if (v.account && !/^[a-z0-9_.-]+$/.test(v.account)) return undefined;
  if (v.functionName && !/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)?$/.test(v.functionName)) return undefined;
  if (!Array.isArray(v.params) || v.params.length > MAX_PARAMS) return undefined;
  const params: BuilderParam[] = [];
  for (const p of v.params) {
    if (!isObj(p) || !str(p.name, 256) || !str(p.value)) return undefined;
    params.push({ name: p.name, value: p.value });
  }
  const sh = shaping(v.shaping ?? {});
  if (!sh) return undefined;
  return { serverId: v.serverId, family: v.family, account: v.account, functionName: v.functionName, method: v.method, params, shaping: sh };
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
    case 'save': {
      const state = parseState(v.state);
      return state ? { type: v.type, state } : undefined;
    }
    case 'copy': {
      const state = parseState(v.state);
      const language = v.language;
      if (!state || (language !== 'curl' && language !== 'perl' && language !== 'php' && language !== 'python')) return undefined;
      return { type: 'copy', language, state };
    }
    case 'openDocs':
      return str(v.url, 2048) && /^https:\/\/(api\.)?docs\.cpanel\.net\//.test(v.url) ? { type: 'openDocs', url: v.url } : undefined;
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
    default:
      return undefined;
  }
}

/** Output shaping as the family's api.* parameters (WHM API 1 and UAPI name them differently). */
export function shapingParams(family: BuilderFamily, s: Shaping): BuilderParam[] {
  const out: BuilderParam[] = [];
  const add = (name: string, value: string): void => void out.push({ name, value });
  if (family === 'whm') {
    if (s.sortField) {
      add('api.sort.enable', '1');
      add('api.sort.a.field', s.sortField);
      if (s.sortReverse) add('api.sort.a.reverse', '1');
    }
    if (s.filterField) {
      add('api.filter.enable', '1');
      add('api.filter.a.field', s.filterField);
      add('api.filter.a.type', s.filterType || 'contains');
      add('api.filter.a.arg0', s.filterValue);
    }
    if (s.pageSize) {
      add('api.chunk.enable', '1');
      add('api.chunk.size', s.pageSize);
      add('api.chunk.start', s.pageStart || '1');
    }
    const cols = s.columns.split(',').map((c) => c.trim()).filter(Boolean);
    if (cols.length) {
      add('api.columns.enable', '1');
      cols.slice(0, 26).forEach((c, i) => add(`api.columns.${String.fromCharCode(97 + i)}`, c));
    }
  } else if (family === 'uapi') {
    if (s.sortField) {
      add('api.sort_column', s.sortField);
      if (s.sortReverse) add('api.sort_reverse', '1');
    }
    if (s.filterField) {
      add('api.filter_column', s.filterField);
      add('api.filter_type', s.filterType || 'contains');
      add('api.filter_term', s.filterValue);
    }
    if (s.pageSize) {
      add('api.paginate_size', s.pageSize);
      add('api.paginate_start', s.pageStart || '1');
    }
  }
  return out;
}
