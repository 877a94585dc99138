import * as vscode from 'vscode';
import { FAMILIES } from '../../shared/families';
import { parseResultMessage, type CopyWhat, type HostToResult, type ResultToHost, type ResultView } from '../../shared/resultProtocol';
import { pageInfo, withPageStart } from '../../shared/shaping';
import { at, findTables, mainTable, rowsOf, toCsv, type Path } from '../../shared/tabular';
import { functionName, methodOf, type ApiRequest } from '../../core/api/request';
import { byteLength, formatSize } from '../../core/history';
import { previewRequest } from '../../core/requestRun';
import { redactorFor } from '../../core/snippetSandbox';
import type { ApiResult } from '../../core/result';
import { phaseSteps } from '../../core/phases';
import { Disposable } from '../lifecycle';
import { WebviewHost } from '../webviews/webviewHost';
import type { Log } from '../log';
import { ResultDocuments, verdictOf, type NewResult, type StoredResult } from './results';
import { Settings } from '../settings';

export const RESULT_VIEW_TYPE = 'cpanel.result';

/** The raw answer a view holds; the rest opens in an editor. */
const RAW_SHOWN = 2 * 1024 * 1024;
/** Fetch all pages stops here, and says so. */
const MAX_PAGES = 1000;
const MAX_MERGED_ROWS = 1_000_000;

/** What the views ask of the rest of the extension: sending, the builder, snippets, Compare. */
export interface ResultActions {
  resend(stored: StoredResult): Promise<void>;
  editResend(stored: StoredResult): Promise<void>;
  saveSnippet(stored: StoredResult): Promise<void>;
  compare(stored: StoredResult): Promise<void>;
  /** Sends one page's request through the one request path, without opening a view; undefined when not sent. */
  fetchPage(stored: StoredResult, request: ApiRequest, signal?: AbortSignal): Promise<ApiResult | undefined>;
}

/** One result view: its panel, the result it shows, its messages handled by the ResultPanels that made it. */
class Open extends WebviewHost<ResultToHost, HostToResult> {
  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    log: Log,
    public stored: StoredResult,
    private readonly onMessage: (o: Open, msg: ResultToHost) => Promise<void>,
  ) {
    const page = { script: 'result.js', style: 'result.css', title: 'cPanel Result' };
    super(panel, { extensionUri, page, parse: parseResultMessage, log, component: 'result view' });
  }

  protected handle(msg: ResultToHost): Promise<void> {
    return this.onMessage(this, msg);
  }

  protected failed(_msg: ResultToHost, message: string): void {
    this.post({ type: 'notice', level: 'error', message });
  }
}

/**
 * Result views: one webview per result (or one reused, by setting), each showing a stored result;
 * its buttons act through ResultActions, so every send still takes the one request path.
 */
export class ResultPanels extends Disposable {
  private readonly open = new Set<Open>();
  private actions: ResultActions | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly docs: ResultDocuments,
    private readonly log: Log,
  ) {
    super();
  }

  connect(actions: ResultActions): void {
    this.actions = actions;
  }

  /** Stores a result and shows it; returns the stored result. */
  show(r: NewResult, beside = false): StoredResult {
    return this.showStored(this.docs.add(r), beside);
  }

  /** Shows a result already stored (opened again from the history). */
  showStored(stored: StoredResult, beside = false): StoredResult {
    const reuse = Settings.tabMode() === 'reuse' ? [...this.open].at(-1) : undefined;
    if (reuse) {
      this.setStored(reuse, stored);
      reuse.panel.reveal(undefined, beside);
      return stored;
    }
    const show = { viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: beside };
    const panel = WebviewHost.createPanel(RESULT_VIEW_TYPE, stored.title, show, this.extensionUri, { enableFindWidget: true });
    const o = new Open(panel, this.extensionUri, this.log, stored, (view, msg) => this.handle(view, msg));
    this.open.add(o);
    this.docs.pin(stored.id, true);
    o.onDidDispose(() => {
      this.open.delete(o);
      this.docs.pin(o.stored.id, false);
    });
    return stored;
  }

  /** The view in front, for commands run from its context menu or the palette. */
  active(): Open | undefined {
    return [...this.open].find((o) => o.panel.active) ?? [...this.open].find((o) => o.panel.visible);
  }

  /** Every view's stored result (newest last). */
  shown(): StoredResult[] {
    return [...this.open].map((o) => o.stored);
  }

  copyFromContext(what: CopyWhat, ctx: unknown): void {
    const o = this.active();
    const c = ctx as { row?: unknown; column?: unknown } | undefined;
    if (!o || typeof c?.row !== 'number' || typeof c.column !== 'string') return;
    this.post(o, { type: 'copy', what, row: c.row, column: c.column });
  }

  private setStored(o: Open, stored: StoredResult): void {
    this.docs.pin(o.stored.id, false);
    o.stored = stored;
    this.docs.pin(stored.id, true);
    o.panel.title = stored.title;
    this.post(o, { type: 'show', view: toView(stored) });
  }

  private post(o: Open, msg: HostToResult): void {
    o.post(msg);
  }

  private async handle(o: Open, msg: ResultToHost): Promise<void> {
    const a = this.actions;
    switch (msg.type) {
      case 'ready':
        return this.post(o, { type: 'show', view: toView(o.stored) });
      case 'copyText':
        await vscode.env.clipboard.writeText(msg.text);
        return this.post(o, { type: 'notice', level: 'info', message: `Copied ${msg.what}.` });
      case 'export':
        return this.export(o, msg.format, msg.table, msg.rows, msg.columns);
      case 'action':
        switch (msg.action) {
          case 'openJson':
            await this.docs.openJson(o.stored, true);
            return;
          case 'openRaw':
            return this.docs.showRaw(o.stored);
          case 'resend':
            return a?.resend(o.stored);
          case 'editResend':
            return a?.editResend(o.stored);
          case 'saveSnippet':
            return a?.saveSnippet(o.stored);
          case 'compare':
            return a?.compare(o.stored);
          case 'previousPage':
          case 'nextPage':
            return this.turnPage(o, msg.action === 'nextPage' ? 1 : -1);
          case 'allPages':
            return this.fetchAll(o);
        }
    }
  }

  private async export(o: Open, format: 'csv' | 'json', tableIndex: number, indices: number[], columns: string[]): Promise<void> {
    const cand = findTables(o.stored.result.data)[tableIndex];
    const list = cand ? at(o.stored.result.data, cand.path) : undefined;
    if (!cand || !Array.isArray(list))
      return this.post(o, { type: 'notice', level: 'error', message: 'That table is no longer in this result.' });
    const rows = rowsOf(list);
    const picked = indices.filter((i) => i < rows.length).map((i) => rows[i]!);
    const name = `${o.stored.result.request.function.replace(/[^A-Za-z0-9_]+/g, '-')}-${cand.label.replace(/[^A-Za-z0-9_]+/g, '-')}.${format}`;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      title: `Export ${picked.length.toLocaleString()} ${picked.length === 1 ? 'row' : 'rows'} as ${format.toUpperCase()}`,
      saveLabel: 'Export',
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      ...(base ? { defaultUri: vscode.Uri.joinPath(base, name) } : {}),
    });
    if (!uri) return;
    const text =
      format === 'csv'
        ? toCsv(columns, picked)
        : `${JSON.stringify(
            picked.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))),
            null,
            2,
          )}\n`;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    this.post(o, {
      type: 'notice',
      level: 'info',
      message: `Exported ${picked.length.toLocaleString()} ${picked.length === 1 ? 'row' : 'rows'} and ${columns.length} ${columns.length === 1 ? 'column' : 'columns'} to ${vscode.workspace.asRelativePath(uri)}.`,
    });
  }

  private pagingOf(stored: StoredResult): { request: ApiRequest; page: NonNullable<ResultView['page']> } | undefined {
    const t = stored.target;
    if (!t) return undefined;
    const page = pageOf(stored.result, t.request);
    return page ? { request: t.request, page } : undefined;
  }

  private async turnPage(o: Open, direction: 1 | -1): Promise<void> {
    const p = this.pagingOf(o.stored);
    if (!p || !this.actions) return;
    const start = Math.max(1, p.page.start + direction * p.page.size);
    const request = { ...p.request, params: withPageStart(p.request.family, p.request.params, start) };
    this.post(o, { type: 'busy', message: `Asking for the page from record ${start}…` });
    const r = await this.actions.fetchPage(o.stored, request);
    if (!r) return this.post(o, { type: 'notice', level: 'info', message: 'Not sent.' });
    this.setStored(o, this.docs.add({ result: r, server: o.stored.server, target: { ...o.stored.target!, request } }));
  }

  /** Every page, one after another, into one table; cancellable, and it stops where a page fails. */
  private async fetchAll(o: Open): Promise<void> {
    const p = this.pagingOf(o.stored);
    const actions = this.actions;
    if (!p || !actions) return;
    const first = o.stored;
    const family = p.request.family;
    const cands = findTables(first.result.data);
    const main = cands[mainTable(cands)];
    if (!main) return;
    const path: Path = main.path;
    const merged: unknown[] = [];
    let pages = 0;
    let last: ApiResult | undefined;
    let totalMs = 0;
    let stop: string | undefined;
    const ac = new AbortController();
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Fetching every page of ${first.result.request.function}`,
        cancellable: true,
      },
      async (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        let start = 1;
        for (;;) {
          const request = { ...p.request, params: withPageStart(family, p.request.params, start) };
          progress.report({
            message: `page ${pages + 1}${p.page.pages ? ` of ${p.page.pages}` : ''} (${merged.length.toLocaleString()} rows so far)`,
          });
          const r = await actions.fetchPage(first, request, ac.signal);
          if (!r) {
            stop = 'not sent';
            break;
          }
          if (!r.ok) {
            stop = `page ${pages + 1} failed: ${r.hint ?? r.errors.join(' ')}`;
            last ??= r;
            break;
          }
          last = r;
          pages++;
          totalMs += r.timings.totalMs;
          const rowsHere = at(r.data, path);
          if (Array.isArray(rowsHere)) merged.push(...(rowsHere as unknown[]));
          const info = pageOf(r, request);
          if (!info?.hasNext || !Array.isArray(rowsHere) || rowsHere.length === 0) break;
          if (pages >= MAX_PAGES || merged.length >= MAX_MERGED_ROWS) {
            stop = `stopped after ${pages} pages and ${merged.length.toLocaleString()} rows`;
            break;
          }
          start = info.start + info.size;
        }
      },
    );
    if (!last) return this.post(o, { type: 'notice', level: 'info', message: 'Not sent.' });
    const data = setAt(first.result.data, path, merged);
    const result: ApiResult = {
      ...last,
      data,
      raw: '',
      rawUnredacted: undefined,
      timings: { headersMs: last.timings.headersMs, totalMs },
    } as ApiResult;
    if (stop) result.warnings = [...result.warnings, `Fetch all pages ${stop}: the table has the rows of the pages before.`];
    this.setStored(
      o,
      this.docs.add({
        result,
        server: first.server,
        target: first.target!,
        pagesMerged: pages,
        title: `${ResultDocuments.title(result, first.server)} · all pages`,
      }),
    );
  }
}

/** A result as its view shows it. */
export function toView(stored: StoredResult): ResultView {
  const r = stored.result;
  const t = stored.target;
  const sentHeaders = r.request.headers ? { headers: r.request.headers } : {};
  let request: ResultView['request'] = { method: r.request.method, url: r.request.url, ...sentHeaders };
  if (t) {
    try {
      const p = previewRequest(t);
      // The URL as it went (with its /cpsess[redacted]/ path in a session); the body as the preview reads it.
      request = { method: p.method, url: r.request.url || p.url, ...(p.body ? { body: p.body } : {}), ...sentHeaders };
    } catch {
      /* the request as the answer recorded it */
    }
  }
  const page = t && !stored.pagesMerged ? pageOf(r, t.request) : undefined;
  const fan = stored.fanout;
  if (fan)
    request = {
      method: methodOf(fan.request),
      url: `${fan.targets.length} targets: ${fan.targets
        .map((x) => `${x.profile.label}${x.account ? `/${x.account}` : ''}`)
        .slice(0, 50)
        .join(', ')}${fan.targets.length > 50 ? ', …' : ''}`,
    };
  return {
    title: stored.title,
    ok: r.ok,
    kind: r.kind,
    verdict: fan
      ? `${fan.ok} of ${fan.targets.length} targets OK`
      : stored.dataRun
        ? `${stored.dataRun.passed.toLocaleString()} of ${stored.dataRun.total.toLocaleString()} rows OK`
        : verdictOf(r.kind),
    status: r.status,
    ms: r.timings.totalMs,
    ...(r.timings.phases && !fan ? { timing: { connection: r.timings.phases.connection, steps: phaseSteps(r.timings.phases) } } : {}),
    size: fan ? `${(fan.ok + fan.failed).toLocaleString()} answers` : formatSize(byteLength(r.raw)),
    server: stored.server,
    ...(t?.request.asUser
      ? { account: t.secretValues?.length ? redactorFor(t.secretValues).scrubKnown(t.request.asUser) : t.request.asUser }
      : {}),
    what: fan
      ? `${FAMILIES[fan.request.family].name} ${functionName(fan.request)} → ${fan.what}`
      : t
        ? `${FAMILIES[t.request.family].name} ${functionName(t.request)}`
        : `${r.request.family} ${r.request.function}`,
    ...(r.hint ? { hint: r.hint } : {}),
    errors: r.errors,
    warnings: r.warnings,
    messages: r.messages,
    ...(stored.checks?.length
      ? {
          checks: stored.checks.map((c) => ({
            pass: c.pass,
            label: `expect[${c.index}] ${c.label}`,
            ...(c.message ? { message: c.message } : {}),
          })),
        }
      : {}),
    data: r.data,
    raw: r.raw.length > RAW_SHOWN ? r.raw.slice(0, RAW_SHOWN) : r.raw,
    rawCut: r.raw.length > RAW_SHOWN,
    contentType: r.contentType,
    request,
    headers: Object.entries(r.headers ?? {}),
    ...(page ? { page } : {}),
    ...(stored.pagesMerged ? { pagesMerged: stored.pagesMerged } : {}),
    ...(fan ? { targets: fan.targets.length } : {}),
    ...(stored.dataRun ? { rows: stored.dataRun } : {}),
    canResend: !!t || !!fan,
  };
}

function pageOf(r: ApiResult, req: ApiRequest): ResultView['page'] {
  const cands = findTables(r.data);
  const main = cands[mainTable(cands)];
  const params = req.params.map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)] as const);
  return pageInfo(req.family, params, r.metadata, main?.rows ?? 0);
}

function setAt(data: unknown, path: Path, value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const copy: Record<string | number, unknown> = Array.isArray(data)
    ? ([...(data as unknown[])] as unknown as Record<number, unknown>)
    : { ...(data as Record<string, unknown>) };
  copy[head!] = setAt((data as Record<string | number, unknown>)[head!], rest, value);
  return copy;
}
