import { execFileSync } from 'node:child_process';
import Module from 'node:module';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { answerOf, DEFAULT_MAX_ANSWER_KB, fitAnswer } from '../../src/core/agent/answer';
import { Catalog } from '../../src/core/catalog';
import { historyEntry, type HistoryEntry } from '../../src/core/history';
import type { ApiResult } from '../../src/core/result';
import { parseServersCsv } from '../../src/core/serverCsv';
import { planImport } from '../../src/core/serverImport';
import type { ServerProfile } from '../../src/core/servers';
import type * as HistoryModule from '../../src/extension/history/history';
import { interleave, type Round } from './ab';

/**
 * Rows that need no server: each is our code against the least a program must do with the same
 * input, interleaved in rounds like the others (src/core, and the History tree in plain Node).
 */

const time = (fn: () => unknown): number => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

/** A UAPI answer of `n` mailboxes, normalized, as the client hands it to the agent tool. */
function bigList(n: number): ApiResult {
  const data = Array.from({ length: n }, (_, i) => ({
    email: `box${i}@d${i % 997}.example`,
    login: `box${i}`,
    domain: `d${i % 997}.example`,
    diskused: (i * 7919) % 100000,
    suspended_login: i % 17 === 0 ? 1 : 0,
  }));
  return {
    ok: true,
    kind: 'ok',
    status: 200,
    data,
    errors: [],
    warnings: [],
    messages: [],
    metadata: {},
    raw: '',
    contentType: 'application/json',
    timings: { headersMs: 1, totalMs: 1 },
    request: { method: 'GET', url: 'https://h:2083/execute/Email/list_pops', family: 'uapi', function: 'Email/list_pops' },
  };
}

/** cpanel_call's answer for a 100,000-row list: answerOf + fitAnswer to the default budget, against one JSON.stringify of it. */
export async function measureAgentAnswer(
  rounds: number,
): Promise<{ rounds: Round[]; chars: number; budget: number; shown: number; total: number }> {
  const r = bigList(100_000);
  const budget = DEFAULT_MAX_ANSWER_KB * 1024;
  let last: ReturnType<typeof fitAnswer> | undefined;
  const ours = (): number => (gc(), time(() => (last = fitAnswer(answerOf(r), budget, 'uapi'))));
  const base = (): number => (gc(), time(() => JSON.stringify(answerOf(r))));
  ours();
  base();
  const out = await interleave(rounds, base, ours);
  return { rounds: out, chars: last!.text.length, budget, shown: last!.cut?.shown ?? 0, total: last!.cut?.total ?? 0 };
}

/** Import Servers of a 50,000-row CSV: our parse + plan against csv-parse reading the same file alone. */
export async function measureImport(rounds: number): Promise<Round[]> {
  const lines = ['label,host,service,secure,port,username,auth,twoFactor,groups,tls,fingerprint256'];
  const fp = 'AB:'.repeat(31) + 'AB';
  for (let i = 0; i < 50_000; i++) {
    lines.push(
      `s${i},h${i}.example.net,${i % 3 ? 'whm' : 'cpanel'},true,${i % 3 ? 2087 : 2083},${i % 3 ? 'root' : `u${i}`},token,none,eu;g${i % 50},${i % 5 ? 'system' : 'pinned'},${i % 5 ? '' : fp}`,
    );
  }
  const text = lines.join('\n');
  // Some of the file's servers are configured already (replaced by label), as an import over a fleet has.
  const existing = (parseServersCsv(lines.slice(0, 5001).join('\n'), 'existing').profiles as ServerProfile[]).map((p, i) => ({
    ...p,
    id: `old${i}`,
  }));
  let n = 0;
  const ours = (): number =>
    time(() => {
      const parsed = parseServersCsv(text, 'servers.csv');
      if (parsed.problems.length) throw new Error(`the bench CSV has problems: ${parsed.problems[0]}`);
      planImport(existing, parsed.profiles, true, () => `id${n++}`);
    });
  const base = (): number => time(() => parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }));
  ours();
  base();
  return interleave(rounds, base, ours);
}

/**
 * The tree's function filter over the catalog (~1,300 functions): each keystroke of "list pops"
 * searched afresh, the slowest keystroke of a round against one substring scan of the names.
 */
export async function measureFilter(rounds: number): Promise<{ rounds: Round[]; firstMs: number }> {
  // The first keystroke in a fresh process: the catalog loaded and indexed, then searched (median of 3 processes).
  const catalogJs = JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'catalog.js'));
  const script = `const t = performance.now(); const c = require(${catalogJs}).Catalog.load(); if (!c.search('l').length) process.exit(3); process.stdout.write(String(performance.now() - t));`;
  const firsts = [0, 1, 2].map(() => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  const firstMs = firsts.sort((a, b) => a - b)[1]!;
  const catalog = Catalog.load();
  const typed = 'list pops';
  const keys = Array.from({ length: typed.length }, (_, i) => typed.slice(0, i + 1));
  const slowest = (fn: (q: string) => unknown) => (): number => Math.max(...keys.map((q) => time(() => fn(q))));
  return {
    rounds: await interleave(
      rounds,
      slowest((q) => catalog.functions.filter((f) => f.name.toLowerCase().includes(q))),
      slowest((q) => catalog.search(q)),
    ),
    firstMs,
  };
}

/** The parts of the vscode API the History tree touches, enough to build its nodes and items in plain Node. */
function vscodeStub(): object {
  class EventEmitter {
    event = (): { dispose(): void } => ({ dispose() {} });
    fire(): void {}
    dispose(): void {}
  }
  class TreeItem {
    constructor(
      public label: string,
      public collapsibleState: number,
    ) {}
  }
  class ThemeIcon {
    constructor(
      public id: string,
      public color?: unknown,
    ) {}
  }
  class ThemeColor {
    constructor(public id: string) {}
  }
  class MarkdownString {
    value = '';
    appendText(s: string): this {
      this.value += s;
      return this;
    }
    appendMarkdown(s: string): this {
      this.value += s;
      return this;
    }
    appendCodeblock(s: string): this {
      this.value += s;
      return this;
    }
  }
  return {
    EventEmitter,
    TreeItem,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    window: { createTreeView: () => ({ dispose() {} }) },
    workspace: { getConfiguration: () => ({ get: () => undefined }) },
    Uri: { joinPath: () => ({}) },
  };
}

/**
 * The History view opening with 500 entries: every node of the open tree (days, servers, entries)
 * and its TreeItem, against grouping the same entries by day and server and making one plain item each.
 */
export async function measureHistory(rounds: number): Promise<Round[]> {
  const stub = vscodeStub();
  const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const load = M._load;
  M._load = (req: string, ...rest: unknown[]) => (req === 'vscode' ? stub : load(req, ...rest));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { HistoryTree } = require('../../src/extension/history/history') as typeof HistoryModule;
    const now = Date.now();
    const profile = (i: number): ServerProfile => ({
      id: `p${i}`,
      label: `server-${i}`,
      host: 'h',
      service: 'whm',
      secure: true,
      port: 2087,
      username: 'root',
      auth: 'token',
      twoFactor: 'none',
      tls: { mode: 'system' },
    });
    const r = bigList(3);
    const entries: HistoryEntry[] = Array.from({ length: 500 }, (_, i) =>
      historyEntry(
        profile(i % 12),
        { family: 'whm', function: i % 2 ? 'listaccts' : 'version', params: [['want', 'user']] },
        r,
        'palette',
        now - i * 20 * 60_000,
        256 * 1024,
        `id${i}`,
      ),
    );
    const store = { list: async () => entries, onDidChange: () => ({ dispose() {} }) };
    const tree = new HistoryTree(store as never);
    const ours = async (): Promise<number> => {
      const t = performance.now();
      const walk = async (n?: Parameters<typeof tree.getChildren>[0]): Promise<void> => {
        for (const c of await tree.getChildren(n)) {
          tree.getTreeItem(c);
          await walk(c);
        }
      };
      await walk();
      return performance.now() - t;
    };
    const base = async (): Promise<number> => {
      const t = performance.now();
      const days = new Map<string, Map<string, HistoryEntry[]>>();
      for (const e of await store.list()) {
        const day = new Date(e.time).toDateString();
        let servers = days.get(day);
        if (!servers) days.set(day, (servers = new Map()));
        const list = servers.get(e.server);
        if (list) list.push(e);
        else servers.set(e.server, [e]);
      }
      const items: { label: string; description: string }[] = [];
      for (const [day, servers] of days) {
        items.push({ label: day, description: String(servers.size) });
        for (const [server, list] of servers) {
          items.push({ label: server, description: String(list.length) });
          for (const e of list)
            items.push({
              label: `${e.family} ${e.function}`,
              description: `${e.status} · ${e.ms} ms · ${new Date(e.time).toLocaleTimeString('en-GB')}`,
            });
        }
      }
      return performance.now() - t;
    };
    await ours();
    await base();
    return await interleave(rounds, base, ours);
  } finally {
    M._load = load;
  }
}
