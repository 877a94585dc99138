import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ApiRequest } from '../../src/core/api/request';
import type { Sent, Services } from '../../src/extension/services';
import { functionItems } from '../../src/extension/requests/requestFlow';
import type { TreeNode } from '../../src/extension/servers/serversTree';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';

const ROOT = join(__dirname, '..', '..', '..');
const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';
const CATEGORY = 'account-management';

describe('cPanel API Explorer in a real extension host', () => {
  let sb: Sandbox;
  let s: Services;

  const whm = (): Record<string, unknown> => ({
    id: 'whm-1',
    label: 'sandbox-whm',
    host: '127.0.0.1',
    service: 'whm',
    secure: true,
    port: sb.port('whm'),
    username: 'root',
    auth: 'token',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
  });
  const cpanel = (): Record<string, unknown> => ({
    id: 'cp-1',
    label: 'sandbox-cpanel',
    host: '127.0.0.1',
    service: 'cpanel',
    secure: true,
    port: sb.port('cpanel'),
    username: 'cptest',
    auth: 'session',
    twoFactor: 'session',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
  });

  /** Sends through the one runner every path uses, as the builder and snippets do. */
  async function send(profileId: string, request: ApiRequest): Promise<Sent | undefined> {
    const profile = s.profiles.get(profileId);
    assert.ok(profile, profileId);
    return s.runner.run({ profile, request, origin: 'test' });
  }

  async function waitFor<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function setServers(list: unknown[]): Promise<void> {
    await vscode.workspace.getConfiguration('cpanel').update('servers', list, vscode.ConfigurationTarget.Global);
  }

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    const ext = vscode.extensions.getExtension<Services>(EXT_ID);
    assert.ok(ext, 'the extension is installed');
    s = await ext.activate();
  });

  after(async () => {
    await setServers([]);
    await s.secrets.delete('whm-1');
    await s.secrets.delete('cp-1');
    await sb.stop();
  });

  it('activates and registers every contributed command', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = pkg.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(pkg.contributes.commands.length >= 15);
  });

  it('stores secrets in SecretStorage only, and removes them', async () => {
    await s.secrets.set('whm-1', { token: CREDS.root.whmToken });
    assert.equal((await s.secrets.get('whm-1')).token, CREDS.root.whmToken);
    await setServers([whm()]);
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('cpanel').get('servers'));
    assert.ok(!settingsText.includes(CREDS.root.whmToken), 'no secret in settings');
    await s.secrets.delete('whm-1');
    assert.deepEqual(await s.secrets.get('whm-1'), {});
    await s.secrets.set('whm-1', { token: CREDS.root.whmToken });
  });

  it('reports invalid settings entries without breaking the tree', async () => {
    await setServers([
      whm(),
      { id: 'bad', label: 'broken', host: 'https://x.example', service: 'whm', secure: true, port: 99999, username: 'root', auth: 'token' },
      'not an object',
    ]);
    const roots = (await s.tree.getChildren()) as Extract<TreeNode, { kind: 'server' }>[];
    assert.equal(roots.length, 3);
    const broken = roots.find((r) => r.profile.label === 'broken')!;
    assert.ok(
      broken.problems.some((p) => /is a URL/.test(p)),
      broken.problems.join(),
    );
    assert.ok(broken.problems.some((p) => /port 99999/.test(p)));
    assert.equal(s.tree.getTreeItem(broken).contextValue, 'invalidServer');
    assert.equal(s.profiles.profiles().length, 1, 'only valid profiles are usable');
    await setServers([whm()]);
  });

  it('shows server → WHM API 1 → categories → functions, and accounts from listaccts', async () => {
    await setServers([whm()]);
    const [server] = await s.tree.getChildren();
    assert.ok(server && server.kind === 'server');
    const item = s.tree.getTreeItem(server);
    assert.equal(item.label, 'sandbox-whm');
    // Signed in already when the status bar's background read of the active server's tokens came first.
    assert.match(String(item.description), /^root@127\.0\.0\.1:\d+ · (not )?signed in$/);
    const families = await s.tree.getChildren(server);
    assert.deepEqual(
      families.map((f) => s.tree.getTreeItem(f).label),
      ['WHM API 1', 'cPanel accounts', 'API Tokens'],
    );
    const categories = await s.tree.getChildren(families[0]);
    assert.equal(categories.length, 100);
    const accountsCat = categories.find((c) => c.kind === 'group' && c.group === CATEGORY);
    assert.ok(accountsCat);
    const fns = await s.tree.getChildren(accountsCat);
    const listaccts = fns.find((f) => f.kind === 'function' && f.fn.name === 'listaccts');
    assert.ok(listaccts && listaccts.kind === 'function');
    assert.equal(listaccts.allowed, true, 'applist marks what root may call');
    const tip = s.tree.getTreeItem(listaccts).tooltip as vscode.MarkdownString;
    assert.match(tip.value, /\[Documentation\]\(https:\/\/api\.docs\.cpanel\.net\//);
    const accounts = await s.tree.getChildren(families[1]);
    assert.deepEqual(
      accounts.map((a) => (a.kind === 'account' ? a.user : '?')),
      ['bob', 'cptest'],
    );
    const onBehalf = await s.tree.getChildren(accounts[0]);
    assert.deepEqual(
      onBehalf.map((f) => s.tree.getTreeItem(f).label),
      ['UAPI', 'cPanel API 2'],
    );
    assert.equal(s.clients.state('whm-1'), 'signed_in');
    assert.match(String(s.tree.getTreeItem(server).description), /signed in$/);
  });

  /** The result's JSON document, as "Open as JSON" opens it. */
  async function openJson(sent: Sent | undefined): Promise<vscode.TextDocument> {
    assert.ok(sent);
    const stored = s.results.get(sent.id);
    assert.ok(stored, 'the result is kept');
    return (await s.results.openJson(stored)).document;
  }

  it('sends a WHM call: its result view opens, and its read-only JSON document', async () => {
    const sent = await send('whm-1', { family: 'whm', function: 'listaccts', params: [] });
    assert.ok(sent);
    assert.equal(sent.result.kind, 'ok');
    const tab = await waitFor(() =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find(
          (t) =>
            t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('cpanel.result') && t.label.startsWith('whm listaccts'),
        ),
    );
    assert.match(tab.label, /^whm listaccts · sandbox-whm · 200 · \d+ ms$/);
    assert.ok(tab.isActive, 'the result view is in front');
    const doc = await openJson(sent);
    assert.ok(doc.uri.scheme === 'cpanel-result');
    assert.equal(doc.languageId, 'json');
    assert.match(doc.uri.path, /^\/whm listaccts · sandbox-whm · 200 · \d+ ms$/);
    const body = JSON.parse(doc.getText()) as { verdict: string; data: { acct: unknown[] } };
    assert.equal(body.verdict, 'OK');
    assert.equal(body.data.acct.length, 2);
    assert.ok(!doc.getText().includes(CREDS.root.whmToken));
  });

  it('puts the verdict first for failures, and the raw answer one command away', async () => {
    const sent = await send('whm-1', { family: 'uapi', module: 'Email', function: 'add_pop', params: [['email', 'x']], asUser: 'cptest' });
    assert.equal(sent?.result.kind, 'api_error');
    const text = (await openJson(sent)).getText();
    assert.ok(text.indexOf('"verdict": "API error"') < text.indexOf('"data"'));
    assert.match(text, /You must specify the “password” parameter/);
    await vscode.commands.executeCommand('cpanel.result.showRaw');
    const raw = vscode.window.activeTextEditor!.document;
    assert.match(raw.uri.query, /view=raw/);
    // The raw answer is WHM's uapi_cpanel envelope, with the UAPI answer inside.
    const rawAnswer = JSON.parse(raw.getText()) as { metadata: { command: string }; data: { uapi: { status: number } } };
    assert.deepEqual([rawAnswer.metadata.command, rawAnswer.data.uapi.status], ['uapi_cpanel', 0]);
  });

  it('session login with 2FA, then Rerun Last Request, from its own secrets', async () => {
    await setServers([whm(), cpanel()]);
    await s.secrets.set('cp-1', { password: CREDS.cptest.password, totpSecret: CREDS.cptest.tfaSecret });
    const first = await send('cp-1', { family: 'uapi', module: 'Email', function: 'list_pops', params: [] });
    assert.equal(first?.result.kind, 'ok', first?.result.hint);
    const again = await vscode.commands.executeCommand<Sent>('cpanel.request.rerun');
    assert.equal(again?.result.kind, 'ok');
    assert.equal(sb.requests('/login').length, 1, 'one login for both calls');
    assert.notEqual(first?.uri.toString(), again?.uri.toString());
  });

  it('a secret changed in storage takes effect on the next call', async () => {
    await s.secrets.set('whm-1', { token: 'WRONGTOKEN0000000000000000000000' });
    const bad = await send('whm-1', { family: 'whm', function: 'version', params: [] });
    assert.equal(bad?.result.kind, 'auth_error');
    assert.equal(s.clients.state('whm-1'), 'error');
    await s.secrets.set('whm-1', { token: CREDS.root.whmToken });
    const good = await send('whm-1', { family: 'whm', function: 'version', params: [] });
    assert.equal(good?.result.kind, 'ok');
  });

  it('a 20 MB answer opens as a document', async () => {
    sb.inject({ fault: { kind: 'huge', bytes: 20 * 1024 * 1024 } });
    const started = Date.now();
    const sent = await send('cp-1', { family: 'uapi', module: 'Email', function: 'list_pops', params: [] });
    assert.equal(sent?.result.kind, 'ok', sent?.result.hint);
    const doc = await openJson(sent);
    assert.ok(doc.getText().length > 20 * 1024 * 1024, `${doc.getText().length} characters`);
    assert.match(doc.getText().slice(0, 2000), /"verdict": "OK"/);
    assert.ok(Date.now() - started < 30_000);
  });

  it('records every call in the history: parameters with secrets withheld, answers kept up to the cap, nothing secret on disk', async () => {
    const secret = 'Hunter2-history-secret';
    await send('whm-1', {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'hist'],
        ['password', secret],
      ],
      asUser: 'cptest',
    });
    await s.history.flushed();
    const entries = await s.history.list();
    const add = entries.find((e) => e.function === 'Email/add_pop' && e.params.some(([k, v]) => k === 'email' && v === 'hist'));
    assert.ok(add, 'the add_pop call is recorded');
    // A password goes in a POST body, never the URL.
    assert.deepEqual(add.params, [
      ['email', 'hist'],
      ['password', '[redacted]'],
    ]);
    assert.deepEqual(
      [add.server, add.account, add.family, add.method, add.origin, add.ok],
      ['sandbox-whm', 'cptest', 'uapi', 'POST', 'test', true],
    );
    assert.ok(add.bytes > 0 && add.answerKept);
    // The 20 MB answer is over the 1 MB cap: its entry is kept, its answer is not.
    const huge = entries.find((e) => e.bytes > 20 * 1024 * 1024);
    assert.ok(huge && !huge.answerKept);
    const files = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(s.history.folder, 'answers'));
    assert.ok(files.length >= 5, `${files.length} answers kept`);
    const texts = [await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.history.folder, 'index.json'))];
    for (const [name] of files) texts.push(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.history.folder, 'answers', name)));
    const all = texts.map((t) => new TextDecoder().decode(t)).join('\n');
    for (const value of [secret, CREDS.root.whmToken, CREDS.cptest.password, CREDS.cptest.tfaSecret])
      assert.ok(!all.includes(value), `no ${value.slice(0, 4)}… in the history`);
    assert.doesNotMatch(all, /cpsess\d+/);
  });

  it('calls recorded faster than History writes: the index on disk and the answers kept are exactly what History lists', async () => {
    const sent = await send('whm-1', { family: 'whm', function: 'listpkgs', params: [] });
    await s.history.flushed();
    const cfg = vscode.workspace.getConfiguration('cpanel');
    await cfg.update('history.maxEntries', 40, vscode.ConfigurationTarget.Global);
    try {
      const target = { profile: s.profiles.get('whm-1')!, request: { family: 'whm' as const, function: 'listpkgs', params: [] } };
      // 150 records in one go, none awaited before the next (an agent or a data run sends this fast).
      const made = await Promise.all(Array.from({ length: 150 }, () => s.history.record(target, sent!.result, 'test')));
      await s.history.flushed();
      const listed = await s.history.list();
      assert.equal(listed.length, 40);
      assert.deepEqual(
        listed.map((e) => e.id),
        made
          .slice(-40)
          .reverse()
          .map((e) => e!.id),
      );
      const onDisk = JSON.parse(
        new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.history.folder, 'index.json'))),
      ) as { entries: { id: string }[] };
      assert.deepEqual(
        onDisk.entries.map((e) => e.id),
        listed.map((e) => e.id),
      );
      const answers = (await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(s.history.folder, 'answers'))).map(([n]) => n).sort();
      const kept = listed.filter((e) => e.answerKept).map((e) => e.id);
      assert.equal(answers.length, kept.length, 'one answer file per entry kept, none left behind');
      for (const id of kept)
        assert.ok(
          answers.some((n) => n.startsWith(id)),
          `the answer of ${id} is on disk`,
        );
    } finally {
      await cfg.update('history.maxEntries', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('opens a result from the history without sending, and resends it through the runner', async () => {
    await send('whm-1', { family: 'whm', function: 'listpkgs', params: [] });
    await s.history.flushed();
    const entry = (await s.history.list()).find((e) => e.function === 'listpkgs')!;
    const before = sb.requests('listpkgs').length;
    const opened = await vscode.commands.executeCommand<{ result: { data: { pkg: unknown[] } }; historyId: string }>(
      'cpanel.history.open',
      { kind: 'entry', entry },
    );
    assert.equal(opened?.historyId, entry.id);
    assert.equal(opened?.result.data.pkg.length, 2);
    assert.equal(sb.requests('listpkgs').length, before, 'opening sends nothing');
    await vscode.commands.executeCommand('cpanel.history.resend', { kind: 'entry', entry });
    assert.equal(sb.requests('listpkgs').length, before + 1);
    await s.history.flushed();
    assert.equal((await s.history.list())[0]?.origin, 'history');
  });

  it('Delete and Clear History remove entries and their answers', async () => {
    const first = (await s.history.list())[0]!;
    await vscode.commands.executeCommand('cpanel.history.delete', { kind: 'entry', entry: first });
    assert.ok(!(await s.history.list()).some((e) => e.id === first.id));
    await s.history.clear();
    await s.history.flushed();
    assert.equal((await s.history.list()).length, 0);
    const answers = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(s.history.folder, 'answers')).then(
      (x) => x.length,
      () => 0,
    );
    assert.equal(answers, 0);
  });

  it('a WHM function the user is not granted says so (from its applist), and the palette marks it', async () => {
    await setServers([whm(), { ...whm(), id: 'whm-res', label: 'sandbox-reseller', username: 'reseller' }]);
    await s.secrets.set('whm-res', { token: CREDS.reseller.whmToken });
    const r = await send('whm-res', { family: 'whm', function: 'listpkgs', params: [] });
    assert.equal(r?.result.kind, 'api_error');
    assert.match(r?.result.hint ?? '', /^listpkgs is not granted to reseller on sandbox-reseller: it is not in WHM's applist/);
    const typo = await send('whm-res', { family: 'whm', function: 'listacctz', params: [] });
    assert.match(
      typo?.result.hint ?? '',
      /WHM has no function named listacctz: check the spelling/,
      'a name the catalog does not have is still a spelling question',
    );
    const fns = [
      { name: 'listpkgs', function: 'listpkgs', title: 'List packages', params: [] },
      { name: 'listaccts', function: 'listaccts', title: 'List accounts', params: [] },
    ] as unknown as Parameters<typeof functionItems>[0];
    const items = functionItems(fns, new Set(['listaccts']), 'reseller');
    assert.deepEqual(
      items.map((x) => [x.label, x.description]),
      [
        ['listaccts', 'List accounts'],
        ['$(circle-slash) listpkgs', 'not granted to reseller · List packages'],
      ],
    );
    await s.secrets.delete('whm-res');
  });

  it('activation leaves a code cache of the extension bundle in its global storage, for the next activation', async () => {
    // dist/extension.js loaded dist/explorer.js through bundleLoader; the cache is written once activation is over.
    const dir = join(vscode.Uri.joinPath(s.history.folder, '..').fsPath, 'code-cache');
    const file = await waitFor(() => {
      try {
        return readdirSync(dir).find((n) => /^cpapi-explorer-activate-[0-9a-f]{8}\.cache$/.test(n));
      } catch {
        return undefined;
      }
    });
    const data = readFileSync(join(dir, file));
    assert.match(data.toString('latin1', 0, 80), /^cpapi code cache 2 \d+ [\d.]+ [\d.]+ \d+\n/);
    assert.ok(data.length > 10_000, `${data.length} bytes: the functions activation ran`);
  });

  it('onboarding: a walkthrough whose steps open files that exist and run commands that are registered; a short Servers title', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      contributes: {
        walkthroughs: { steps: { description: string; media: { markdown: string } }[] }[];
        menus: { 'view/title': { when: string; group: string }[] };
      };
    };
    const steps = pkg.contributes.walkthroughs[0]!.steps;
    assert.ok(steps.length >= 5);
    const registered = new Set(await vscode.commands.getCommands(true));
    let buttons = 0;
    for (const st of steps) {
      assert.ok(readFileSync(join(ROOT, st.media.markdown), 'utf8').startsWith('# '), st.media.markdown);
      for (const [, command, query] of st.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)) {
        // The walkthrough re-selects its step, and focuses it 250 ms later, when the key that pressed the button is released
        // on it: each button first moves the focus to the cPanel view, a workbench command that runs within the key press.
        assert.equal(command, 'runCommands', `${st.description} runs its command after focusing the cPanel view`);
        const commands = (JSON.parse(decodeURIComponent(query ?? '')) as { commands: string[] }).commands;
        assert.equal(commands[0], 'workbench.view.extension.cpanel');
        for (const c of commands) assert.ok(registered.has(c) || c.endsWith('.focus'), c);
        buttons++;
      }
    }
    assert.equal(buttons, 4);
    // At a narrow side bar the title keeps two buttons; the rest is in its … menu.
    const inline = pkg.contributes.menus['view/title'].filter(
      (m) => m.when === 'view == cpanel.servers' && m.group.startsWith('navigation'),
    );
    assert.equal(inline.length, 2);
  });
});
