import * as vscode from 'vscode';
import type { CheckResult } from '../../core/checks';
import type { Target } from '../../core/requestRun';
import type { ApiResult } from '../../core/result';
import type { FanoutInfo } from '../fleet/fanoutInfo';
import type { RowCounts } from '../../shared/resultProtocol';
import { RESULT_SCHEME } from '../constants';
import { render, verdictOf } from './resultText';

export { verdictOf } from './resultText';

/** A result kept for its view, its JSON document, Compare and Resend. */
export interface StoredResult {
  id: number;
  result: ApiResult;
  /** The server's label when it was sent. */
  server: string;
  title: string;
  checks?: readonly CheckResult[];
  /** What was sent, to send again or edit; absent for a history entry whose server is gone. */
  target?: Target;
  /** The history entry this result was recorded as, or opened from. */
  historyId?: string;
  /** The rows were fetched page by page and put together: how many pages. */
  pagesMerged?: number;
  /** One request sent to many targets: this result puts their answers together. */
  fanout?: FanoutInfo;
  /** A snippet run once per row of a file: this result is its table of rows. */
  dataRun?: RowCounts;
}

export type NewResult = Omit<StoredResult, 'id' | 'title'> & { title?: string };

/** Keeps this many results in memory; older ones are dropped when nothing shows them. */
const KEEP = 30;

/**
 * The results of this window, by id, and their read-only JSON documents (closing never asks to
 * save): the verdict, hint, errors, warnings and messages first, then data; the raw answer and a
 * form for comparing are one query parameter away.
 */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly results = new Map<number, StoredResult>();
  private next = 1;
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly registration: vscode.Disposable;
  /** Ids something else still shows (a result view): not dropped. */
  private readonly pinned = new Set<number>();

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this);
  }

  static title(result: ApiResult, server: string): string {
    const status = result.status ? String(result.status) : verdictOf(result.kind);
    return `${result.request.family} ${result.request.function} · ${server} · ${status} · ${result.timings.totalMs} ms`;
  }

  add(r: NewResult): StoredResult {
    const id = this.next++;
    const stored: StoredResult = { ...r, id, title: r.title ?? ResultDocuments.title(r.result, r.server) };
    this.results.set(id, stored);
    this.trim();
    return stored;
  }

  get(id: number): StoredResult | undefined {
    return this.results.get(id);
  }

  /** The most recent first. */
  all(): StoredResult[] {
    return [...this.results.values()].reverse();
  }

  pin(id: number, on: boolean): void {
    if (on) this.pinned.add(id);
    else this.pinned.delete(id);
  }

  /** The stored result a result document shows. */
  byUri(uri: vscode.Uri | undefined): StoredResult | undefined {
    const id = uri?.scheme === RESULT_SCHEME ? idOf(uri) : undefined;
    return id === undefined ? undefined : this.results.get(id);
  }

  /** The JSON document of a result ("view" = raw: the body as received; compare: what two answers are compared on). */
  uri(stored: StoredResult, view: 'json' | 'raw' | 'compare' = 'json'): vscode.Uri {
    // The path is the tab title; the query tells results apart.
    const safe = stored.title.replace(/[/\\?#%]/g, '∕');
    const suffix = view === 'raw' ? ' raw' : view === 'compare' ? ' (compared)' : '';
    return vscode.Uri.from({
      scheme: RESULT_SCHEME,
      path: `/${safe}${suffix}`,
      query: `id=${stored.id}${view !== 'json' ? `&view=${view}` : ''}`,
    });
  }

  async openJson(stored: StoredResult, beside = false): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(this.uri(stored));
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    return vscode.window.showTextDocument(doc, { preview: false, ...(beside ? { viewColumn: vscode.ViewColumn.Beside } : {}) });
  }

  async showRaw(stored: StoredResult | undefined): Promise<void> {
    stored ??= this.all()[0];
    if (!stored) {
      void vscode.window.showInformationMessage('No result to show: send a request first.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(this.uri(stored, 'raw'));
    const ct = stored.result.contentType;
    await vscode.languages.setTextDocumentLanguage(doc, /json/.test(ct) ? 'json' : /html/.test(ct) ? 'html' : 'plaintext');
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const stored = this.byUri(uri);
    if (!stored) return '// This result is no longer kept in memory: open it from the History view, or send the request again.';
    const r = stored.result;
    const view = new URLSearchParams(uri.query).get('view');
    if (view === 'raw') return r.raw || '(the server sent no body)';
    if (view === 'compare') {
      return `${JSON.stringify({ verdict: verdictOf(r.kind), status: r.status, errors: r.errors, warnings: r.warnings, messages: r.messages, data: r.data }, null, 2)}\n`;
    }
    return render(r, stored.server, stored.checks);
  }

  private trim(): void {
    if (this.results.size <= KEEP) return;
    const open = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === RESULT_SCHEME).map((d) => idOf(d.uri)));
    for (const id of [...this.results.keys()]) {
      if (this.results.size <= KEEP) break;
      if (!open.has(id) && !this.pinned.has(id)) this.results.delete(id);
    }
  }

  dispose(): void {
    this.registration.dispose();
    this._onDidChange.dispose();
  }
}

function idOf(uri: vscode.Uri): number | undefined {
  const v = Number(new URLSearchParams(uri.query).get('id'));
  return Number.isInteger(v) && v > 0 ? v : undefined;
}
