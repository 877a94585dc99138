import * as vscode from 'vscode';
import type { ApiRequest } from '../../core/api/request';
import { isSecretParam } from '../../shared/families';
import { entryRequest, formatSize, withheldParams, type HistoryEntry } from '../../core/history';
import type { Target } from '../../core/requestRun';
import type { ApiResult } from '../../core/result';
import { requestToSnippet, withSecretPlaceholders } from '../../core/snippets';
import { BuilderPanel } from '../builder/builderPanel';
import { requestToState } from '../builder/builderModel';
import type { Services } from '../services';
import { Commands } from '../constants';
import { runFanOut } from '../fleet/fleet';
import { entryLabel, type HistoryNode, type HistoryStore, type HistoryTree } from '../history/history';
import type { Origin } from '../requests/requestRunner';
import type { ResultActions, ResultPanels } from './resultPanels';
import type { StoredResult } from './results';
import type { SnippetStore } from '../snippets/snippetStore';

interface Pick<T> extends vscode.QuickPickItem {
  value: T;
}

/**
 * What a result view and a history entry can do: send again, edit in the builder, save as a
 * snippet, compare, open. Every send goes through the runner; nothing secret is written.
 */
export class ResultCommands implements ResultActions {
  constructor(
    private readonly s: Services,
    private readonly panels: ResultPanels,
    private readonly history: HistoryStore,
    private readonly historyTree: HistoryTree,
    private readonly snippets: SnippetStore,
    private readonly extensionUri: vscode.Uri,
  ) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    const entry = (n?: HistoryNode): HistoryEntry | undefined => (n?.kind === 'entry' ? n.entry : this.selectedEntry());
    return [
      r(Commands.resultCopyCell, (ctx: unknown) => this.panels.copyFromContext('cell', ctx)),
      r(Commands.resultCopyRow, (ctx: unknown) => this.panels.copyFromContext('row', ctx)),
      r(Commands.resultCopyColumn, (ctx: unknown) => this.panels.copyFromContext('column', ctx)),
      r(Commands.resultCompare, () => this.compareActive()),
      r(Commands.historyOpen, (n?: HistoryNode) => this.openEntry(entry(n))),
      r(Commands.historyResend, (n?: HistoryNode) => this.resendEntry(entry(n))),
      r(Commands.historyOpenInBuilder, (n?: HistoryNode) => this.entryInBuilder(entry(n))),
      r(Commands.historySaveSnippet, (n?: HistoryNode) => this.entryAsSnippet(entry(n))),
      r(Commands.historyCompare, (n?: HistoryNode, all?: HistoryNode[]) => this.compareEntries(entry(n), all)),
      r(Commands.historyDelete, (n?: HistoryNode, all?: HistoryNode[]) => this.deleteEntries(n, all)),
      r(Commands.historyClear, () => this.clearHistory()),
      r(Commands.historySearch, () => this.searchHistory()),
    ];
  }

  private selectedEntry(): HistoryEntry | undefined {
    const n = this.historyTree.view.selection[0];
    return n?.kind === 'entry' ? n.entry : undefined;
  }

  // ── from a result view ─────────────────────────────────────────────────────

  /** The target as configured now: the server by id (its settings may have changed since). */
  private current(t: Target | undefined): Target | undefined {
    if (!t) return undefined;
    const profile = this.s.profiles.get(t.profile.id);
    if (!profile) {
      void vscode.window.showWarningMessage(`The server ${t.profile.label} no longer exists: add it again to send this request.`);
      return undefined;
    }
    return { ...t, profile };
  }

  async resend(stored: StoredResult, origin: Origin = 'result'): Promise<void> {
    const fan = stored.fanout;
    if (fan) {
      // The same targets, as they are configured now.
      const targets = fan.targets.flatMap((x) => {
        const profile = this.s.profiles.get(x.profile.id);
        return profile ? [{ ...x, profile }] : [];
      });
      await runFanOut(this.s, fan.request, targets, fan.what);
      return;
    }
    const t = this.current(stored.target);
    if (t) await this.s.runner.run({ ...t, origin });
  }

  async editResend(stored: StoredResult): Promise<void> {
    if (stored.fanout) return this.openBuilder(stored.fanout.targets[0]?.profile.id ?? '', stored.fanout.request);
    const t = this.current(stored.target);
    if (t) this.openBuilder(t.profile.id, t.request);
  }

  async saveSnippet(stored: StoredResult): Promise<void> {
    const fan = stored.fanout;
    if (fan?.targets[0])
      return this.save(
        fan.targets[0].profile.label,
        fan.targets[0].account !== undefined ? { ...fan.request, asUser: fan.targets[0].account } : fan.request,
      );
    if (stored.target) await this.save(stored.target.profile.label, stored.target.request);
  }

  async fetchPage(stored: StoredResult, request: ApiRequest, signal?: AbortSignal): Promise<ApiResult | undefined> {
    const t = this.current(stored.target);
    if (!t) return undefined;
    const r = await this.s.runner.send(
      { profile: t.profile, request, origin: 'page' },
      undefined,
      signal ? { progress: false, signal } : {},
    );
    return r?.result;
  }

  async compare(stored: StoredResult): Promise<void> {
    if (stored.fanout) return this.compareTargets(stored.fanout.parts);
    const other = await this.pickOther(stored.id, undefined, `Compare ${stored.title} with…`);
    if (other) await this.diff(stored, other);
  }

  /** Two targets of a fan-out, side by side. */
  private async compareTargets(ids: readonly number[]): Promise<void> {
    const parts = ids.map((id) => this.s.results.get(id)).filter((x): x is StoredResult => !!x);
    const items = parts.map((p) => ({
      label: `${p.server}${p.target?.request.asUser ? ` / ${p.target.request.asUser}` : ''}`,
      description: `${p.result.ok ? 'OK' : p.result.kind} · ${p.result.timings.totalMs} ms`,
      p,
    }));
    if (items.length < 2) {
      void vscode.window.showInformationMessage('A comparison needs two targets.');
      return;
    }
    // Asked from the result view: when the first pick closes, VS Code hands the focus back to that webview a moment
    // later, which would dismiss the second pick; neither may close on a focus change.
    const a = await vscode.window.showQuickPick(items, { title: 'Compare two targets: the first', ignoreFocusOut: true });
    if (!a) return;
    const b = await vscode.window.showQuickPick(
      items.filter((x) => x !== a),
      { title: `Compare ${a.label} with…`, ignoreFocusOut: true },
    );
    if (b) await this.diff(b.p, a.p);
  }

  private async compareActive(): Promise<void> {
    const o = this.panels.active();
    if (!o) {
      void vscode.window.showInformationMessage('Open a result first: Compare compares the result in front with another.');
      return;
    }
    await this.compare(o.stored);
  }

  /** Another result to compare with: those open in this window, then history entries with an answer. */
  /**
   * Every call of the History in one searchable list: by server, function, account, parameter values
   * (secret ones are stored as [redacted], so they cannot be searched for) and status or verdict.
   */
  async searchHistory(): Promise<void> {
    const entries = await this.history.list();
    if (!entries.length) {
      void vscode.window.showInformationMessage('The History is empty: every call you send is recorded there.');
      return;
    }
    const items = entries.map((e) => ({
      label: entryLabel(e),
      description: `${e.server}${e.account ? ` as ${e.account}` : ''} · ${e.status ? `HTTP ${e.status}` : ''} ${e.ok ? 'OK' : e.kind} · ${new Date(e.time).toLocaleString('en-GB')}`,
      detail: e.params.length ? e.params.map(([k, v]) => `${k}=${v}`).join('  ') : 'no parameters',
      entry: e,
    }));
    const chosen = await vscode.window.showQuickPick(items, {
      title: `Search History (${entries.length.toLocaleString()} calls)`,
      placeHolder: 'Server, function, account, a parameter value, a status (200, api_error)…',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (chosen) await vscode.commands.executeCommand(Commands.historyOpen, { kind: 'entry', entry: chosen.entry });
  }

  private async pickOther(exceptId: number | undefined, exceptEntry: string | undefined, title: string): Promise<StoredResult | undefined> {
    const items: Pick<() => Promise<StoredResult | undefined>>[] = [];
    // Newest first, and never the thing itself (a result and the History entry it was recorded as are one call).
    const entryOf = (r: StoredResult | undefined): string | undefined => r && (r.historyId ?? this.history.entryIdOf(r.result));
    const same = exceptEntry ?? entryOf(this.s.results.get(exceptId ?? -1));
    const results = [...this.s.results.all()].sort((x, y) => y.id - x.id);
    for (const r of results)
      if (r.id !== exceptId && (same === undefined || entryOf(r) !== same))
        items.push({ label: r.title, description: 'result', value: () => Promise.resolve(r) });
    for (const e of await this.history.list()) {
      if (!e.answerKept || e.id === same) continue;
      items.push({
        label: entryLabel(e),
        description: `history · ${e.server} · ${e.status || e.kind} · ${new Date(e.time).toLocaleString('en-GB')}`,
        value: () => this.loadEntry(e),
      });
    }
    if (!items.length) {
      void vscode.window.showInformationMessage('There is nothing to compare with yet: send another request first.');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'A result of this window, or an entry of the history',
      matchOnDescription: true,
      // Asked from a result view, which takes the focus back a moment later.
      ignoreFocusOut: true,
    });
    return chosen?.value();
  }

  private async diff(a: StoredResult, b: StoredResult): Promise<void> {
    const left = this.s.results.uri(b, 'compare');
    const right = this.s.results.uri(a, 'compare');
    // JSON on both sides: folding, bracket matching and colours in the diff.
    for (const u of [left, right]) await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(u), 'json');
    await vscode.commands.executeCommand('vscode.diff', left, right, `${b.title} ↔ ${a.title}`);
  }

  // ── from the history ───────────────────────────────────────────────────────

  /** An entry's answer as a stored result (with what it takes to send it again when its server is still configured). */
  private async loadEntry(e: HistoryEntry): Promise<StoredResult | undefined> {
    const existing = this.s.results.all().find((r) => r.historyId === e.id);
    if (existing) return existing;
    const answer = await this.history.answer(e);
    const profile = this.s.profiles.get(e.serverId);
    const target = profile ? { profile, request: entryRequest(e) } : undefined;
    const result: ApiResult = answer
      ? { ...answer }
      : {
          ok: e.ok,
          kind: e.kind,
          status: e.status,
          data: null,
          errors: [],
          warnings: [
            `The answer (${formatSize(e.bytes)}) was not kept in the history: ${e.status ? 'it was larger than cpanel.history.maxAnswerKB' : 'none arrived'}. Resend to see it again.`,
          ],
          messages: [],
          metadata: {},
          raw: '',
          contentType: '',
          ...(e.hint ? { hint: e.hint } : {}),
          timings: { headersMs: e.ms, totalMs: e.ms },
          request: { method: e.method, url: '', family: e.family, function: e.function },
        };
    return this.s.results.add({
      result,
      server: e.server,
      historyId: e.id,
      ...(target ? { target } : {}),
      title: `${e.family} ${e.function} · ${e.server} · ${e.status || e.kind} · ${new Date(e.time).toLocaleTimeString('en-GB')}`,
    });
  }

  async openEntry(e: HistoryEntry | undefined): Promise<StoredResult | undefined> {
    if (!e) return undefined;
    const loaded = await this.loadEntry(e);
    return loaded ? this.panels.showStored(loaded) : undefined;
  }

  /** Values the history did not keep (passwords) are asked for; a change asks before it is sent again. */
  async resendEntry(e: HistoryEntry | undefined): Promise<void> {
    if (!e) return;
    const profile = this.s.profiles.get(e.serverId);
    if (!profile) {
      void vscode.window.showWarningMessage(`The server ${e.server} no longer exists: add it again to send this request.`);
      return;
    }
    const fill: Record<string, string> = {};
    for (const name of withheldParams(e)) {
      const v = await vscode.window.showInputBox({
        title: `Resend ${entryLabel(e)}: ${name}`,
        prompt: `The value of ${name} was not kept in the history: type it to send the request again.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (v === undefined) return;
      fill[name] = v;
    }
    await this.s.runner.run({ profile, request: entryRequest(e, fill), origin: 'history' });
  }

  private entryInBuilder(e: HistoryEntry | undefined): void {
    if (!e) return;
    const profile = this.s.profiles.get(e.serverId);
    this.openBuilder(profile?.id ?? '', entryRequest(e));
  }

  private async entryAsSnippet(e: HistoryEntry | undefined): Promise<void> {
    if (e) await this.save(e.server, entryRequest(e));
  }

  private async compareEntries(e: HistoryEntry | undefined, all?: HistoryNode[]): Promise<void> {
    if (!e) return;
    const picked = (all ?? []).filter((n): n is Extract<HistoryNode, { kind: 'entry' }> => n.kind === 'entry');
    const a = await this.loadEntry(e);
    if (!a) return;
    // Two entries selected: compare them; one: choose the other.
    const b =
      picked.length === 2
        ? await this.loadEntry(picked.find((n) => n.entry.id !== e.id)!.entry)
        : await this.pickOther(a.id, e.id, `Compare ${entryLabel(e)} with…`);
    if (b) await this.diff(a, b);
  }

  private async deleteEntries(n?: HistoryNode, all?: HistoryNode[]): Promise<void> {
    const nodes = all?.length ? all : n ? [n] : [];
    const ids = nodes.flatMap((x) => (x.kind === 'entry' ? [x.entry.id] : x.entries.map((e) => e.id)));
    if (ids.length) await this.history.remove(ids);
  }

  private async clearHistory(): Promise<void> {
    const count = (await this.history.list()).length;
    if (!count) return;
    const ok = await vscode.window.showWarningMessage(
      `Clear the history of ${count} call${count === 1 ? '' : 's'}?`,
      { modal: true, detail: 'Their entries and kept answers are deleted. Results open in editors stay.' },
      'Clear History',
    );
    if (ok === 'Clear History') await this.history.clear();
  }

  // ── shared ─────────────────────────────────────────────────────────────────

  /** The builder with the request in it, secret values left empty: a webview keeps its form on disk, so no password goes there. */
  private openBuilder(serverId: string, request: ApiRequest): void {
    const params = request.params.map(([k, v]) => [k, isSecretParam(k) ? '' : v] as const);
    BuilderPanel.createOrShow(this.extensionUri, this.s, this.snippets, requestToState(serverId, { ...request, params }));
  }

  /** Saves a request as a snippet with every secret value turned into an ${env:…} placeholder first. */
  private async save(server: string, request: ApiRequest): Promise<void> {
    let snippet;
    try {
      snippet = requestToSnippet(server, request, undefined, (file) => {
        const ws = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
        return ws ? vscode.workspace.asRelativePath(vscode.Uri.file(file), false) : undefined;
      });
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
      return;
    }
    const { snippet: safe, replaced } = withSecretPlaceholders(snippet);
    const uri = await this.snippets.saveNew(safe);
    if (uri && replaced.length) {
      void vscode.window.showInformationMessage(
        `${replaced.map((x) => x.name).join(', ')} ${replaced.length === 1 ? 'is' : 'are'} read from ${replaced.map((x) => `\${env:${x.env}}`).join(', ')}: the snippet holds no secret. Set ${replaced.length === 1 ? 'it' : 'them'} in VS Code's environment (or in an environment's secrets) before running it.`,
      );
    }
  }
}
