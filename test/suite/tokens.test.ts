import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ServerProfile } from '../../src/core/servers';
import type { TestExports } from '../../src/extension/extension';
import type { TreeNode } from '../../src/extension/servers/serversTree';
import type { TokenUi } from '../../src/extension/tokens/tokenCommands';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';
const DAY = 86_400_000;

/** API tokens under each server, against the sandbox: every call through the runner, values only in SecretStorage. */
describe('API tokens in the window', () => {
  let sb: Sandbox;
  let s: TestExports;
  const server = (id: string, over: Record<string, unknown>): Record<string, unknown> => ({
    id,
    label: id,
    host: '127.0.0.1',
    service: 'whm',
    secure: true,
    port: sb.port('whm'),
    username: 'root',
    auth: 'token',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
    ...over,
  });

  // What the fake UI answers, in order, and what it was shown.
  const inputs: string[] = [];
  const picks: string[] = [];
  const manyPicks: string[][] = [];
  const answers: (string | undefined)[] = [];
  const revealed: string[] = [];
  const reports: string[] = [];
  const said: string[] = [];
  const questions: { message: string; detail: string }[] = [];
  let confirmAnswer: (message: string) => boolean = () => true;
  let onChoose: (() => Promise<void>) | undefined;
  const logLines: string[] = [];
  let originalConfirm: TestExports['runner']['confirm'];
  let originalWrite: TestExports['log']['write'];
  const errors: string[] = [];
  const originalError = vscode.window.showErrorMessage;

  const fakeUi: TokenUi = {
    input: async (o) => {
      const v = inputs.shift();
      if (v !== undefined && o.validateInput) assert.equal((await o.validateInput(v)) ?? null, null, `"${v}" is accepted`);
      return v;
    },
    pickOne: async (items) => {
      const want = picks.shift();
      return items.find((i) => i.label === want);
    },
    pickMany: async (items) => {
      const want = manyPicks.shift() ?? [];
      return items.filter((i) => want.includes(i.label));
    },
    choose: async (message) => {
      said.push(message);
      await onChoose?.();
      return answers.shift();
    },
    reveal: async (_title, value) => {
      revealed.push(value);
    },
    report: async (md) => {
      reports.push(md);
    },
  };

  const profileOf = (id: string): ServerProfile => s.profiles.get(id)!;
  const node = (id: string): TreeNode => ({ kind: 'server', profile: profileOf(id), problems: [] });
  const rootTokens = (): { name: string; value: string; expiresAt?: number }[] => sb.users.find((u) => u.user === 'root')!.apiTokens ?? [];

  async function tokenNodes(id: string): Promise<Extract<TreeNode, { kind: 'token' }>[]> {
    s.tree.refresh(true);
    const kids = await s.tree.getChildren(node(id));
    const tokens = kids.find((k) => k.kind === 'tokens');
    assert.ok(tokens, 'an API Tokens node under the server');
    return (await s.tree.getChildren(tokens)).filter((k): k is Extract<TreeNode, { kind: 'token' }> => k.kind === 'token');
  }

  /** Every text the window may have put a secret into: History's files, the log, the settings, the tree. */
  async function everything(id: string): Promise<string> {
    await s.history.flushed();
    const texts: string[] = [
      new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.history.folder, 'index.json'))),
    ];
    for (const [name] of await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(s.history.folder, 'answers'))) {
      texts.push(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.history.folder, 'answers', name))));
    }
    texts.push(
      ...logLines,
      JSON.stringify(vscode.workspace.getConfiguration('cpanel').get('servers')),
      ...said,
      ...questions.map((q) => `${q.message} ${q.detail}`),
      ...reports,
    );
    for (const t of await tokenNodes(id)) {
      const item = s.tree.getTreeItem(t);
      texts.push(String(item.label), String(item.description), (item.tooltip as vscode.MarkdownString).value);
    }
    return texts.join('\n');
  }

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    s = (await vscode.extensions.getExtension<TestExports>(EXT_ID)!.activate())!;
    s.tokens.ui = fakeUi;
    originalConfirm = s.runner.confirm;
    s.runner.confirm = async (message, detail) => {
      questions.push({ message, detail });
      return confirmAnswer(message);
    };
    (vscode.window as unknown as Record<string, unknown>).showErrorMessage = (message: string, ...rest: never[]) => {
      errors.push(message);
      return originalError(message, ...rest);
    };
    originalWrite = s.log.write.bind(s.log);
    s.log.write = (level, component, message) => {
      logLines.push(message);
      originalWrite(level, component, message);
    };
    await s.secrets.set('tk-tok', { token: CREDS.root.whmToken });
    await s.secrets.set('tk-pw', { password: CREDS.root.password });
    await s.secrets.set('tk-cp', { token: CREDS.bob.cpanelToken });
    await vscode.workspace
      .getConfiguration('cpanel')
      .update(
        'servers',
        [
          server('tk-tok', {}),
          server('tk-pw', { auth: 'password' }),
          server('tk-cp', { service: 'cpanel', port: sb.port('cpanel'), username: 'bob' }),
        ],
        vscode.ConfigurationTarget.Global,
      );
  });

  after(async () => {
    s.runner.confirm = originalConfirm;
    s.log.write = originalWrite;
    (vscode.window as unknown as Record<string, unknown>).showErrorMessage = originalError;
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    for (const id of ['tk-tok', 'tk-pw', 'tk-cp']) await s.secrets.delete(id);
    await sb.stop();
  });

  beforeEach(() => {
    for (const a of [inputs, picks, manyPicks, answers, said, questions, revealed, reports, errors]) a.length = 0;
    confirmAnswer = () => true;
    onChoose = undefined;
    s.tokens.now = Date.now;
    sb.clearFaults();
  });

  it('lists WHM tokens (privileges, expiry, IPs, dates) and cPanel tokens under each server', async () => {
    const whm = await tokenNodes('tk-tok');
    assert.deepEqual(
      whm.map((t) => t.token.name),
      ['sandbox'],
    );
    const item = s.tree.getTreeItem(whm[0]!);
    assert.match(String(item.description), /all privileges/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /IP allow-list: any address[\s\S]*Created: 2025-01-01 · Last used: \d{4}-/);
    // Not created here: WHM says which token the stored value is (api_token_get_details), a moment later.
    const until = Date.now() + 5000;
    while (!(await tokenNodes('tk-tok'))[0]!.used && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.tree.getTreeItem((await tokenNodes('tk-tok'))[0]!).contextValue, 'token.whm.used');
    assert.ok(!sb.requests('api_token_get_details').some((q) => q.path.includes(CREDS.root.whmToken)), 'the value went in a POST body');
    const cp = await tokenNodes('tk-cp');
    assert.deepEqual(
      cp.map((t) => t.token.name),
      ['sandbox'],
    );
    assert.equal(s.tree.getTreeItem(cp[0]!).contextValue, 'token.cpanel');
  });

  it('Create Token… stores the value in SecretStorage and shows it once; it is in no History file, log line, setting or tree item', async () => {
    inputs.push('ci-deploy', '127.0.0.1, 10.0.0.0/8');
    picks.push('In 30 days');
    manyPicks.push(['list-accts', 'manage-api-tokens']);
    const made = await vscode.commands.executeCommand<{ name: string; acls: string[]; whitelistIps: string[] }>(
      'cpanel.tokens.create',
      node('tk-tok'),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual([inputs, picks, manyPicks], [[], [], []], 'every question was asked');
    assert.deepEqual(
      [made?.name, made?.acls, made?.whitelistIps],
      ['ci-deploy', ['list-accts', 'manage-api-tokens'], ['127.0.0.1', '10.0.0.0/8']],
    );
    assert.equal(revealed.length, 1);
    const value = revealed[0]!;
    assert.equal(rootTokens().find((t) => t.name === 'ci-deploy')?.value, value, 'the value the server made');
    assert.equal(await s.tokens.storedValue('tk-tok', 'ci-deploy'), value, 'kept in SecretStorage');
    const all = await everything('tk-tok');
    assert.ok(!all.includes(value), 'the value appears nowhere else');
    const entry = (await s.history.list()).find((e) => e.function === 'api_token_create');
    assert.ok(entry, 'the create call is in History');
    const answer = new TextDecoder().decode(
      await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.history.folder, 'answers', `${entry.id}.json`)),
    );
    assert.match(answer, /"token":"\[redacted\]"/);
    const listed = (await tokenNodes('tk-tok')).find((t) => t.token.name === 'ci-deploy')!;
    assert.match(String(s.tree.getTreeItem(listed).description), /list-accts, manage-api-tokens · expires in 30 days .* · from 2 ranges/);
  });

  it('Use a Token for This Server: one question, the token made and tested, and the password forgotten only after it works', async () => {
    let stateWhenAsked: { auth: string; password?: string; tested: boolean } | undefined;
    onChoose = async () => {
      const last = sb.requests('/json-api/version').at(-1);
      stateWhenAsked = {
        auth: profileOf('tk-pw').auth,
        password: (await s.secrets.get('tk-pw')).password,
        tested: /^whm root:/.test(String(last?.headers.authorization)),
      };
    };
    answers.push('Forget Password');
    const r = await vscode.commands.executeCommand<{ ok: boolean; name: string }>('cpanel.tokens.useForServer', node('tk-pw'));
    assert.equal(r?.ok, true);
    assert.equal(questions.length, 1, 'one confirmation');
    assert.match(questions[0]!.message, /^Use an API token for tk-pw\?$/);
    assert.match(
      questions[0]!.detail,
      new RegExp(`Create the WHM API token ${r!.name}[\\s\\S]*switch tk-pw[\\s\\S]*Test the connection[\\s\\S]*forget the stored password`),
    );
    // Each step, and the closing sentence, a paragraph of its own.
    assert.deepEqual(
      questions[0]!.detail.split('\n\n').map((p) => p.slice(0, 3)),
      ['1. ', '2. ', '3. ', '4. ', 'If '],
    );
    assert.match(r!.name, /^cpanel-api-explorer-\d{8}-\d{4}/);
    assert.deepEqual(
      stateWhenAsked,
      { auth: 'token', password: CREDS.root.password, tested: true },
      'asked after the token worked, with the password still stored',
    );
    const stored = await s.secrets.get('tk-pw');
    assert.equal(stored.password, undefined, 'forgotten');
    // The token was tested on the way: the tree shows the server signed in, not "not signed in" until its next call.
    assert.equal(s.clients.state('tk-pw'), 'signed_in');
    assert.match(String(s.tree.getTreeItem(node('tk-pw')).description), / · signed in$/);
    assert.equal(stored.token, rootTokens().find((t) => t.name === r!.name)?.value);
    const mine = (await tokenNodes('tk-pw')).find((t) => t.used);
    assert.equal(mine?.token.name, r!.name, 'the tree marks the token this server uses');
    assert.ok(!(await everything('tk-pw')).includes(stored.token!));
  });

  it('Use a Token stops with the password intact when the new token fails its test, and revokes it', async () => {
    await s.secrets.set('tk-pw2', { password: CREDS.root.password });
    const list = vscode.workspace.getConfiguration('cpanel').get<unknown[]>('servers')!;
    await vscode.workspace
      .getConfiguration('cpanel')
      .update('servers', [...list, server('tk-pw2', { auth: 'password' })], vscode.ConfigurationTarget.Global);
    const before = rootTokens().length;
    sb.inject({ fault: { kind: 'status500' }, path: '/json-api/version' });
    const r = await vscode.commands.executeCommand<{ ok: boolean; name: string }>('cpanel.tokens.useForServer', node('tk-pw2'));
    assert.equal(r?.ok, false);
    assert.equal(profileOf('tk-pw2').auth, 'password');
    assert.deepEqual(await s.secrets.get('tk-pw2'), { password: CREDS.root.password });
    assert.match(questions.at(-1)!.message, /did not work\. Revoke it from tk-pw2\?/);
    assert.equal(rootTokens().length, before, 'the new token is revoked');
    assert.equal(said.length, 0, 'forgetting the password was never offered');
    await s.secrets.delete('tk-pw2');
  });

  it('Rotate: create, switch, test, then revoke the old one', async () => {
    const old = (await s.secrets.get('tk-pw')).token!;
    const oldName = rootTokens().find((t) => t.value === old)!.name;
    const r = await vscode.commands.executeCommand<{ ok: boolean; name: string; revokedOld: boolean }>(
      'cpanel.tokens.rotate',
      node('tk-pw'),
    );
    assert.deepEqual([r?.ok, r?.revokedOld], [true, true]);
    assert.match(questions.at(-1)!.message, new RegExp(`^${r!.name} works: revoke the old token ${oldName} on tk-pw now\\?`));
    const now = (await s.secrets.get('tk-pw')).token!;
    assert.notEqual(now, old);
    assert.equal(rootTokens().find((t) => t.name === r!.name)?.value, now);
    assert.ok(!rootTokens().some((t) => t.name === oldName), 'the old token is revoked');
    const v = await s.runner.send(
      { profile: profileOf('tk-pw'), request: { family: 'whm', function: 'version', params: [] }, origin: 'test' },
      undefined,
      { progress: false },
    );
    assert.equal(v?.result.ok, true);
  });

  it('Rotate stops with the old token intact and still used when the new one fails its test', async () => {
    const old = (await s.secrets.get('tk-pw')).token!;
    const oldName = rootTokens().find((t) => t.value === old)!.name;
    const count = rootTokens().length;
    sb.inject({ fault: { kind: 'status500' }, path: '/json-api/version' });
    const r = await vscode.commands.executeCommand<{ ok: boolean; name: string }>('cpanel.tokens.rotate', node('tk-pw'));
    assert.equal(r?.ok, false);
    assert.equal((await s.secrets.get('tk-pw')).token, old, 'the old token is still the one stored');
    assert.ok(
      rootTokens().some((t) => t.name === oldName && t.value === old),
      'and still on the server',
    );
    assert.equal(rootTokens().length, count, 'the new one was revoked');
    assert.equal((await tokenNodes('tk-pw')).find((t) => t.used)?.token.name, oldName, 'and still used');
    const v = await s.runner.send(
      { profile: profileOf('tk-pw'), request: { family: 'whm', function: 'version', params: [] }, origin: 'test' },
      undefined,
      { progress: false },
    );
    assert.equal(v?.result.ok, true);
  });

  it('Revoke asks, naming the token and whether this server signs in with it', async () => {
    const mine = (await tokenNodes('tk-pw')).find((t) => t.used)!;
    confirmAnswer = () => false;
    assert.equal(await vscode.commands.executeCommand('cpanel.tokens.revoke', mine), false);
    assert.match(questions.at(-1)!.message, new RegExp(`^Revoke the API token ${mine.token.name} on tk-pw\\? tk-pw signs in with it`));
    assert.match(questions.at(-1)!.detail, /^POST https:\/\/127\.0\.0\.1:\d+\/json-api\/api_token_revoke/);
    assert.ok(
      rootTokens().some((t) => t.name === mine.token.name),
      'declined: not revoked',
    );
    const other = (await tokenNodes('tk-tok')).find((t) => t.token.name === 'ci-deploy')!;
    confirmAnswer = () => true;
    assert.equal(await vscode.commands.executeCommand('cpanel.tokens.revoke', other), true);
    assert.match(questions.at(-1)!.message, /^Revoke the API token ci-deploy on tk-tok\? tk-tok does not sign in with it\.$/);
    assert.ok(!rootTokens().some((t) => t.name === 'ci-deploy'));
    assert.equal(await s.tokens.storedValue('tk-tok', 'ci-deploy'), undefined, 'its stored value went with it');
  });

  it("marks expired and soon-to-expire tokens, and the active server's own token in the status bar", async () => {
    const mine = (await tokenNodes('tk-pw')).find((t) => t.used)!;
    picks.push('Expiry', 'In 30 days');
    await vscode.commands.executeCommand('cpanel.tokens.update', mine);
    await s.active.set('tk-pw');
    await tokenNodes('tk-pw');
    s.tokens.now = () => Date.now() + 25 * DAY;
    const soon = (await tokenNodes('tk-pw')).find((t) => t.used)!;
    const item = s.tree.getTreeItem(soon);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.match(String(item.description), /expires in 5 days/);
    s.active.refresh();
    assert.match(s.active.text, /tk-pw \$\(warning\) token expires in 5 days$/);
    s.tokens.now = () => Date.now() + 31 * DAY;
    s.active.refresh();
    assert.match(s.active.text, /tk-pw \$\(error\) token expired$/);
    assert.equal((s.tree.getTreeItem((await tokenNodes('tk-pw')).find((t) => t.used)!).iconPath as vscode.ThemeIcon).id, 'error');
    // A cPanel server that signs in with a token not created here, and no way to ask which it is.
    await tokenNodes('tk-cp');
    await s.active.set('tk-cp');
    assert.match(s.active.tooltip, /Which API token it signs in with is not known/);
  });

  it('narrows privileges to the WHM calls made (History and snippets), proves them with one probe token, and revokes it', async () => {
    const p = profileOf('tk-pw');
    for (const fn of ['listaccts', 'accountsummary']) {
      await s.runner.send(
        { profile: p, request: { family: 'whm', function: fn, params: fn === 'accountsummary' ? [['user', 'bob']] : [] }, origin: 'test' },
        undefined,
        { progress: false },
      );
    }
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    const snippet = vscode.Uri.joinPath(ws, '.vscode', 'cpanel', 'tk-pkgs.cpanel.json');
    await vscode.workspace.fs.writeFile(
      snippet,
      new TextEncoder().encode(
        JSON.stringify({ version: 1, server: 'tk-pw', family: 'whm', function: 'listpkgs', method: 'GET', params: [] }),
      ),
    );
    const creates = sb.requests('api_token_create').length;
    try {
      const r = await vscode.commands.executeCommand<{
        acls: string[];
        proved: string[];
        notProved: string[];
        probeRevoked: boolean;
        used: string[];
      }>('cpanel.tokens.narrow', node('tk-pw'));
      assert.ok(r);
      assert.deepEqual(r.acls, ['acct-summary', 'list-accts', 'list-pkgs', 'manage-api-tokens']);
      assert.ok(r.used.includes('listpkgs') && r.used.includes('listaccts'));
      assert.deepEqual(r.notProved, []);
      assert.deepEqual(r.proved, r.used);
      assert.equal(r.probeRevoked, true);
      assert.equal(sb.requests('api_token_create').length, creates + 1, 'one probe token');
      assert.ok(!rootTokens().some((t) => t.name.includes('probe')), 'revoked');
      assert.match(reports[0]!, /Proposed privileges \(4\)/);
      assert.deepEqual(await s.secrets.get('tk-pw#probe'), {}, 'the probe value is gone from secret storage');

      // A failure midway still revokes the probe.
      sb.inject({ fault: { kind: 'status500' }, path: '/json-api/applist' });
      const failed = await vscode.commands.executeCommand('cpanel.tokens.narrow', node('tk-pw'));
      assert.equal(failed, undefined);
      assert.ok(!rootTokens().some((t) => t.name.includes('probe')), 'revoked after the failure too');
    } finally {
      await vscode.workspace.fs.delete(snippet);
    }
  });
});
