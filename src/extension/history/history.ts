import * as vscode from 'vscode';
import { FAMILIES } from '../../shared/families';
import { applyRetention, dayLabel, formatSize, historyEntry, storedAnswer, type HistoryEntry, type StoredAnswer } from '../../core/history';
import type { ApiResult } from '../../core/result';
import type { Target } from '../../core/requestRun';
import { redactorFor } from '../../core/snippetSandbox';
import { parsePhases, phaseLine } from '../../core/phases';
import { verdictOf } from '../results/resultText';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { Settings } from '../settings';
import { storageFiles, type StorageFiles } from './storageFiles';

export const VIEW_HISTORY = 'cpanel.history';

interface IndexFile {
  version: 1;
  entries: HistoryEntry[];
}

/**
 * Every call, recorded in the extension's global storage: an index of entries (no secret values)
 * and, up to a size cap, each answer (scrubbed) in a file of its own. Writes go one after another.
 */
export class HistoryStore extends Disposable {
  private entries: HistoryEntry[] | undefined;
  private loading: Promise<HistoryEntry[]> | undefined;
  private writes: Promise<void> = Promise.resolve();
  /** The write that has not started yet, which later writes join, and what they asked it to do first. */
  private waiting: Promise<void> | undefined;
  private readonly extras: (() => Thenable<void> | Promise<void>)[] = [];
  /** Entries whose answer was never written: dropped before their write's turn came. Nothing to delete for them. */
  private readonly unwritten = new Set<string>();
  /** The entry each result of this window was recorded as: a result and its entry are one call. */
  private readonly recordedAs = new WeakMap<ApiResult, string>();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private readonly dir: vscode.Uri;
  private readonly files: StorageFiles;

  constructor(
    storage: vscode.Uri,
    private readonly log: Log,
  ) {
    super();
    this.dir = vscode.Uri.joinPath(storage, 'history');
    this.files = storageFiles(storage);
  }

  get folder(): vscode.Uri {
    return this.dir;
  }

  private get indexUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, 'index.json');
  }

  private answerUri(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, 'answers', `${id.replace(/[^a-z0-9-]/g, '')}.json`);
  }

  async list(): Promise<HistoryEntry[]> {
    if (this.entries) return this.entries;
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<HistoryEntry[]> {
    try {
      const bytes = await this.files.read(this.indexUri);
      const parsed = bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Partial<IndexFile>) : {};
      this.entries = Array.isArray(parsed.entries) ? parsed.entries.filter(isEntry) : [];
    } catch (e) {
      this.log.write('warn', 'history', `the history could not be read and starts empty (${e instanceof Error ? e.message : String(e)})`);
      this.entries = [];
    }
    return this.entries;
  }

  /** Records one call (unless history is turned off); resolves when it is on disk. */
  async record(t: Target, r: ApiResult, origin: string): Promise<HistoryEntry | undefined> {
    if (!Settings.historyEnabled()) return undefined;
    const entries = await this.list();
    const made = historyEntry(t.profile, t.request, r, origin, Date.now(), Settings.historyMaxAnswerKB() * 1024);
    // A value filled from the environment is stored as [redacted], whatever its parameter's name.
    const entry = t.secretValues?.length ? redactorFor(t.secretValues).scrubValue(made) : made;
    this.recordedAs.set(r, entry.id);
    entries.unshift(entry);
    const { keep, drop } = applyRetention(
      entries,
      { maxEntries: Settings.historyMaxEntries(), maxDays: Settings.historyMaxDays() },
      Date.now(),
    );
    this.entries = keep;
    const answer = entry.answerKept ? JSON.stringify(storedAnswer(r)) : undefined;
    await this.write(async () => {
      if (answer !== undefined) {
        // Kept still? Calls recorded in a burst may have dropped it before its turn came: then it is not written at all.
        if (this.entries?.includes(entry)) await this.files.write(this.answerUri(entry.id), new TextEncoder().encode(answer));
        else this.unwritten.add(entry.id);
      }
      for (const d of drop) await this.deleteAnswer(d);
    });
    this._onDidChange.fire();
    return entry;
  }

  /** The id of the entry `r` was recorded as (undefined when it was not recorded in this window). */
  entryIdOf(r: ApiResult): string | undefined {
    return this.recordedAs.get(r);
  }

  async answer(e: HistoryEntry): Promise<StoredAnswer | undefined> {
    if (!e.answerKept) return undefined;
    try {
      const bytes = await this.files.read(this.answerUri(e.id));
      return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as StoredAnswer) : undefined;
    } catch {
      return undefined;
    }
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    return (await this.list()).find((e) => e.id === id);
  }

  async remove(ids: readonly string[]): Promise<void> {
    const gone = new Set(ids);
    const entries = await this.list();
    const removed = entries.filter((e) => gone.has(e.id));
    this.entries = entries.filter((e) => !gone.has(e.id));
    await this.write(async () => {
      for (const e of removed) await this.deleteAnswer(e);
    });
    this._onDidChange.fire();
  }

  async clear(): Promise<void> {
    this.entries = [];
    this.unwritten.clear();
    await this.write(() => this.files.remove(vscode.Uri.joinPath(this.dir, 'answers')));
    this._onDidChange.fire();
  }

  private async deleteAnswer(e: HistoryEntry): Promise<void> {
    if (!e.answerKept || this.unwritten.delete(e.id)) return;
    await this.files.remove(this.answerUri(e.id)).then(undefined, () => undefined);
  }

  /**
   * Runs `extra`, then writes the index, after every earlier write. Writes asked for while one is
   * waiting its turn join it: their extras run in order and the index is written once, as it then is.
   * Calls can come faster than a 500-entry index is written (an agent, a data run): one write per call
   * would queue without bound, each holding its work, and write the same index over and over.
   */
  private write(extra: () => Thenable<void> | Promise<void>): Promise<void> {
    this.extras.push(extra);
    if (this.waiting) return this.waiting;
    const run = async (): Promise<void> => {
      // From here on, a new write waits for the next turn: what it changes may come after this index.
      this.waiting = undefined;
      const extras = this.extras.splice(0);
      await this.files.makeFolder(vscode.Uri.joinPath(this.dir, 'answers'));
      for (const x of extras) await x();
      const index: IndexFile = { version: 1, entries: this.entries ?? [] };
      await this.files.write(this.indexUri, new TextEncoder().encode(JSON.stringify(index)));
    };
    const turn = this.writes
      .then(run)
      .catch((e: unknown) =>
        this.log.write('warn', 'history', `the history could not be written (${e instanceof Error ? e.message : String(e)})`),
      );
    this.waiting = turn;
    this.writes = turn;
    return turn;
  }

  /** Resolves when everything recorded so far is on disk (tests, deactivation). */
  flushed(): Promise<void> {
    return this.writes;
  }
}

function isEntry(v: unknown): v is HistoryEntry {
  const e = v as HistoryEntry;
  return (
    !!e &&
    typeof e.id === 'string' &&
    typeof e.time === 'number' &&
    typeof e.server === 'string' &&
    Array.isArray(e.params) &&
    !!FAMILIES[e.family]
  );
}

export type HistoryNode =
  | { kind: 'day'; label: string; entries: HistoryEntry[] }
  | { kind: 'server'; day: string; server: string; entries: HistoryEntry[] }
  | { kind: 'entry'; entry: HistoryEntry };

/** The History view: days, then servers, then calls, newest first. */
export class HistoryTree extends Disposable implements vscode.TreeDataProvider<HistoryNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<HistoryNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly view: vscode.TreeView<HistoryNode>;

  constructor(private readonly store: HistoryStore) {
    super();
    this.view = this._register(vscode.window.createTreeView(VIEW_HISTORY, { treeDataProvider: this, canSelectMany: true }));
    this._register(store.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
  }

  async getChildren(n?: HistoryNode): Promise<HistoryNode[]> {
    if (!n) {
      const now = Date.now();
      const days = new Map<string, HistoryEntry[]>();
      for (const e of await this.store.list()) {
        const d = dayLabel(e.time, now);
        const list = days.get(d);
        if (list) list.push(e);
        else days.set(d, [e]);
      }
      return [...days].map(([label, entries]) => ({ kind: 'day', label, entries }));
    }
    if (n.kind === 'day') {
      const servers = new Map<string, HistoryEntry[]>();
      for (const e of n.entries) {
        const list = servers.get(e.server);
        if (list) list.push(e);
        else servers.set(e.server, [e]);
      }
      return [...servers].map(([server, entries]) => ({ kind: 'server', day: n.label, server, entries }));
    }
    if (n.kind === 'server') return n.entries.map((entry) => ({ kind: 'entry', entry }));
    return [];
  }

  getTreeItem(n: HistoryNode): vscode.TreeItem {
    if (n.kind === 'day') {
      const item = new vscode.TreeItem(
        n.label,
        n.label === 'Today' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
      );
      item.id = `day:${n.label}`;
      item.description = `${n.entries.length} call${n.entries.length === 1 ? '' : 's'}`;
      item.contextValue = 'historyDay';
      return item;
    }
    if (n.kind === 'server') {
      const item = new vscode.TreeItem(n.server, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `day:${n.day}/server:${n.server}`;
      item.iconPath = new vscode.ThemeIcon('server');
      item.description = `${n.entries.length}`;
      item.contextValue = 'historyServer';
      return item;
    }
    const e = n.entry;
    const item = new vscode.TreeItem(entryLabel(e), vscode.TreeItemCollapsibleState.None);
    item.id = `entry:${e.id}`;
    timeFormat ??= new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const time = timeFormat.format(e.time);
    // The HTTP status when an answer came; otherwise the verdict in words ("Network error"), said once.
    item.description = `${e.status ? `${e.status}${e.ok ? '' : ` ${verdictOf(e.kind)}`}` : verdictOf(e.kind)} · ${e.ms} ms · ${formatSize(e.bytes)} · ${time}`;
    item.iconPath = e.ok
      ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
      : new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.contextValue = e.answerKept ? 'historyEntry.answer' : 'historyEntry';
    item.command = { command: 'cpanel.history.open', title: 'Open Result', arguments: [n] };
    // Read aloud: the outcome once, in words, then the rest of the line.
    item.accessibilityInformation = {
      label: `${entryLabel(e)}, ${e.ok ? 'succeeded' : verdictOf(e.kind)}${e.status ? `, HTTP ${e.status}` : ''}, ${e.ms} ms, ${formatSize(e.bytes)}, ${time}`,
    };
    return item;
  }

  /** The tooltip is made when the pointer rests on an entry, not for every entry the view lists. */
  resolveTreeItem(item: vscode.TreeItem, n: HistoryNode): vscode.TreeItem {
    if (n.kind === 'entry') item.tooltip = entryTooltip(n.entry);
    return item;
  }

  refresh(): void {
    this._onDidChangeTreeData.fire(undefined);
  }
}

// Made once, with the first entry shown (not when the extension loads: see dayLabel): toLocaleTimeString builds a
// formatter on every call. Same text as toLocaleTimeString('en-GB').
let timeFormat: Intl.DateTimeFormat | undefined;

function entryTooltip(e: HistoryEntry): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`${FAMILIES[e.family].name} ${e.function}${e.account ? ` as ${e.account}` : ''} on ${e.server}\n`);
  md.appendMarkdown('\n');
  md.appendCodeblock(`${e.method} ${e.params.map(([k, v]) => `${k}=${v}`).join('&')}`.slice(0, 2000), 'text');
  md.appendText(
    `${verdictOf(e.kind)} · HTTP ${e.status || '—'} · ${e.ms} ms · ${formatSize(e.bytes)} · ${new Date(e.time).toLocaleString('en-GB')} · from ${e.origin}`,
  );
  const phases = parsePhases(e.phases);
  if (phases) md.appendText(`\n${phaseLine(phases)}`);
  if (e.hint) md.appendText(`\n\n${e.hint}`);
  if (!e.answerKept) md.appendText('\n\nThe answer was not kept (none arrived, or it was larger than cpanel.history.maxAnswerKB).');
  return md;
}

export function entryLabel(e: HistoryEntry): string {
  return `${e.family} ${e.function}${e.account ? ` as ${e.account}` : ''}`;
}
