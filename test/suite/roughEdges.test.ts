import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApiRequest } from '../../src/core/api/request';
import type { HistoryEntry } from '../../src/core/history';
import type { ApiResult } from '../../src/core/result';
import type { ServerProfile } from '../../src/core/servers';
import { parseSnippet, type Snippet } from '../../src/core/snippets';
import type { TestExports } from '../../src/extension/extension';
import { runFanOut } from '../../src/extension/fleet/fleet';
import { HistoryTree } from '../../src/extension/history/history';
import { offerPin } from '../../src/extension/servers/certificates';
import type { ProfileStore } from '../../src/extension/servers/profileStore';
import { SnippetStore } from '../../src/extension/snippets/snippetStore';
import { SnippetTests } from '../../src/extension/snippets/snippetTests';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { deadPort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';
import { profile } from '../helpers/sandbox';
import { stubbing } from './stubs';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

/** What a message function was called with: the text, its options and its buttons. */
interface Said {
  message: string;
  modal: boolean;
  detail?: string;
  items: string[];
}
const said = (message: string, rest: unknown[]): Said => {
  const opts = rest[0] !== null && typeof rest[0] === 'object' ? (rest[0] as vscode.MessageOptions) : undefined;
  return {
    message,
    modal: opts?.modal === true,
    ...(opts?.detail !== undefined ? { detail: opts.detail } : {}),
    items: rest.filter((x): x is string => typeof x === 'string'),
  };
};

const listaccts: ApiRequest = { family: 'whm', function: 'listaccts', params: [] };

/** Issue 23, "what a new user met": each fix, as a person meets it, in a real extension host. */
describe('rough edges a new user met', () => {
  let sb: Sandbox;
  let s: TestExports;
  let dir: vscode.Uri;
  let saved: unknown;
  let down: number;
  const ids = ['rough-whm', 'rough-bob', 'rough-down', 'rough-cmp', 'rough-unpinned'];

  const server = (id: string, over: Partial<ServerProfile> = {}): ServerProfile =>
    profile(sb, 'whm', { id, label: id, auth: 'token', ...over });
  const configure = async (): Promise<void> => {
    await vscode.workspace.getConfiguration('cpanel').update(
      'servers',
      [
        server('rough-whm'),
        server('rough-bob', { service: 'cpanel', port: sb.port('cpanel'), username: 'bob' }),
        server('rough-down', { port: down }),
        server('rough-cmp'),
        // Another name for the sandbox's host: no server of this host has its certificate pinned yet.
        server('rough-unpinned', { host: 'localhost', tls: { mode: 'system' }, groups: ['rough-tls'] }),
      ],
      vscode.ConfigurationTarget.Global,
    );
    for (const id of ids) await s.secrets.set(id, { token: id === 'rough-bob' ? CREDS.bob.cpanelToken : CREDS.root.whmToken });
  };
  const write = async (name: string, content: object): Promise<vscode.Uri> => {
    const uri = vscode.Uri.joinPath(dir, name);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(content, null, 2)));
    return uri;
  };
  const parsed = (uri: vscode.Uri, text: object): { uri: vscode.Uri; snippet: Snippet } => {
    const p = parseSnippet(JSON.stringify(text));
    assert.ok(p.ok);
    return { uri, snippet: p.snippet };
  };
  const entryOf = (what: string, ok: (e: HistoryEntry) => boolean): Promise<HistoryEntry> =>
    waitFor(what, async () => (await s.history.list()).find(ok));

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    s = (await vscode.extensions.getExtension<TestExports>(EXT_ID)!.activate())!;
    saved = vscode.workspace.getConfiguration('cpanel').inspect('servers')?.globalValue;
    down = await deadPort();
    dir = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.vscode', 'cpanel', 'rough');
    await vscode.workspace.fs.createDirectory(dir);
    await configure();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(dir, { recursive: true });
    for (const id of ids) await s.secrets.delete(id);
    await vscode.workspace.getConfiguration('cpanel').update('servers', saved, vscode.ConfigurationTarget.Global);
    await sb.stop();
  });

  // 3a
  it("the certificate dialog of a cPanel or Webmail server points to a page its user can open, a WHM server's to WHM's", async () => {
    const untrusted: ApiResult = {
      ok: false,
      kind: 'tls_error',
      status: 0,
      data: null,
      errors: ['untrusted'],
      warnings: [],
      messages: [],
      metadata: {},
      raw: '',
      contentType: '',
      hint: 'untrusted',
      certificate: {
        fingerprint256: sb.fingerprint256,
        subject: 'CN=127.0.0.1',
        issuer: 'CN=127.0.0.1',
        validFrom: '',
        validTo: '2030',
        trusted: false,
        trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      },
      timings: { headersMs: 0, totalMs: 0 },
      request: { method: 'GET', url: '', family: 'uapi', function: 'Email/list_pops' },
    };
    const detailFor = async (service: ServerProfile['service']): Promise<string> => {
      const p: ServerProfile = {
        id: `pin-${service}`,
        label: `pin-${service}`,
        host: 'server.example.com',
        service,
        secure: true,
        port: 2083,
        username: service === 'whm' ? 'root' : 'bob',
        auth: 'token',
        twoFactor: 'none',
        tls: { mode: 'system' },
      };
      const store = { profiles: () => [p], save: async () => undefined } as unknown as ProfileStore;
      const asked: Said[] = [];
      const fake = async (message: string, ...rest: unknown[]): Promise<undefined> => {
        asked.push(said(message, rest));
        return undefined;
      };
      assert.equal(await stubbing('showWarningMessage', fake as never, () => offerPin(p, untrusted, store)), undefined, 'not pinned');
      assert.equal(asked.length, 1);
      assert.ok(asked[0]!.modal && asked[0]!.items.includes('Pin Certificate'));
      return asked[0]!.detail ?? '';
    };
    for (const service of ['cpanel', 'webmail'] as const) {
      const detail = await detailFor(service);
      assert.ok(detail.includes(sb.fingerprint256), 'the fingerprint is shown');
      assert.match(
        detail,
        /Compare the fingerprint with the one the server shows \(cPanel » Security » SSL\/TLS Status, or ask the server's administrator/,
      );
      // WHM's page is named only as the administrator's: a cPanel user is not sent to a page that refuses them.
      assert.doesNotMatch(detail, /shows \(WHM/, service);
    }
    assert.match(
      await detailFor('whm'),
      /Compare the fingerprint with the one the server shows \(WHM » Service Configuration » Manage Service SSL Certificates\)\./,
    );
  });

  // 6
  it('Send to Group with a server whose certificate is not trusted offers "Check and Pin…" where the problem shows, and it pins', async () => {
    const targets = ['rough-whm', 'rough-unpinned'].map((id) => ({ profile: s.profiles.get(id)! }));
    assert.deepEqual(targets[1]!.profile.tls, { mode: 'system' });
    const asked: Said[] = [];
    const fake = async (message: string, ...rest: unknown[]): Promise<string | undefined> => {
      const x = said(message, rest);
      asked.push(x);
      return x.items.find((i) => i === 'Check and Pin…' || i === 'Pin Certificate');
    };
    const info: string[] = [];
    const noted = async (message: string): Promise<undefined> => {
      info.push(message);
      return undefined;
    };
    await stubbing('showInformationMessage', noted as never, () =>
      stubbing('showWarningMessage', fake as never, async () => {
        const stored = await runFanOut(s, listaccts, targets, 'group rough-tls');
        assert.deepEqual([stored?.fanout?.ok, stored?.fanout?.failed], [1, 1]);
        // The offer comes once the fan-out's progress notification is gone: waited for, with the dialogs answered.
        await waitFor('the server to be pinned, and the person told', () =>
          s.profiles.get('rough-unpinned')?.tls.mode === 'pinned' && info.includes('Pinned the certificate of rough-unpinned.')
            ? true
            : undefined,
        ).catch((e: unknown) => {
          throw new Error(`${String(e)}; asked: ${JSON.stringify(asked)}; told: ${JSON.stringify(info)}`);
        });
      }),
    );
    assert.deepEqual(asked[0], {
      message: 'rough-unpinned presented a certificate this system does not trust, so it was not called.',
      modal: false,
      items: ['Check and Pin…'],
    });
    assert.ok(asked[1]?.modal, 'then the dialog of a single call');
    assert.ok(asked[1]!.detail?.includes(sb.fingerprint256), 'with the fingerprint to compare');
    assert.equal(asked.length, 2);
    assert.deepEqual(s.profiles.get('rough-unpinned')?.tls, { mode: 'pinned', fingerprint256: sb.fingerprint256 });
    assert.ok(info.includes('Pinned the certificate of rough-unpinned.'), info.join(' | '));
    // Pinned: the next send to the group reaches it.
    const again = await runFanOut(
      s,
      listaccts,
      ['rough-whm', 'rough-unpinned'].map((id) => ({ profile: s.profiles.get(id)! })),
      'group rough-tls',
    );
    assert.deepEqual([again?.fanout?.ok, again?.fanout?.failed], [2, 0]);
  });

  // 9a
  it('an ${env:NAME} typed for a snippet can be remembered for the window: the next run does not ask, and nothing is written', async () => {
    const name = 'CPANEL_ROUGH_SEARCH';
    delete process.env[name];
    const value = `rough-typed-${Date.now().toString(36)}`;
    const text = {
      version: 1,
      server: 'rough-whm',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [{ name: 'search', value: `\${env:${name}}` }],
    };
    const f = parsed(await write('rough-env.cpanel.json', text), text);
    const prompts: vscode.InputBoxOptions[] = [];
    const input = async (o: vscode.InputBoxOptions): Promise<string> => {
      prompts.push(o);
      return value;
    };
    const offers: Said[] = [];
    let answered: Promise<string | undefined> | undefined;
    const offer = (message: string, ...rest: unknown[]): Promise<string | undefined> => {
      const x = said(message, rest);
      if (!/^Remember the value/.test(message)) return Promise.resolve(undefined);
      offers.push(x);
      answered = Promise.resolve('Remember');
      return answered;
    };
    const before = sb.requests('listaccts').length;
    await stubbing('showInformationMessage', offer as never, () =>
      stubbing('showInputBox', input as never, async () => {
        const first = await s.snippetRuns.sendOne(f.uri, f.snippet);
        assert.equal(first?.result?.kind, 'ok', first?.notSent ?? first?.result?.hint);
        assert.equal(prompts.length, 1, 'asked the first time');
        assert.equal(prompts[0]!.password, true);
        assert.match(prompts[0]!.prompt ?? '', /not stored/);
        assert.deepEqual(offers, [
          {
            message: `Remember the value of \${env:${name}} for this window (in memory only, until it closes)?`,
            modal: false,
            items: ['Remember'],
          },
        ]);
        // The answer is taken as the person gives it (here at once); the run did not wait for it.
        await answered;
        const second = await s.snippetRuns.sendOne(f.uri, f.snippet);
        assert.equal(second?.result?.kind, 'ok');
        assert.equal(prompts.length, 1, 'not asked again');
        assert.equal(offers.length, 1, 'nor offered again');
      }),
    );
    const sent = sb.requests('listaccts').slice(before);
    assert.equal(sent.length, 2);
    for (const r of sent) assert.ok(r.body.includes(`search=${value}`) && !r.path.includes(value), 'the value was sent, in the body');

    // Nowhere on disk: not in the settings, the workspace, the History or any other file of the user data.
    await s.history.flushed();
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('cpanel')).includes(value), 'not in the settings');
    assert.ok(!JSON.stringify(await s.environments.variables(true)).includes(value), "not in the environments' variables");
    const user = vscode.Uri.joinPath(s.history.folder, '..', '..', '..');
    const folders = [user, vscode.workspace.workspaceFolders![0]!.uri];
    let files = 0;
    const scan = async (u: vscode.Uri): Promise<void> => {
      for (const [n, type] of await vscode.workspace.fs.readDirectory(u)) {
        const child = vscode.Uri.joinPath(u, n);
        if (type & vscode.FileType.Directory) await scan(child);
        else if (type & vscode.FileType.File) {
          let bytes: Buffer;
          try {
            bytes = Buffer.from(await vscode.workspace.fs.readFile(child));
          } catch (e) {
            // A journal file the workbench deleted between the listing and the read.
            if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') continue;
            throw e;
          }
          files++;
          assert.ok(!bytes.includes(value) && !bytes.includes(Buffer.from(value, 'utf16le')), `${child.path} holds the typed value`);
        }
      }
    };
    for (const u of folders) await scan(u);
    assert.ok(files > 3, `${files} files looked at, settings.json among them`);
  });

  // 9b
  it("the Testing view's output of a snippet run says the request, the verdict and each check", async () => {
    const good = {
      version: 1,
      server: 'rough-whm',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [],
      expect: [{ ok: true }, { status: 404 }],
    };
    const bad = {
      version: 1,
      server: 'rough-down',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [],
      expect: [{ ok: true }],
    };
    const goodUri = await write('rough-t1.cpanel.json', good);
    const badUri = await write('rough-t2.cpanel.json', bad);
    // A SnippetTests of its own (the extension's controller cannot be reached): its controller under another id,
    // its run profile's handler kept, and what each run writes to the Testing view's output recorded.
    const output: string[] = [];
    const outcomes: string[] = [];
    let handler: ((r: vscode.TestRunRequest, t: vscode.CancellationToken) => Thenable<void> | void) | undefined;
    const bound = <O extends object>(o: O, p: PropertyKey): unknown => {
      const v = Reflect.get(o, p) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(o) : v;
    };
    const recordRun = (run: vscode.TestRun): vscode.TestRun =>
      new Proxy(run, {
        set: (r, p, v) => Reflect.set(r, p, v),
        get: (r, p) => {
          if (p === 'appendOutput')
            return (text: string, loc?: vscode.Location, item?: vscode.TestItem) => {
              output.push(text);
              r.appendOutput(text, loc, item);
            };
          if (p === 'passed' || p === 'failed' || p === 'errored')
            return (item: vscode.TestItem, ...rest: unknown[]) => {
              outcomes.push(`${String(p)} ${item.label}`);
              return (bound(r, p) as (...a: unknown[]) => void)(item, ...rest);
            };
          return bound(r, p);
        },
      });
    const create = vscode.tests.createTestController;
    const fake = (id: string, label: string): vscode.TestController =>
      new Proxy(create(`${id}.roughEdges`, label), {
        set: (c, p, v) => Reflect.set(c, p, v),
        get: (c, p) => {
          if (p === 'createRunProfile')
            return (l: string, kind: vscode.TestRunProfileKind, run: NonNullable<typeof handler>, isDefault?: boolean) => {
              handler = run;
              return c.createRunProfile(l, kind, run, isDefault);
            };
          if (p === 'createTestRun')
            return (req: vscode.TestRunRequest, n?: string, persist?: boolean) => recordRun(c.createTestRun(req, n, persist));
          return bound(c, p);
        },
      });
    const store = new SnippetStore();
    const tests = await stubbing('createTestController', fake as never, async () => new SnippetTests(store, s.snippetRuns), vscode.tests);
    try {
      await tests.refresh();
      const items: vscode.TestItem[] = [];
      tests.controller.items.forEach((folder) => folder.children.forEach((i) => items.push(i)));
      const chosen = [goodUri, badUri].map((u) => items.find((i) => i.uri?.toString() === u.toString()));
      assert.ok(chosen[0] && chosen[1], `the two snippets are tests: ${items.map((i) => i.label).join(', ')}`);
      assert.ok(handler, 'a run profile');
      await handler(new vscode.TestRunRequest(chosen as vscode.TestItem[]), new vscode.CancellationTokenSource().token);
    } finally {
      tests.dispose();
      store.dispose();
    }
    assert.deepEqual(outcomes, ['failed rough-t1.cpanel.json', 'failed rough-t2.cpanel.json']);
    assert.equal(output.length, 2);
    const lines = output.map((o) => o.split('\r\n'));
    assert.deepEqual(lines[0]!.slice(3), [
      '  ✓ expect[0] ok: true',
      '  ✗ expect[1] status: 404: expected HTTP status 404, got 200',
      '',
      '',
    ]);
    assert.equal(lines[0]![0], 'rough-t1.cpanel.json');
    assert.equal(lines[0]![1], `  GET https://127.0.0.1:${sb.port('whm')}/json-api/listaccts?api.version=1`);
    assert.match(lines[0]![2]!, /^ {2}OK · HTTP 200 · \d+ ms$/);
    assert.equal(lines[1]![0], 'rough-t2.cpanel.json');
    assert.equal(lines[1]![1], `  GET https://127.0.0.1:${down}/json-api/listaccts?api.version=1`);
    // A failed call: its kind, no status, and its hint.
    assert.match(lines[1]![2]!, /^ {2}network_error · HTTP — · \d+ ms · .*nothing is listening/i);
    assert.match(lines[1]![3]!, /^ {2}✗ expect\[0\] ok: true: expected ok to be true, but the call failed \(network_error/);
  });

  // 17
  it('a History entry of a failed call says its failure once', async () => {
    const since = Date.now();
    const sent = await stubbing('showErrorMessage', (async () => undefined) as never, () =>
      s.runner.run({ profile: s.profiles.get('rough-down')!, request: listaccts, origin: 'palette' }),
    );
    assert.equal(sent?.result.kind, 'network_error');
    const entry = await entryOf('the entry', (e) => e.serverId === 'rough-down' && e.time >= since && e.origin === 'palette');
    const tree = await stubbing(
      'createTreeView',
      (() => ({ dispose() {}, selection: [] })) as never,
      async () => new HistoryTree(s.history),
    );
    try {
      const item = tree.getTreeItem({ kind: 'entry', entry });
      const once = (text: string): number => text.match(/network[ _]error/gi)?.length ?? 0;
      assert.equal(item.label, 'whm listaccts');
      assert.match(String(item.description), /^Network error · \d+ ms · /);
      assert.equal(once(String(item.description)), 1, String(item.description));
      const aloud = item.accessibilityInformation?.label ?? '';
      assert.match(aloud, /^whm listaccts, Network error, \d+ ms, /);
      assert.equal(once(aloud), 1, aloud);
    } finally {
      tree.dispose();
    }
  });

  // 20
  it('Compare with… never offers the call itself: not its History entry, not its result', async () => {
    const p = s.profiles.get('rough-cmp')!;
    const first = await s.runner.run({ profile: p, request: { family: 'whm', function: 'version', params: [] }, origin: 'palette' });
    const second = await s.runner.run({ profile: p, request: listaccts, origin: 'palette' });
    assert.equal(second?.result.kind, 'ok');
    const entry = await entryOf('the listaccts entry', (e) => e.serverId === 'rough-cmp' && e.function === 'listaccts');
    await entryOf('the version entry', (e) => e.serverId === 'rough-cmp' && e.function === 'version');
    await s.history.flushed();
    const offered: vscode.QuickPickItem[][] = [];
    const pick = async (items: vscode.QuickPickItem[]): Promise<undefined> => {
      offered.push(items);
      return undefined;
    };
    const firstTitle = s.results.get(first!.id)!.title;
    const ofThisServer = (items: vscode.QuickPickItem[]): string[] =>
      items
        .filter((i) => `${i.label} ${i.description}`.includes('rough-cmp'))
        .map((i) => `${i.description === 'result' ? 'result' : 'history'}: ${i.label}`);
    await stubbing('showQuickPick', pick as never, async () => {
      // From the History: its entry.
      await vscode.commands.executeCommand('cpanel.history.compare', { kind: 'entry', entry });
      // From the result view of the same call.
      await waitFor('the listaccts result in front', () => (s.panels.active()?.stored.id === second!.id ? true : undefined));
      await vscode.commands.executeCommand('cpanel.result.compare');
    });
    assert.equal(offered.length, 2);
    for (const items of offered) assert.deepEqual(ofThisServer(items), [`result: ${firstTitle}`, 'history: whm version']);
  });

  // 24
  it('Search History finds calls by server, function, parameter value and status, and never shows a secret value', async () => {
    const secret = `Rough-Secret-${Date.now().toString(36)}`;
    const addPop: ApiRequest = {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'roughbox'],
        ['password', secret],
      ],
    };
    const sent = await s.runner.run({ profile: s.profiles.get('rough-bob')!, request: addPop, origin: 'palette' });
    assert.equal(sent?.result.kind, 'ok', sent?.result.hint);
    const entry = await entryOf('the add_pop entry', (e) => e.serverId === 'rough-bob' && e.function === 'Email/add_pop');
    type Item = vscode.QuickPickItem & { entry: HistoryEntry };
    let offered: { items: Item[]; options: vscode.QuickPickOptions } | undefined;
    const pick = async (items: Item[], options: vscode.QuickPickOptions): Promise<Item | undefined> => {
      offered = { items, options };
      return items.find((i) => i.entry.id === entry.id);
    };
    await stubbing('showQuickPick', pick as never, () => Promise.resolve(vscode.commands.executeCommand('cpanel.history.search')));
    assert.ok(offered);
    const { items, options } = offered;
    assert.match(options.title ?? '', /^Search History \(\d+ calls?\)$/);
    assert.equal(options.matchOnDescription, true);
    assert.equal(options.matchOnDetail, true);
    // What a typed filter is matched against: the label, the description and the detail.
    const found = (q: string): Item[] =>
      items.filter((i) => [i.label, i.description ?? '', i.detail ?? ''].some((t) => t.toLowerCase().includes(q.toLowerCase())));
    const added = found('roughbox');
    assert.equal(added.length, 1, 'by a parameter value');
    assert.equal(added[0]!.label, 'uapi Email/add_pop');
    assert.match(added[0]!.description ?? '', /^rough-bob · HTTP 200 OK · /);
    assert.equal(added[0]!.detail, 'email=roughbox  password=[redacted]');
    assert.ok(found('rough-bob').includes(added[0]!), 'by server');
    assert.ok(found('add_pop').includes(added[0]!), 'by function');
    assert.ok(found('HTTP 200').includes(added[0]!), 'by status');
    assert.ok(
      found('network_error').some((i) => i.entry.serverId === 'rough-down'),
      'by the kind of a failure',
    );
    assert.deepEqual(found(secret), [], 'a secret value cannot be searched for');
    assert.ok(!JSON.stringify(items.map((i) => [i.label, i.description, i.detail])).includes(secret), 'nor is it shown');
    // The chosen call opens.
    await waitFor('the entry to open', () => (s.panels.shown().some((x) => x.historyId === entry.id) ? true : undefined));
  });
});
