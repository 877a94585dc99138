/**
 * Messages between a result view (webview) and the extension host, with validators for what
 * arrives from the webview. Everything in a view came from a server: the webview shows it as text.
 */

import type { PageInfo } from './shaping';

export interface ResultCheck {
  pass: boolean;
  label: string;
  message?: string;
}

/** A data run's rows: how many, and how many passed and failed. */
export interface RowCounts {
  total: number;
  passed: number;
  failed: number;
}

/** One result as the view shows it. `data` is the answer's data, already redacted. */
export interface ResultView {
  title: string;
  ok: boolean;
  kind: string;
  verdict: string;
  status: number;
  ms: number;
  /** "3.4 KB". */
  size: string;
  server: string;
  account?: string;
  /** "WHM API 1 listaccts". */
  what: string;
  hint?: string;
  errors: string[];
  warnings: string[];
  messages: string[];
  checks?: ResultCheck[];
  data: unknown;
  /** The body as received (scrubbed), cut at a size the view can hold. */
  raw: string;
  rawCut: boolean;
  contentType: string;
  request: { method: string; url: string; body?: string; headers?: [string, string][] };
  headers: [string, string][];
  page?: PageInfo;
  /** Set when the rows were fetched page by page: how many pages. */
  pagesMerged?: number;
  /** For a fan-out: how many targets were called (instead of one HTTP status). */
  targets?: number;
  /** For a data run: its rows (instead of one HTTP status and an answer size). */
  rows?: RowCounts;
  /** Whether the request can be sent again from here. */
  canResend: boolean;
  /** Where the time of the exchange went (the connection's set-up, the send, the wait, the download). */
  timing?: ResultTiming;
}

/** Milliseconds as a person reads them: to a tenth below 10 ms, whole above (the banner, History, cpapi). */
export function formatMs(ms: number): string {
  return `${ms < 10 ? (Math.round(ms * 10) / 10).toString() : Math.round(ms).toLocaleString('en')} ms`;
}

/** The phases of one exchange as the banner draws them, in the order they happened. */
export interface ResultTiming {
  connection: 'new' | 'reused';
  steps: { name: string; ms: number }[];
}

export type ResultAction =
  'editResend' | 'resend' | 'saveSnippet' | 'compare' | 'openJson' | 'openRaw' | 'previousPage' | 'nextPage' | 'allPages';
export const RESULT_ACTIONS: readonly ResultAction[] = [
  'editResend',
  'resend',
  'saveSnippet',
  'compare',
  'openJson',
  'openRaw',
  'previousPage',
  'nextPage',
  'allPages',
];

export type CopyWhat = 'cell' | 'row' | 'column';

export type HostToResult =
  | { type: 'show'; view: ResultView }
  | { type: 'busy'; message: string }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  /** From the cell context menu: copy what the view shows there (its order and columns). */
  | { type: 'copy'; what: CopyWhat; row: number; column: string };

export type ResultToHost =
  | { type: 'ready' }
  | { type: 'action'; action: ResultAction }
  | { type: 'copyText'; text: string; what: string }
  /** Export the table at `table` (an index into findTables), these rows (indices into it) in this order, these columns. */
  | { type: 'export'; format: 'csv' | 'json'; table: number; rows: number[]; columns: string[] };

const MAX_COPY = 64 * 1024 * 1024;
const MAX_ROWS = 5_000_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseResultMessage(v: unknown): ResultToHost | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'action':
      return typeof v.action === 'string' && (RESULT_ACTIONS as readonly string[]).includes(v.action)
        ? { type: 'action', action: v.action as ResultAction }
        : undefined;
    case 'copyText':
      return typeof v.text === 'string' && v.text.length <= MAX_COPY && typeof v.what === 'string' && v.what.length <= 80
        ? { type: 'copyText', text: v.text, what: v.what }
        : undefined;
    case 'export': {
      if (v.format !== 'csv' && v.format !== 'json') return undefined;
      if (!Number.isInteger(v.table) || (v.table as number) < 0 || (v.table as number) > 10_000) return undefined;
      if (!Array.isArray(v.rows) || v.rows.length > MAX_ROWS || !v.rows.every((r) => Number.isInteger(r) && r >= 0)) return undefined;
      if (!Array.isArray(v.columns) || v.columns.length > 10_000 || !v.columns.every((c) => typeof c === 'string' && c.length <= 1024))
        return undefined;
      return { type: 'export', format: v.format, table: v.table as number, rows: v.rows as number[], columns: v.columns as string[] };
    }
    default:
      return undefined;
  }
}

// ── what the host sends: checked as strictly, and rebuilt from known fields only ──

/** The raw body a view holds is cut at 2 MB on the host; room for a character that takes several bytes. */
const MAX_RAW = 8 * 1024 * 1024;
const MAX_TEXT = 64 * 1024;
const MAX_LIST = 10_000;

const text = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function texts(v: unknown, max = MAX_LIST): string[] | undefined {
  return Array.isArray(v) && v.length <= max && v.every((x) => text(x)) ? [...(v as string[])] : undefined;
}

function parseCheck(v: unknown): ResultCheck | undefined {
  if (!isObj(v) || typeof v.pass !== 'boolean' || !text(v.label, 4096) || (v.message !== undefined && !text(v.message))) return undefined;
  return { pass: v.pass, label: v.label, ...(v.message !== undefined ? { message: v.message } : {}) };
}

function parsePage(v: unknown): PageInfo | undefined {
  if (!isObj(v) || !count(v.start) || !count(v.size) || !count(v.shown) || !count(v.page)) return undefined;
  if ((v.total !== undefined && !count(v.total)) || (v.pages !== undefined && !count(v.pages))) return undefined;
  if (typeof v.hasPrevious !== 'boolean' || typeof v.hasNext !== 'boolean') return undefined;
  return {
    start: v.start,
    size: v.size,
    shown: v.shown,
    ...(v.total !== undefined ? { total: v.total as number } : {}),
    page: v.page,
    ...(v.pages !== undefined ? { pages: v.pages as number } : {}),
    hasPrevious: v.hasPrevious,
    hasNext: v.hasNext,
  };
}

function parseRowCounts(v: unknown): RowCounts | undefined {
  if (!isObj(v) || !count(v.total) || !count(v.passed) || !count(v.failed)) return undefined;
  return v.passed + v.failed <= v.total ? { total: v.total, passed: v.passed, failed: v.failed } : undefined;
}

/** A result view from the host; `data` is the answer's data (any JSON, shown as text), the rest is checked field by field. */
export function parseResultView(v: unknown): ResultView | undefined {
  if (!isObj(v)) return undefined;
  if (!text(v.title, 1024) || typeof v.ok !== 'boolean' || !text(v.kind, 64) || !text(v.verdict, 256) || !text(v.size, 64))
    return undefined;
  if (!count(v.status) || (v.status as number) > 999 || typeof v.ms !== 'number' || !Number.isFinite(v.ms) || v.ms < 0) return undefined;
  if (!text(v.server, 1024) || !text(v.what, 1024)) return undefined;
  if ((v.account !== undefined && !text(v.account, 256)) || (v.hint !== undefined && !text(v.hint))) return undefined;
  const errors = texts(v.errors);
  const warnings = texts(v.warnings);
  const messages = texts(v.messages);
  if (!errors || !warnings || !messages) return undefined;
  let checks: ResultCheck[] | undefined;
  if (v.checks !== undefined) {
    if (!Array.isArray(v.checks) || v.checks.length > MAX_LIST) return undefined;
    checks = [];
    for (const c of v.checks) {
      const p = parseCheck(c);
      if (!p) return undefined;
      checks.push(p);
    }
  }
  if (!text(v.raw, MAX_RAW) || typeof v.rawCut !== 'boolean' || !text(v.contentType, 256) || typeof v.canResend !== 'boolean')
    return undefined;
  const r = v.request;
  if (!isObj(r) || !text(r.method, 16) || !text(r.url, MAX_TEXT) || (r.body !== undefined && !text(r.body, MAX_RAW))) return undefined;
  let sent: [string, string][] | undefined;
  if (r.headers !== undefined) {
    if (!Array.isArray(r.headers) || r.headers.length > 100) return undefined;
    sent = [];
    for (const hd of r.headers) {
      if (!Array.isArray(hd) || hd.length !== 2 || !text(hd[0], 1024) || !text(hd[1], 16 * 1024)) return undefined;
      sent.push([hd[0], hd[1]]);
    }
  }
  const request = { method: r.method, url: r.url, ...(r.body !== undefined ? { body: r.body } : {}), ...(sent ? { headers: sent } : {}) };
  if (!Array.isArray(v.headers) || v.headers.length > 1000) return undefined;
  const headers: [string, string][] = [];
  for (const hd of v.headers) {
    if (!Array.isArray(hd) || hd.length !== 2 || !text(hd[0], 1024) || !text(hd[1], 16 * 1024)) return undefined;
    headers.push([hd[0], hd[1]]);
  }
  const page = v.page === undefined ? undefined : parsePage(v.page);
  if (v.page !== undefined && !page) return undefined;
  const timing = v.timing === undefined ? undefined : parseTiming(v.timing);
  if (v.timing !== undefined && !timing) return undefined;
  if ((v.pagesMerged !== undefined && !count(v.pagesMerged)) || (v.targets !== undefined && !count(v.targets))) return undefined;
  const rows = v.rows === undefined ? undefined : parseRowCounts(v.rows);
  if (v.rows !== undefined && !rows) return undefined;
  return {
    title: v.title,
    ok: v.ok,
    kind: v.kind,
    verdict: v.verdict,
    status: v.status,
    ms: v.ms,
    size: v.size,
    server: v.server,
    ...(v.account !== undefined ? { account: v.account } : {}),
    what: v.what,
    ...(v.hint !== undefined ? { hint: v.hint } : {}),
    errors,
    warnings,
    messages,
    ...(checks ? { checks } : {}),
    data: v.data,
    raw: v.raw,
    rawCut: v.rawCut,
    contentType: v.contentType,
    request,
    headers,
    ...(page ? { page } : {}),
    ...(v.pagesMerged !== undefined ? { pagesMerged: v.pagesMerged as number } : {}),
    ...(v.targets !== undefined ? { targets: v.targets as number } : {}),
    ...(rows ? { rows } : {}),
    canResend: v.canResend,
    ...(timing ? { timing } : {}),
  };
}

function parseTiming(v: unknown): ResultTiming | undefined {
  if (!isObj(v) || (v.connection !== 'new' && v.connection !== 'reused') || !Array.isArray(v.steps) || v.steps.length > 12)
    return undefined;
  const steps: ResultTiming['steps'] = [];
  for (const s of v.steps) {
    if (!isObj(s) || !text(s.name, 32) || typeof s.ms !== 'number' || !Number.isFinite(s.ms) || s.ms < 0) return undefined;
    steps.push({ name: s.name, ms: s.ms });
  }
  return { connection: v.connection, steps };
}

/** Checks a message from the host as strictly as the host checks the view's: typed, or undefined to be ignored. */
export function parseHostMessage(v: unknown): HostToResult | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'show': {
      const view = parseResultView(v.view);
      return view ? { type: 'show', view } : undefined;
    }
    case 'busy':
      return text(v.message) ? { type: 'busy', message: v.message } : undefined;
    case 'notice':
      return (v.level === 'info' || v.level === 'error') && text(v.message)
        ? { type: 'notice', level: v.level, message: v.message }
        : undefined;
    case 'copy':
      if (v.what !== 'cell' && v.what !== 'row' && v.what !== 'column') return undefined;
      return count(v.row) && v.row <= MAX_ROWS && text(v.column, 1024)
        ? { type: 'copy', what: v.what, row: v.row, column: v.column }
        : undefined;
    default:
      return undefined;
  }
}
