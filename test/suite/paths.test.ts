import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Catalog } from '../../src/core/catalog';
import { BuilderPanel } from '../../src/extension/builder/builderPanel';
import type { Sent, Services } from '../../src/extension/services';
import { exportsFor } from '../../src/extension/extension';
import type { Origin, SentEvent } from '../../src/extension/requests/requestRunner';
import { Settings } from '../../src/extension/settings';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { emptyState } from '../../src/shared/protocol';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

/** Every path a request can take reaches the one runner, which asks before anything destructive. */
describe('one path for every send', () => {
  let sb: Sandbox;
  let s: Services;
  const sent: SentEvent[] = [];
  const asked: { message: string; detail: string }[] = [];
  let answer = false;
  let sub: vscode.Disposable;
  let doc: vscode.Uri;

  const server = (): Record<string, unknown> => ({
    id: 'path-whm',
    label: 'path-whm',
    host: '127.0.0.1',
    service: 'whm',
    secure: true,
    port: sb.port('whm'),
    username: 'root',
    auth: 'token',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
  });

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    s = (await vscode.extensions.getExtension<Services>(EXT_ID)!.activate())!;
    await vscode.workspace.getConfiguration('cpanel').update('servers', [server()], vscode.ConfigurationTarget.Global);
    await s.secrets.set('path-whm', { token: CREDS.root.whmToken });
    sub = s.runner.onDidSend((e) => sent.push(e));
    s.runner.confirm = async (message, detail) => {
      asked.push({ message, detail });
      return answer;
    };
    const ws = vscode.workspace.workspaceFolders![0]!;
    doc = vscode.Uri.joinPath(ws.uri, '.vscode', 'cpanel', 'path-remove.cpanel.json');
    await vscode.workspace.fs.writeFile(
      doc,
      new TextEncoder().encode(
        JSON.stringify({ version: 1, server: 'path-whm', family: 'whm', function: 'removeacct', params: [{ name: 'user', value: 'bob' }] }),
      ),
    );
  });

  after(async () => {
    sub.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(doc);
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    await s.secrets.delete('path-whm');
    await sb.stop();
  });

  beforeEach(() => {
    sent.length = 0;
    asked.length = 0;
    answer = false;
  });

  /**
   * Runs a command that opens quick picks, and accepts the active item of each pick it shows until the
   * command settles: accepting when no pick is open does nothing, so nothing waits on a guessed time.
   */
  async function withPicks<T>(run: () => Thenable<T>): Promise<T> {
    let settled = false;
    const done = Promise.resolve(run()).finally(() => (settled = true));
    const until = Date.now() + 20_000;
    while (!settled && Date.now() < until) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await Promise.race([done.then(undefined, () => undefined), new Promise((r) => setTimeout(r, 50))]);
    }
    return done;
  }

  const removals = (): number => sb.requests('removeacct').length;

  const origins = (): Origin[] => sent.map((e) => e.spec.origin);

  it('the production export holds no services, no secret store and no secret', async () => {
    assert.equal(exportsFor(vscode.ExtensionMode.Production, s), undefined);
    assert.equal(exportsFor(vscode.ExtensionMode.Development, s), undefined);
    assert.equal(exportsFor(vscode.ExtensionMode.Test, s), s, 'only the test harness gets them');
  });

  it('the tree: a destructive function asks, with the exact request, and a No sends nothing', async () => {
    const fn = Catalog.load().get('whm', 'reboot')!;
    const before = sb.requests('reboot').length;
    // reboot has no required parameter: the parameter pick opens on Send.
    const r = await withPicks(() =>
      vscode.commands.executeCommand<Sent | undefined>('cpanel.function.send', {
        kind: 'function',
        profile: s.profiles.get('path-whm')!,
        fn,
      }),
    );
    assert.equal(r, undefined);
    assert.equal(asked.length, 1, 'asked once');
    assert.match(asked[0]!.message, /reboot on path-whm removes, suspends, revokes, resets or changes a password/);
    assert.equal(asked[0]!.detail, `GET https://127.0.0.1:${sb.port('whm')}/json-api/reboot?api.version=1`);
    assert.equal(sb.requests('reboot').length, before, 'nothing was sent');
  });

  it('the tree sends a read through the runner without asking', async () => {
    const fn = Catalog.load().get('whm', 'version')!;
    const r = await withPicks(() =>
      vscode.commands.executeCommand<Sent | undefined>('cpanel.function.send', {
        kind: 'function',
        profile: s.profiles.get('path-whm')!,
        fn,
      }),
    );
    assert.equal(r?.result.kind, 'ok', r?.result.hint);
    assert.deepEqual(origins(), ['tree']);
    assert.equal(asked.length, 0);
  });

  it('a function in the tree opens in the builder', async () => {
    const fn = Catalog.load().get('whm', 'accountsummary')!;
    await vscode.commands.executeCommand('cpanel.function.openInBuilder', { kind: 'function', profile: s.profiles.get('path-whm')!, fn });
    const labels = (): string[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    const until = Date.now() + 10_000;
    while (!labels().includes('Request Builder') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(labels().includes('Request Builder'), labels().join());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the builder: a control parameter is refused before sending; a destructive call asks', async () => {
    BuilderPanel.createOrShow(vscode.Uri.file(vscode.extensions.getExtension(EXT_ID)!.extensionPath), s, undefined as never);
    const panel = BuilderPanel.active!;
    const state = {
      ...emptyState(),
      serverId: 'path-whm',
      family: 'uapi' as const,
      account: 'cptest',
      functionName: 'Email/list_pops',
      params: [{ name: 'cpanel_jsonapi_func', value: 'add_pop' }],
    };
    const before = sb.requests('/json-api/cpanel').length;
    await panel.receive({ type: 'send', state });
    assert.equal(sb.requests('/json-api/cpanel').length, before, 'a parameter that rewrites the call is never sent');
    assert.equal(sent.length, 0);
    await panel.receive({
      type: 'send',
      state: {
        ...emptyState(),
        serverId: 'path-whm',
        family: 'whm',
        functionName: 'removeacct',
        params: [{ name: 'username', value: 'bob' }],
      },
    });
    assert.equal(asked.length, 1);
    assert.equal(removals(), 0);
    await panel.receive({
      type: 'send',
      state: { ...emptyState(), serverId: 'path-whm', family: 'whm', functionName: 'listaccts', params: [] },
    });
    assert.deepEqual(origins(), ['builder']);
    panel.dispose();
  });

  it('a snippet from CodeLens and from the Snippets view: both ask before removeacct', async () => {
    await vscode.commands.executeCommand('cpanel.snippet.send', doc);
    await vscode.commands.executeCommand('cpanel.snippet.send', { uri: doc, parsed: { ok: false, problems: [] } });
    assert.equal(asked.length, 2);
    assert.ok(asked.every((a) => /removeacct/.test(a.message) && /user=bob/.test(a.detail)));
    assert.equal(removals(), 0);
  });

  it('Rerun asks before sending a change again, and sends it when told', async () => {
    answer = true;
    const first = await s.runner.run({
      profile: s.profiles.get('path-whm')!,
      request: {
        family: 'uapi',
        module: 'Email',
        function: 'add_pop',
        params: [
          ['email', 'again'],
          ['password', 'S3cure-pass-99'],
        ],
        asUser: 'cptest',
      },
      origin: 'test',
    });
    assert.equal(asked.length, 0, 'a first send of a change does not ask');
    assert.ok(first);
    const again = await vscode.commands.executeCommand<Sent | undefined>('cpanel.request.rerun');
    assert.equal(asked.length, 1);
    assert.match(asked[0]!.message, /changes something on path-whm, and was sent before/);
    assert.ok(!asked[0]!.detail.includes('S3cure-pass-99'), 'the confirmation shows the request redacted');
    assert.ok(again);
    assert.deepEqual(origins(), ['test', 'rerun']);
  });

  it('request limits come from user settings only, within bounds', async () => {
    const cfg = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('cpanel');
    try {
      await cfg().update('request.timeoutSeconds', 1e9, vscode.ConfigurationTarget.Global);
      assert.equal(Settings.timeoutSeconds(), 3600, 'clamped');
      // A workspace cannot set it: VS Code refuses the write for an application setting, and it would be ignored anyway.
      await cfg()
        .update('request.timeoutSeconds', 0.001, vscode.ConfigurationTarget.Workspace)
        .then(
          () => undefined,
          () => undefined,
        );
      assert.equal(Settings.timeoutSeconds(), 3600);
      await cfg().update('request.maxResponseMB', 0, vscode.ConfigurationTarget.Global);
      assert.equal(Settings.maxResponseMB(), 1);
    } finally {
      await cfg().update('request.timeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      await cfg()
        .update('request.timeoutSeconds', undefined, vscode.ConfigurationTarget.Workspace)
        .then(
          () => undefined,
          () => undefined,
        );
      await cfg().update('request.maxResponseMB', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(Settings.timeoutSeconds(), 60);
  });

  it('listaccts is fetched once per server until a refresh or a call that changes accounts', async () => {
    await vscode.commands.executeCommand('cpanel.servers.refresh');
    const start = s.accounts.fetchCount;
    const root = (await s.tree.getChildren()).find((n) => n.kind === 'server' && n.profile.id === 'path-whm')!;
    const accountsNode = (await s.tree.getChildren(root)).find((n) => n.kind === 'accounts')!;
    for (let i = 0; i < 3; i++) await s.tree.getChildren(accountsNode);
    await s.runner.run({
      profile: s.profiles.get('path-whm')!,
      request: { family: 'whm', function: 'version', params: [] },
      origin: 'test',
    });
    await s.tree.getChildren(accountsNode);
    assert.equal(s.accounts.fetchCount - start, 1, 'one fetch for three looks and a read');
    answer = true;
    await s.runner.run({
      profile: s.profiles.get('path-whm')!,
      request: { family: 'whm', function: 'suspendacct', params: [['user', 'bob']] },
      origin: 'test',
    });
    await s.tree.getChildren(accountsNode);
    assert.equal(s.accounts.fetchCount - start, 2, 'a call that changed accounts reads them again');
    await vscode.commands.executeCommand('cpanel.servers.refresh');
    await s.tree.getChildren(accountsNode);
    assert.equal(s.accounts.fetchCount - start, 3, 'and so does Refresh');
  });
});
