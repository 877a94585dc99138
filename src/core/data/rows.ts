import pLimit from 'p-limit';
import { isSecretParam } from '../../shared/families';
import type { Effect } from '../api/effects';
import { prepareRun, type Preview, type Resolved } from '../requestRun';
import type { ApiResult, ResultKind } from '../result';
import { REDACTED } from '../redact';
import { redactorFor } from '../snippetSandbox';
import { rowRefs, type Snippet, type VariableSource } from '../snippets';
import type { DataTable } from './table';

/**
 * A data run: one snippet sent once per row of a data file, ${row.COLUMN} filled from the row. What the
 * CLI (`cpapi run SNIPPET --data FILE`) and VS Code (Run Snippet for Each Row…) share: which columns a
 * snippet needs, each row resolved and previewed before anything is sent, the run with bounded
 * concurrency, each row's outcome, and the results file (JSON Lines) a resumed run reads.
 */

export const DEFAULT_DATA_CONCURRENCY = 4;
export const MAX_DATA_CONCURRENCY = 64;

/** The ${row.COLUMN} placeholders of a snippet that are not columns of the table. */
export function missingColumns(s: Snippet, table: Pick<DataTable, 'columns'>): string[] {
  return rowRefs(s).filter((c) => !table.columns.includes(c));
}

/** The sentence for missing columns: names each, and the columns the file has. */
export function missingColumnsMessage(missing: string[], table: Pick<DataTable, 'columns'>, name: string): string {
  const list = missing.map((c) => `\${row.${c}}`).join(', ');
  return `The snippet uses ${list}, but ${name} has no column ${missing.map((c) => `"${c}"`).join(', ')} (its columns: ${table.columns.join(', ')}). Nothing was sent.`;
}

/** The variables of a run with one row's values added as ${row.COLUMN}. */
export function withRow(base: VariableSource | undefined, values: Readonly<Record<string, string>>): VariableSource {
  return {
    get: (n) => base?.get(n),
    ...(base?.missing ? { missing: (n: string) => base.missing!(n) } : {}),
    ...(base?.isSecret ? { isSecret: (n: string) => base.isSecret!(n) } : {}),
    row: (c) => (Object.hasOwn(values, c) ? values[c] : undefined),
  };
}

/** One row, resolved into the request it sends (or why it cannot be sent), before anything is sent. */
export interface RowPlan {
  /** 1-based: the first row of values is row 1 (the line under a CSV header). */
  row: number;
  values: Record<string, string>;
  resolved: Resolved;
  /** The request as it will go, secrets redacted; undefined when it cannot be built. */
  preview?: Preview;
  /** Why the row cannot be sent (its placeholders, its server, its request). */
  problem?: string;
}

/** Resolves the rows numbered `rows` (1-based) of a table with `resolve` (the caller's resolveSnippet). */
export function planRows(table: DataTable, rows: readonly number[], resolve: (row: Record<string, string>) => Resolved): RowPlan[] {
  return rows.map((row) => {
    const values = table.rows[row - 1]!;
    const resolved = resolve(values);
    if (!resolved.ok) return { row, values, resolved, problem: resolved.message };
    const prepared = prepareRun({ ...resolved.target, secretValues: resolved.secrets });
    if (!prepared.ok) return { row, values, resolved, problem: redactorFor(resolved.secrets).scrubKnown(prepared.message) };
    return { row, values, resolved, preview: prepared.preview };
  });
}

/** The strongest effect among the rows that can be sent: one destructive row makes the run destructive. */
export function runEffect(plans: readonly RowPlan[]): Effect {
  const effects = plans.map((p) => p.preview?.effect);
  return effects.includes('destructive') ? 'destructive' : effects.includes('changes') ? 'changes' : 'read';
}

/** How one row went, in the shape of a line of the results file. */
export interface RowOutcome {
  row: number;
  ok: boolean;
  kind: ResultKind;
  status: number;
  errors: string[];
  hint?: string;
  timeMs: number;
  /** Not sent: it could not be built, was cancelled, or its credential was refused before. */
  notSent?: boolean;
}

export function rowOutcome(row: number, r: ApiResult): RowOutcome {
  return {
    row,
    ok: r.ok,
    kind: r.kind,
    status: r.status,
    errors: r.errors,
    ...(r.hint ? { hint: r.hint } : {}),
    timeMs: r.timings.totalMs,
    ...(r.refused || r.kind === 'cancelled' ? { notSent: true } : {}),
  };
}

export function notSentOutcome(row: number, kind: ResultKind, message: string): RowOutcome {
  return { row, ok: false, kind, status: 0, errors: [message], hint: message, timeMs: 0, notSent: true };
}

/** A line of the results file: {row, ok, kind, status, errors, timeMs}, and the answer's data only when asked for. */
export function resultsLine(o: RowOutcome, data?: { data: unknown }): string {
  return `${JSON.stringify({ row: o.row, ok: o.ok, kind: o.kind, status: o.status, errors: o.errors, timeMs: o.timeMs, ...(data ? { data: data.data } : {}) })}\n`;
}

/** What a results file says about each row: its line as written, and whether it succeeded. */
export type PreviousResults = Map<number, { ok: boolean; line: string }>;

/** Reads a results file (JSON Lines, as resultsLine writes); a line that is not one is an error naming it. */
export function readResults(text: string, name: string): PreviousResults {
  const out: PreviousResults = new Map();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    const o = v as { row?: unknown; ok?: unknown } | undefined;
    if (!o || typeof o !== 'object' || !Number.isInteger(o.row) || (o.row as number) < 1 || typeof o.ok !== 'boolean') {
      throw new Error(`${name}, line ${i + 1}: not a line of a results file ({"row": N, "ok": true|false, …}, as --results writes).`);
    }
    // A row listed twice (a file appended to by two runs): its last line counts.
    out.set(o.row as number, { ok: o.ok, line: `${line.trim()}\n` });
  });
  return out;
}

/** The rows to send again after `previous`: every row that did not succeed, or has no line at all. */
export function rowsToResend(total: number, previous: PreviousResults): number[] {
  const out: number[] = [];
  for (let row = 1; row <= total; row++) if (previous.get(row)?.ok !== true) out.push(row);
  return out;
}

/** A row's first columns as a person reads them ("email=a@b.example, domain=b.example"): secret-named columns redacted, long values cut. */
export function rowLabel(values: Readonly<Record<string, string>>, columns: readonly string[], count = 3): string {
  const shown = columns.slice(0, count).map((c) => {
    const v = isSecretParam(c) && values[c] ? REDACTED : (values[c] ?? '');
    const oneLine = v.replace(/[\r\n]+/g, ' ');
    return `${c}=${oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine}`;
  });
  return `${shown.join(', ')}${columns.length > count ? ', …' : ''}`;
}

/** The values of a row's secret-named columns: scrubbed from whatever is shown of that row. */
export function secretCells(values: Readonly<Record<string, string>>): string[] {
  return Object.entries(values)
    .filter(([c, v]) => v !== '' && isSecretParam(c))
    .map(([, v]) => v);
}

/**
 * Runs `send` for each item, at most `concurrency` at once, in item order as far as starting goes.
 * `done` is told each outcome as it finishes. A cancel (`signal`) starts nothing more: the items not
 * started come back from `cancelled`, the running ones are aborted by their own send.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  opts: {
    concurrency: number;
    signal?: AbortSignal;
    send: (item: T) => Promise<R>;
    cancelled: (item: T) => R;
    done?: (outcome: R, item: T) => void;
  },
): Promise<R[]> {
  const limit = pLimit({ concurrency: Math.max(1, Math.min(MAX_DATA_CONCURRENCY, Math.floor(opts.concurrency))), rejectOnClear: true });
  const onAbort = (): void => limit.clearQueue();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      items.map((item) =>
        limit(async () => {
          const out = opts.signal?.aborted ? opts.cancelled(item) : await opts.send(item);
          opts.done?.(out, item);
          return out;
        }).catch(() => {
          const out = opts.cancelled(item);
          opts.done?.(out, item);
          return out;
        }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
