import { emptyShaping, shapingParams } from '../../shared/shaping';
import type { Family } from '../../shared/families';
import { publicView, type ApiResult } from '../result';

/**
 * What a model gets back from cpanel_call: the normalized answer cpapi call prints ({ok, kind,
 * status, data, errors, warnings, messages, metadata}, and the hint of a failure), scrubbed by the
 * pipeline, then cut to a budget. A refusal has the same shape, with nothing sent.
 */

export type Answer = Record<string, unknown> & { ok: boolean; kind: string; errors: string[] };

/** A result as a model reads it; with `query`, `data` is what the expression picked from the answer. */
export function answerOf(r: ApiResult, picked?: { query: string; value: unknown }): Answer {
  const view = publicView(r);
  return {
    ...view,
    ...(picked ? { query: picked.query, data: picked.value ?? null } : {}),
    ...(r.hint ? { hint: r.hint } : {}),
    ...(r.refused ? { notSent: true } : {}),
  };
}

/** A call that was not sent: refused by a guard, or not a valid input. */
export function notSent(kind: 'refused' | 'invalid_input' | 'declined' | 'config_error', message: string): Answer {
  return { ok: false, kind, status: 0, data: null, errors: [message], warnings: [], messages: [], notSent: true };
}

export interface Cut {
  /** Where the list was: "data", "data.acct". */
  list: string;
  shown: number;
  total: number;
  columns: string[];
  narrow: string;
}

/** The default budget of an answer, when the host gives none. */
export const DEFAULT_MAX_ANSWER_KB = 16;

/**
 * The answer as JSON text of at most `maxChars` characters: a list too long for it keeps the rows that
 * fit, and says how many there were, its columns and how to narrow it. A long answer without a list
 * keeps the start of its data, as text.
 */
export function fitAnswer(answer: Answer, maxChars: number, family?: Family): { text: string; cut?: Cut } {
  const whole = JSON.stringify(answer);
  if (whole.length <= maxChars) return { text: whole };
  const found = largestList(answer.data);
  if (found) {
    const { path, rows } = found;
    const columns = columnsOf(rows);
    const make = (n: number): { text: string; cut: Cut } => {
      const list = path.length ? `data.${path.join('.')}` : 'data';
      const cut: Cut = { list, shown: n, total: rows.length, columns, narrow: narrowing(rows.length, n, columns, family) };
      return { text: JSON.stringify({ ...answer, data: replaceAt(answer.data, path, rows.slice(0, n)), truncated: cut }), cut };
    };
    // The most rows that fit: lengths grow with n, so a binary search finds it. No more rows fit than
    // those whose own text, one after another, stays within the budget: the search starts below that,
    // so it never writes out more than about a budget's worth of rows.
    let lo = 0;
    let hi = 0;
    for (let used = 0; hi < rows.length; hi++) {
      used += (JSON.stringify(rows[hi]) ?? 'null').length + 1;
      if (used > maxChars) break;
    }
    if (make(0).text.length <= maxChars) {
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (make(mid).text.length <= maxChars) lo = mid;
        else hi = mid - 1;
      }
      return make(lo);
    }
  }
  // No list, or not even its frame fits: the start of the data as text.
  const data = JSON.stringify(answer.data) ?? 'null';
  const frame = { ...answer, data: '', truncated: { characters: data.length, narrow: TOO_LARGE } };
  const room = Math.max(0, maxChars - JSON.stringify(frame).length - 16);
  const text = JSON.stringify({ ...frame, data: `${data.slice(0, room)}…` });
  return { text: text.length <= maxChars ? text : JSON.stringify(notSentFrame(answer)) };
}

const TOO_LARGE = 'The answer is larger than the budget: pick what you need with "query" (JMESPath).';

function notSentFrame(answer: Answer): Answer {
  const errors = answer.errors.slice(0, 3).map((e) => e.slice(0, 300));
  return { ok: answer.ok, kind: answer.kind, status: answer.status, data: null, errors, truncated: { narrow: TOO_LARGE } };
}

/** The longest list in the data, at its top or one or two levels down (WHM's data.acct, data.pkg). */
function largestList(data: unknown): { path: string[]; rows: unknown[] } | undefined {
  const lists: { path: string[]; rows: unknown[] }[] = [];
  const visit = (v: unknown, path: string[]): void => {
    if (Array.isArray(v)) {
      if (v.length > 1) lists.push({ path, rows: v });
      return;
    }
    if (path.length < 2 && typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
  };
  visit(data, []);
  // Most answers have one list (data, data.acct): its size need not be written out to know it is the largest.
  if (lists.length < 2) return lists[0];
  let best = lists[0]!;
  let bestSize = -1;
  for (const l of lists) {
    const size = JSON.stringify(l.rows).length;
    if (size > bestSize) [best, bestSize] = [l, size];
  }
  return best;
}

function replaceAt(data: unknown, path: readonly string[], rows: unknown[]): unknown {
  if (!path.length) return rows;
  const [head, ...rest] = path;
  return { ...(data as Record<string, unknown>), [head!]: replaceAt((data as Record<string, unknown>)[head!], rest, rows) };
}

function columnsOf(rows: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const r of rows.slice(0, 50))
    if (typeof r === 'object' && r !== null && !Array.isArray(r)) for (const k of Object.keys(r)) out.add(k);
  return [...out].slice(0, 40);
}

function narrowing(total: number, shown: number, columns: readonly string[], family: Family | undefined): string {
  const col = columns[0] ?? 'name';
  const base =
    `Only ${shown} of ${total} rows fit in the answer budget. ` +
    `Narrow it with "query" (JMESPath on the answer, e.g. "data[?contains(${col}, 'x')].${col}" or "length(data)")`;
  if (!family) return `${base}.`;
  const example = shapingParams(family, {
    ...emptyShaping(),
    filters: [{ field: col, type: 'contains', value: 'x' }],
    ...(family !== 'uapi' ? { columns: columns.slice(0, 3).join(',') } : {}),
  });
  const params = Object.fromEntries(example.map((p) => [p.name, p.value]));
  return `${base}, or let the server filter${family !== 'uapi' ? ' and choose columns' : ''} with params such as ${JSON.stringify(params)}.`;
}
