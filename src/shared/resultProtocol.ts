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
  request: { method: string; url: string; body?: string };
  headers: [string, string][];
  page?: PageInfo;
  /** Set when the rows were fetched page by page: how many pages. */
  pagesMerged?: number;
  /** For a fan-out: how many targets were called (instead of one HTTP status). */
  targets?: number;
  /** Whether the request can be sent again from here. */
  canResend: boolean;
}

export type ResultAction = 'editResend' | 'resend' | 'saveSnippet' | 'compare' | 'openJson' | 'openRaw' | 'previousPage' | 'nextPage' | 'allPages';
export const RESULT_ACTIONS: readonly ResultAction[] = ['editResend', 'resend', 'saveSnippet', 'compare', 'openJson', 'openRaw', 'previousPage', 'nextPage', 'allPages'];

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
      return typeof v.action === 'string' && (RESULT_ACTIONS as readonly string[]).includes(v.action) ? { type: 'action', action: v.action as ResultAction } : undefined;
    case 'copyText':
      return typeof v.text === 'string' && v.text.length <= MAX_COPY && typeof v.what === 'string' && v.what.length <= 80 ? { type: 'copyText', text: v.text, what: v.what } : undefined;
    case 'export': {
      if (v.format !== 'csv' && v.format !== 'json') return undefined;
      if (!Number.isInteger(v.table) || (v.table as number) < 0 || (v.table as number) > 10_000) return undefined;
      if (!Array.isArray(v.rows) || v.rows.length > MAX_ROWS || !v.rows.every((r) => Number.isInteger(r) && r >= 0)) return undefined;
      if (!Array.isArray(v.columns) || v.columns.length > 10_000 || !v.columns.every((c) => typeof c === 'string' && c.length <= 1024)) return undefined;
      return { type: 'export', format: v.format, table: v.table as number, rows: v.rows as number[], columns: v.columns as string[] };
    }
    default:
      return undefined;
  }
}

/** Checks a message from the host (the webview trusts its host, but not blindly its shape). */
export function parseHostToResult(v: unknown): HostToResult | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'show' && isObj(v.view)) return v as HostToResult;
  if ((v.type === 'busy' || v.type === 'notice') && typeof v.message === 'string') return v as HostToResult;
  if (v.type === 'copy' && (v.what === 'cell' || v.what === 'row' || v.what === 'column') && Number.isInteger(v.row) && typeof v.column === 'string') return v as HostToResult;
  return undefined;
}
