import * as vscode from 'vscode';
import type { CheckResult } from '../core/checks';
import type { ApiResult } from '../core/result';
import type { ServerProfile } from '../core/servers';
import { RESULT_SCHEME } from './constants';
import { Settings } from './settings';
import { render, verdictOf } from './resultText';

export { verdictOf } from './resultText';

interface Stored {
  result: ApiResult;
  server: string;
  title: string;
  checks?: readonly CheckResult[];
}

/** Keeps this many results in memory; older ones are dropped when their tabs are gone. */
const KEEP = 30;

/**
 * Results as read-only documents (closing never asks to save): the verdict, hint, errors,
 * warnings and messages first, then data; the raw answer is one command away.
 */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly results = new Map<number, Stored>();
  private next = 1;
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this);
  }

  static title(result: ApiResult, server: ServerProfile): string {
    const family = result.request.family === 'whm' ? 'whm' : result.request.family;
    const status = result.status ? String(result.status) : verdictOf(result.kind);
    return `${family} ${result.request.function} · ${server.label} · ${status} · ${result.timings.totalMs} ms`;
  }

  /** Stores a result and opens it in an editor tab (beside the active editor when `beside`). */
  async show(result: ApiResult, server: ServerProfile, beside = false, checks?: readonly CheckResult[]): Promise<vscode.TextEditor> {
    const id = this.next++;
    const title = ResultDocuments.title(result, server);
    this.results.set(id, { result, server: server.label, title, ...(checks ? { checks } : {}) });
    this.trim();
    const uri = this.uri(id, title, false);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    const reuse = Settings.tabMode() === 'reuse';
    return vscode.window.showTextDocument(doc, { preview: reuse, preserveFocus: beside, ...(beside ? { viewColumn: vscode.ViewColumn.Beside } : {}) });
  }

  async showRaw(uri: vscode.Uri | undefined): Promise<void> {
    const id = uri ? idOf(uri) : this.next - 1;
    const stored = id !== undefined ? this.results.get(id) : undefined;
    if (!stored) {
      void vscode.window.showInformationMessage('No result to show: send a request first.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(this.uri(id!, `${stored.title} · raw`, true));
    const ct = stored.result.contentType;
    await vscode.languages.setTextDocumentLanguage(doc, /json/.test(ct) ? 'json' : /html/.test(ct) ? 'html' : 'plaintext');
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  get(uri: vscode.Uri): ApiResult | undefined {
    const id = idOf(uri);
    return id === undefined ? undefined : this.results.get(id)?.result;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = idOf(uri);
    const stored = id === undefined ? undefined : this.results.get(id);
    if (!stored) return '// This result is no longer kept in memory: send the request again.';
    const r = stored.result;
    if (new URLSearchParams(uri.query).get('raw') === '1') return r.raw || '(the server sent no body)';
    return render(r, stored.server, stored.checks);
  }

  private uri(id: number, title: string, raw: boolean): vscode.Uri {
    // The path is the tab title; the query tells results apart.
    const safe = title.replace(/[/\\?#%]/g, '∕');
    return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${safe}${raw ? ' raw' : ''}`, query: `id=${id}${raw ? '&raw=1' : ''}` });
  }

  private trim(): void {
    if (this.results.size <= KEEP) return;
    const open = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === RESULT_SCHEME).map((d) => idOf(d.uri)));
    for (const id of [...this.results.keys()]) {
      if (this.results.size <= KEEP) break;
      if (!open.has(id)) this.results.delete(id);
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
