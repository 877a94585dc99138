import * as vscode from 'vscode';
import { isSecretParam } from '../../shared/families';
import { at, findTables, mainTable, rowsOf, VALUE_COLUMN } from '../../shared/tabular';
import {
  missingColumns,
  missingColumnsMessage,
  planRows,
  rowOutcome,
  runBounded,
  runEffect,
  secretCells,
  withRow,
  DEFAULT_DATA_CONCURRENCY,
  type RowOutcome,
  type RowPlan,
} from '../../core/data/rows';
import { DataFileError, parseDataTable, shapeChange, withRowsFrom, type DataTable } from '../../core/data/table';
import { REDACTED } from '../../core/redact';
import { resolveSnippet, type Preview } from '../../core/requestRun';
import type { ApiResult } from '../../core/result';
import { envRefs, type Snippet } from '../../core/snippets';
import { envRefusal, redactorFor } from '../../core/snippetSandbox';
import type { EnvironmentStore } from '../environments/environmentStore';
import { describePreview } from '../requests/requestRunner';
import type { StoredResult } from '../results/results';
import type { Services } from '../services';
import { progressNotificationGone } from '../progress';
import { Settings } from '../settings';
import { SNIPPET_SUFFIX } from '../../core/snippets';
import type { SnippetFile, SnippetStore } from './snippetStore';

export const DATA_COMMANDS = {
  runForEachRow: 'cpanel.snippet.runForEachRow',
  retryFailedRows: 'cpanel.data.retryFailedRows',
} as const;

/** A data run as it stands: its snippet, its rows, and how each row went last. */
export interface DataRun {
  uri: vscode.Uri;
  snippet: Snippet;
  /** The rows as last sent: each row's values as read when it was last sent. */
  table: DataTable;
  /** The data file, read again before a retry. */
  file: vscode.Uri;
  tableName: string;
  /** Row number → its last outcome and answer (scrubbed). */
  rows: Map<number, { outcome: RowOutcome; result?: ApiResult }>;
  /** The combined result view of the last pass. */
  stored?: StoredResult;
}

/** What Run Snippet for Each Row shows before anything is sent: the number of rows and the first requests. */
export type PlanShower = (title: string, items: { label: string; detail: string }[]) => Promise<boolean>;

const quickPickPlan: PlanShower = async (title, items) => {
  const run = { label: '$(run-all) Run', detail: title, run: true };
  const chosen = await vscode.window.showQuickPick([run, ...items.map((i) => ({ ...i, run: false }))], {
    title,
    placeHolder: 'The first requests, exactly as they will be sent (secrets redacted). Choose Run to send every row.',
    ignoreFocusOut: true,
  });
  return chosen?.run === true;
};

/**
 * Run Snippet for Each Row…: a snippet once per row of a CSV or JSON file, ${row.COLUMN} filled from
 * the row. Every row is resolved and built first; the number of rows and the first three requests are
 * shown; a change asks once, a destructive call only after the number of rows is typed; one cancellable
 * progress; each row through the runner (recorded in History as 'data'); one combined table of the
 * row's columns, its verdict and the answer's columns, with Retry Failed Rows.
 */
export class DataRuns {
  /** Replaced only by tests (the extension host cannot click a dialog). */
  pickFile: (title: string) => Promise<vscode.Uri | undefined> = async (title) =>
    (
      await vscode.window.showOpenDialog({
        title,
        openLabel: 'Run for Each Row',
        canSelectMany: false,
        filters: { 'Data (CSV, JSON, JSON Lines)': ['csv', 'json', 'jsonl', 'ndjson'] },
      })
    )?.[0];
  showPlan: PlanShower = quickPickPlan;
  private readonly runs = new Map<number, DataRun>();
  private last: DataRun | undefined;

  constructor(
    private readonly s: Services,
    private readonly store: SnippetStore,
    private readonly envs: EnvironmentStore,
    private readonly askEnv: (name: string) => Thenable<string | undefined>,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(DATA_COMMANDS.runForEachRow, (target?: vscode.Uri | SnippetFile, data?: vscode.Uri) =>
        this.runForEachRow(target, data),
      ),
      vscode.commands.registerCommand(DATA_COMMANDS.retryFailedRows, () => this.retryFailed()),
    ];
  }

  async runForEachRow(target?: vscode.Uri | SnippetFile, dataFile?: vscode.Uri): Promise<DataRun | undefined> {
    const uri = target instanceof vscode.Uri ? target : target && 'uri' in target ? target.uri : activeSnippet();
    if (!uri) {
      void vscode.window.showInformationMessage(
        'Open a *.cpanel.json snippet, or choose one in the Snippets view: it runs once for each row of a CSV or JSON file.',
      );
      return undefined;
    }
    const parsed = await this.store.read(uri);
    if (!parsed.ok) {
      void vscode.window.showErrorMessage(
        `${vscode.workspace.asRelativePath(uri)} has problems: ${parsed.problems.map((p) => p.message).join(' ')}`,
      );
      return undefined;
    }
    return this.runSnippet(uri, parsed.snippet, dataFile);
  }

  /**
   * The builder's form, once for each row: the same run as a snippet file's, named after the builder
   * (uploads resolve against the first workspace folder, as a new snippet's would).
   */
  async runFormForEachRow(snippet: Snippet): Promise<DataRun | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder first: the rows come from a file in the workspace.');
      return undefined;
    }
    return this.runSnippet(vscode.Uri.joinPath(folder, 'Request Builder'), snippet);
  }

  private async runSnippet(uri: vscode.Uri, snippet: Snippet, dataFile?: vscode.Uri): Promise<DataRun | undefined> {
    const file = dataFile ?? (await this.pickFile(`Rows for ${vscode.workspace.asRelativePath(uri)}: a CSV (header line) or JSON file`));
    if (!file) return undefined;
    const tableName = vscode.workspace.asRelativePath(file);
    let table: DataTable;
    try {
      table = parseDataTable(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)), tableName);
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof DataFileError ? e.message : `${tableName} cannot be read.`);
      return undefined;
    }
    const missing = missingColumns(snippet, table);
    if (missing.length) {
      void vscode.window.showErrorMessage(missingColumnsMessage(missing, table, tableName));
      return undefined;
    }
    const run: DataRun = { uri, snippet, table, file, tableName, rows: new Map() };
    return this.pass(
      run,
      table.rows.map((_, i) => i + 1),
    );
  }

  /** The rows of a data run that did not succeed, again: the active result view's run, or the last one. */
  async retryFailed(): Promise<DataRun | undefined> {
    const shown = this.s.panels.active()?.stored.id;
    const run = (shown !== undefined ? this.runs.get(shown) : undefined) ?? this.last;
    if (!run) {
      void vscode.window.showInformationMessage('No data run to retry: run a snippet for each row of a file first.');
      return undefined;
    }
    const failed = [...run.rows.values()]
      .filter((r) => !r.outcome.ok)
      .map((r) => r.outcome.row)
      .sort((a, b) => a - b);
    if (!failed.length) {
      void vscode.window.showInformationMessage(`Every row of ${run.tableName} succeeded: nothing to retry.`);
      return run;
    }
    const again = await this.reread(run, failed);
    if (!again) return undefined;
    return this.pass(run, failed, again);
  }

  /**
   * The failed rows as the file holds them now: the person may have fixed their values since. Rows are
   * matched by number, so a file whose columns or number of rows changed (or that cannot be read) is
   * not matched silently: the person chooses to send the rows as first read, or to stop.
   */
  private async reread(run: DataRun, failed: number[]): Promise<{ table: DataTable; note?: string } | undefined> {
    let why: string;
    try {
      const now = parseDataTable(new TextDecoder().decode(await vscode.workspace.fs.readFile(run.file)), run.tableName);
      const change = shapeChange(run.table, now);
      if (!change) {
        const { table, changed } = withRowsFrom(run.table, now, failed);
        return { table, note: `read again: ${changed} of ${failed.length} changed` };
      }
      why = `${run.tableName} changed since it was read: ${change}.`;
    } catch (e) {
      why = e instanceof DataFileError ? e.message : `${run.tableName} cannot be read any more.`;
    }
    const one = failed.length === 1;
    const send = await this.s.runner.confirm(
      why,
      `Retry Failed Rows matches rows by their number, so ${one ? 'the row' : `the ${failed.length} rows`} that failed cannot be ` +
        `found in the file as it is now. Send ${one ? 'it as it was' : 'them as they were'} first read, or cancel and run the ` +
        `snippet for each row of the file again.`,
      'Send as First Read',
    );
    return send ? { table: run.table, note: 'as first read' } : undefined;
  }

  /**
   * One pass over some rows of a run: plan, show, ask, send, show the combined table. A retry gives the
   * rows as read again (`again.table`), which become the run's once they are sent.
   */
  private async pass(run: DataRun, rows: number[], again?: { table: DataTable; note?: string }): Promise<DataRun | undefined> {
    const source = again?.table ?? run.table;
    const shownSnippet = vscode.workspace.asRelativePath(run.uri);
    const vars = await this.envs.variables();
    const refused = envRefusal(run.snippet, vars.environment, { allowed: Settings.allowedEnv(), from: 'vscode' });
    if (refused) {
      void vscode.window.showErrorMessage(`${shownSnippet}: ${refused}`);
      return undefined;
    }
    const values = new Map<string, string>();
    for (const name of envRefs(run.snippet)) {
      const v = process.env[name] ?? (await this.askEnv(name));
      if (v === undefined) return undefined;
      values.set(name, v);
    }
    const root = vscode.workspace.getWorkspaceFolder(run.uri)?.uri.fsPath ?? vscode.Uri.joinPath(run.uri, '..').fsPath;
    const plans = planRows(source, rows, (row) =>
      resolveSnippet(run.snippet, this.s.profiles.profiles(), (n) => values.get(n), withRow(vars, row), root),
    );
    const sendable = plans.filter((p) => p.preview);
    const bad = plans.length - sendable.length;
    const n = sendable.length;
    const fn = `${run.snippet.family} ${run.snippet.function}`;
    const scrubOf = (p: RowPlan) =>
      redactorFor([...values.values(), ...(p.resolved.ok ? p.resolved.secrets : []), ...secretCells(p.values)]);
    const notes = [...(bad ? [`${bad} cannot be sent`] : []), ...(again?.note ? [again.note] : [])];
    const title = `${fn} for ${plans.length} row${plans.length === 1 ? '' : 's'} of ${run.tableName}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    const items = plans.slice(0, 3).map((p) => ({
      label: `row ${p.row}`,
      detail: scrubOf(p).scrubKnown(p.preview ? oneLine(p.preview) : `cannot be sent: ${p.problem ?? ''}`),
    }));
    if (!(await this.showPlan(title, items))) return undefined;
    if (n && !(await this.confirm(run, sendable, shownSnippet))) return undefined;
    const started = performance.now();
    const outcomes = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${fn} × ${plans.length} rows`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        let done = 0;
        let failed = 0;
        try {
          return await runBounded(plans, {
            concurrency: DEFAULT_DATA_CONCURRENCY,
            signal: ac.signal,
            cancelled: (p) => ({
              p,
              outcome: {
                row: p.row,
                ok: false,
                kind: 'cancelled' as const,
                status: 0,
                errors: ['Cancelled before it was sent.'],
                hint: 'Cancelled before it was sent.',
                timeMs: 0,
                notSent: true,
              },
            }),
            send: async (p): Promise<{ p: RowPlan; outcome: RowOutcome; result?: ApiResult }> => {
              if (!p.resolved.ok || !p.preview)
                return {
                  p,
                  outcome: {
                    row: p.row,
                    ok: false,
                    kind: 'config_error',
                    status: 0,
                    errors: [p.problem ?? 'It cannot be sent.'],
                    hint: p.problem ?? 'It cannot be sent.',
                    timeMs: 0,
                    notSent: true,
                  },
                };
              const secretValues = [...p.resolved.secrets, ...values.values(), ...secretCells(p.values)];
              const result = scrubOf(p).scrubValue(await this.s.runner.sendRow({ ...p.resolved.target, secretValues }, ac.signal));
              return { p, outcome: rowOutcome(p.row, result), result };
            },
            done: (o) => {
              done++;
              if (!o.outcome.ok) failed++;
              progress.report({
                increment: 100 / plans.length,
                message: `${done} of ${plans.length}${failed ? `, ${failed} failed` : ''}`,
              });
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    run.table = source;
    for (const o of outcomes)
      run.rows.set(o.p.row, { outcome: scrubOf(o.p).scrubValue(o.outcome), ...(o.result ? { result: o.result } : {}) });
    run.stored = this.show(run, Math.round(performance.now() - started), outcomes.length);
    this.runs.set(run.stored.id, run);
    this.last = run;
    const failed = [...run.rows.values()].filter((r) => !r.outcome.ok).length;
    // Retry Failed Rows in the result view's title bar.
    void vscode.commands.executeCommand('setContext', 'cpanel.dataRunHasFailures', failed > 0);
    const total = run.rows.size;
    // The summary once the progress notification is gone, so that the two never stand together.
    void progressNotificationGone(started).then(() => {
      if (failed) {
        void vscode.window
          .showWarningMessage(`${fn}: ${failed} of ${total} rows of ${run.tableName} failed.`, 'Retry Failed Rows')
          .then((c) => c && this.retryFailed());
      } else void vscode.window.showInformationMessage(`${fn}: all ${total} rows of ${run.tableName} succeeded.`);
    });
    return run;
  }

  /** What the person is asked before rows are sent: Restricted Mode, a change once, a destructive call by the number of rows. */
  private async confirm(run: DataRun, sendable: RowPlan[], shown: string): Promise<boolean> {
    const n = sendable.length;
    const fn = `${run.snippet.family} ${run.snippet.function}`;
    const first = sendable[0]!.preview!;
    if (
      !vscode.workspace.isTrusted &&
      !(await this.s.runner.confirm(
        `This workspace is in Restricted Mode. Send ${fn} for ${n} rows of ${run.tableName}?`,
        `The snippet ${shown} comes from a workspace you have not trusted: check what it does before sending it with your credentials.\n\n${describePreview(first)}`,
        'Send',
      ))
    ) {
      return false;
    }
    const effect = runEffect(sendable);
    if (effect === 'destructive')
      return this.s.runner.confirmCount(
        `${fn} removes, suspends, revokes, resets or changes a password, for ${n} rows of ${run.tableName}.`,
        String(n),
      );
    if (effect === 'changes')
      return this.s.runner.confirm(
        `${fn} changes something. Send it for ${n} rows of ${run.tableName}?`,
        describePreview(first),
        'Send for All Rows',
      );
    return true;
  }

  /** The combined table: each row's columns (secret-named ones redacted), its verdict, then the answer's columns. */
  private show(run: DataRun, wallMs: number, sentNow: number): StoredResult {
    const lines: Record<string, unknown>[] = [];
    const all = [...run.rows.values()].sort((a, b) => a.outcome.row - b.outcome.row);
    for (const { outcome, result } of all) {
      const cells = run.table.rows[outcome.row - 1] ?? {};
      const own: Record<string, unknown> = { row: outcome.row };
      for (const c of run.table.columns) own[c] = isSecretParam(c) && cells[c] ? REDACTED : cells[c];
      own.verdict = outcome.ok ? 'OK' : outcome.kind;
      own.ms = outcome.timeMs;
      if (!outcome.ok) own.hint = outcome.hint ?? outcome.errors.join(' ');
      const answer = outcome.ok && result ? answerRows(result.data) : [];
      if (!answer.length) lines.push(own);
      for (const a of answer) {
        const line = { ...own };
        for (const [k, v] of Object.entries(a)) line[Object.hasOwn(line, k) ? `answer.${k}` : k] = v;
        lines.push(line);
      }
    }
    const ok = all.filter((r) => r.outcome.ok).length;
    const failed = all.length - ok;
    const fn = `${run.snippet.family} ${run.snippet.function}`;
    const result: ApiResult = {
      ok: failed === 0,
      kind: failed === 0 ? 'ok' : 'api_error',
      status: 0,
      data: { rows: lines },
      errors: all
        .filter((r) => !r.outcome.ok)
        .slice(0, 50)
        .map((r) => `row ${r.outcome.row}: ${r.outcome.hint ?? r.outcome.errors.join(' ')}`),
      warnings: [],
      messages: [`${ok} of ${all.length} rows of ${run.tableName} succeeded (${sentNow} sent in ${wallMs} ms).`],
      metadata: { data: { rows: all.length, ok, failed } },
      raw: '',
      contentType: '',
      ...(failed
        ? {
            hint: `${failed} of ${all.length} rows failed: each is in the table with what went wrong. Retry Failed Rows sends only those again.`,
          }
        : {}),
      timings: { headersMs: 0, totalMs: wallMs },
      request: {
        method: run.snippet.method,
        url: `${all.length} rows of ${run.tableName}`,
        family: run.snippet.family,
        function: run.snippet.function,
      },
    };
    return this.s.panels.show({
      result,
      server: run.tableName,
      dataRun: { total: all.length, passed: ok, failed },
      title: `${fn} × ${run.tableName} · ${ok}/${all.length} OK`,
    });
  }
}

/** The rows of an answer: its main list, or the record it is, or its value. */
function answerRows(data: unknown): Record<string, unknown>[] {
  if (data === null || data === undefined) return [];
  const cands = findTables(data);
  const main = cands[mainTable(cands)];
  const list = main ? at(data, main.path) : undefined;
  if (Array.isArray(list)) return rowsOf(list) as Record<string, unknown>[];
  if (typeof data === 'object' && !Array.isArray(data)) return [data as Record<string, unknown>];
  return [{ [VALUE_COLUMN]: data }];
}

function oneLine(p: Preview): string {
  return `${p.method} ${p.url}${p.body ? `  ${p.body}` : ''}`;
}

function activeSnippet(): vscode.Uri | undefined {
  const u = vscode.window.activeTextEditor?.document.uri;
  return u?.path.endsWith(SNIPPET_SUFFIX) ? u : undefined;
}
