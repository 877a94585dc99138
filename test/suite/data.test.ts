import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestExports } from '../../src/extension/extension';
import { serializeSnippet, type Snippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { addMailboxSnippet } from '../helpers/snippets';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

/** Run Snippet for Each Row and Import Request in a real extension host, against the sandbox; pickers and questions stubbed. */
describe('data runs and Import Request in a real extension host', () => {
  let sb: Sandbox;
  let s: TestExports;
  let dir: vscode.Uri;
  const write = async (name: string, text: string): Promise<vscode.Uri> => {
    const uri = vscode.Uri.joinPath(dir, name);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    return uri;
  };
  const snippet = (name: string, x: Omit<Snippet, 'version'>): Promise<vscode.Uri> => write(name, serializeSnippet({ version: 1, ...x }));
  const addMailboxes = (name: string, more: string): Promise<vscode.Uri> =>
    write(name, serializeSnippet(addMailboxSnippet('data-whm', more)));

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    s = (await vscode.extensions.getExtension<TestExports>(EXT_ID)!.activate())!;
    const ws = vscode.workspace.workspaceFolders![0]!;
    dir = vscode.Uri.joinPath(ws.uri, '.vscode', 'cpanel', 'data');
    await vscode.workspace.fs.createDirectory(dir);
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    await vscode.workspace.getConfiguration('cpanel').update(
      'servers',
      [
        {
          id: 'data-whm',
          label: 'data-whm',
          host: '127.0.0.1',
          service: 'whm',
          secure: true,
          port: sb.port('whm'),
          username: 'root',
          auth: 'token',
          twoFactor: 'none',
          tls,
        },
        {
          id: 'data-bob',
          label: 'data-bob',
          host: '127.0.0.1',
          service: 'cpanel',
          secure: true,
          port: sb.port('cpanel'),
          username: 'bob',
          auth: 'token',
          twoFactor: 'none',
          tls,
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await s.secrets.set('data-whm', { token: CREDS.root.whmToken });
    await s.secrets.set('data-bob', { token: CREDS.bob.cpanelToken! });
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(dir, { recursive: true });
    for (const id of ['data-whm', 'data-bob']) await s.secrets.delete(id);
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    await sb.stop();
  });

  it('Run Snippet for Each Row: the rows and first three requests shown, a change asked once, one table of every row, Retry Failed Rows sends only the failed ones', async () => {
    const add = await addMailboxes('add.cpanel.json', 'quota');
    // info@cptest.example exists: row 2 fails. A value with a comma, a quote and a line break stays whole.
    const csv = await write(
      'boxes.csv',
      'email,password,quota\next1,Ext-Pass-0001,100\ninfo,Ext-Pass-0002,"1,0""\n0"\next3,Ext-Pass-0003,300\next4,Ext-Pass-0004,400\n',
    );
    const shown: { title: string; items: { label: string; detail: string }[] }[] = [];
    const asked: string[] = [];
    const original = { showPlan: s.dataRuns.showPlan, confirm: s.runner.confirm };
    s.dataRuns.showPlan = async (title, items) => {
      shown.push({ title, items });
      return true;
    };
    s.runner.confirm = async (message, detail) => {
      asked.push(`${message}\n${detail}`);
      return true;
    };
    sb.clearLog();
    try {
      const run = await s.dataRuns.runForEachRow(add, csv);
      assert.ok(run?.stored);
      assert.match(shown[0]!.title, /^uapi Email\/add_pop for 4 rows of .*boxes\.csv$/);
      assert.deepEqual(
        shown[0]!.items.map((i) => i.label),
        ['row 1', 'row 2', 'row 3'],
      );
      assert.match(
        shown[0]!.items[0]!.detail,
        /^POST https:\/\/127\.0\.0\.1:\d+\/json-api\/uapi_cpanel {2}.*email=ext1&password=\[redacted\]/,
      );
      assert.equal(asked.length, 1, 'a change is asked once for every row');
      assert.match(asked[0]!, /uapi Email\/add_pop changes something\. Send it for 4 rows of/);
      assert.equal(sb.requests('uapi_cpanel').length, 4);
      assert.equal(
        new URLSearchParams(sb.requests('uapi_cpanel').find((q) => q.body.includes('email=info'))!.body).get('quota'),
        '1,0"\n0',
      );
      const data = run.stored.result.data as { rows: Record<string, unknown>[] };
      assert.deepEqual(
        data.rows.map((r) => [r.row, r.email, r.password, r.verdict]),
        [
          [1, 'ext1', '[redacted]', 'OK'],
          [2, 'info', '[redacted]', 'api_error'],
          [3, 'ext3', '[redacted]', 'OK'],
          [4, 'ext4', '[redacted]', 'OK'],
        ],
      );
      assert.match(String(data.rows[1]!.hint), /already exists/);
      assert.ok(!JSON.stringify(run.stored.result).includes('Ext-Pass'), 'no secret-named value in the table');
      await s.history.flushed();
      assert.deepEqual(
        (await s.history.list()).slice(0, 4).map((e) => e.origin),
        ['data', 'data', 'data', 'data'],
      );

      sb.mail = sb.mail.filter((m) => m.email !== 'info@cptest.example');
      sb.clearLog();
      const again = await vscode.commands.executeCommand<{ stored?: { result: { data: unknown } } }>('cpanel.data.retryFailedRows');
      assert.equal(sb.requests('uapi_cpanel').length, 1, 'only the failed row');
      assert.match(sb.requests('uapi_cpanel')[0]!.body, /email=info/);
      const rows = (again?.stored?.result.data as { rows: { row: number; verdict: string }[] }).rows;
      assert.deepEqual(
        rows.map((r) => [r.row, r.verdict]),
        [
          [1, 'OK'],
          [2, 'OK'],
          [3, 'OK'],
          [4, 'OK'],
        ],
      );
    } finally {
      s.dataRuns.showPlan = original.showPlan;
      s.runner.confirm = original.confirm;
    }
  });

  it('Retry Failed Rows reads the file again: a fixed row is sent as it is now; a file of another shape is sent as first read only when the person says so', async () => {
    const add = await addMailboxes('retry.cpanel.json', 'domain');
    // Row 2 names a domain cptest does not own: it fails until the file is fixed.
    const csv = await write(
      'retry.csv',
      'email,password,domain\nre1,Re-Pass-1,cptest.example\nre2,Re-Pass-2,wrong.example\nre3,Re-Pass-3,cptest.example\n',
    );
    const shown: string[] = [];
    const asked: { message: string; detail: string }[] = [];
    let sendAsFirstRead = false;
    const original = { showPlan: s.dataRuns.showPlan, confirm: s.runner.confirm };
    s.dataRuns.showPlan = async (title) => {
      shown.push(title);
      return true;
    };
    s.runner.confirm = async (message, detail) => {
      if (/changes something/.test(message)) return true;
      asked.push({ message, detail });
      return sendAsFirstRead;
    };
    const sentRows = (): { email: string | null; domain: string | null }[] =>
      sb.requests('uapi_cpanel').map((q) => {
        const b = new URLSearchParams(q.body);
        return { email: b.get('email'), domain: b.get('domain') };
      });
    const retry = (): Thenable<{ stored?: { result: { data: unknown } } } | undefined> =>
      vscode.commands.executeCommand('cpanel.data.retryFailedRows');
    try {
      const run = await s.dataRuns.runForEachRow(add, csv);
      assert.deepEqual(
        [...run!.rows.values()].map((r) => r.outcome.ok),
        [true, false, true],
      );

      // The person fixes row 2 (and, by the way, row 1, which already succeeded and is not sent again).
      await write(
        'retry.csv',
        'email,password,domain\nre1-edited,Re-Pass-1,cptest.example\nre2,Re-Pass-2,cptest.example\nre3,Re-Pass-3,cptest.example\n',
      );
      sb.clearLog();
      const fixed = await retry();
      assert.deepEqual(sentRows(), [{ email: 're2', domain: 'cptest.example' }], 'only row 2, with its value as it is now');
      assert.match(shown.at(-1)!, /for 1 row of .*retry\.csv \(read again: 1 of 1 changed\)$/);
      assert.equal(asked.length, 0, 'the same shape: nothing to ask');
      const rows = (fixed?.stored?.result.data as { rows: { row: number; email: string; domain: string; verdict: string }[] }).rows;
      assert.deepEqual(
        rows.map((r) => [r.row, r.email, r.domain, r.verdict]),
        [
          [1, 're1', 'cptest.example', 'OK'],
          [2, 're2', 'cptest.example', 'OK'],
          [3, 're3', 'cptest.example', 'OK'],
        ],
        'each row as it was sent',
      );

      // A file that changed shape: said, and nothing sent unless the person chooses the rows as first read.
      await write('retry2.csv', 'email,password,domain\nre4,Re-Pass-4,wrong.example\nre5,Re-Pass-5,cptest.example\n');
      await s.dataRuns.runForEachRow(add, vscode.Uri.joinPath(dir, 'retry2.csv'));
      await write(
        'retry2.csv',
        'mail,password,domain\nre4,Re-Pass-4,cptest.example\nre5,Re-Pass-5,cptest.example\nre6,Re-Pass-6,cptest.example\n',
      );
      sb.clearLog();
      assert.equal(await retry(), undefined);
      assert.equal(sb.requests('uapi_cpanel').length, 0, 'cancelled: nothing sent');
      assert.match(
        asked[0]!.message,
        /retry2\.csv changed since it was read: the column "email" is gone; the column "mail" is new; it has 3 rows, not 2\.$/,
      );
      assert.match(
        asked[0]!.detail,
        /the row that failed cannot be found in the file as it is now\. Send it as it was first read, or cancel/,
      );
      sendAsFirstRead = true;
      await retry();
      assert.deepEqual(sentRows(), [{ email: 're4', domain: 'wrong.example' }], 'row 1 as first read');
      // A file that went away: said, and the same choice.
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(dir, 'retry2.csv'));
      sendAsFirstRead = false;
      sb.clearLog();
      assert.equal(await retry(), undefined);
      assert.match(asked.at(-1)!.message, /retry2\.csv cannot be read any more\.$/);
      assert.equal(sb.requests('uapi_cpanel').length, 0);
      for (const q of asked) assert.ok(!/Re-Pass-/.test(`${q.message} ${q.detail}`), 'no value from the file in a question');
    } finally {
      s.dataRuns.showPlan = original.showPlan;
      s.runner.confirm = original.confirm;
    }
  });

  it('a destructive snippet runs only after the number of rows is typed; a missing column sends nothing', async () => {
    const suspend = await snippet('suspend.cpanel.json', {
      server: 'data-whm',
      family: 'whm',
      function: 'suspendacct',
      method: 'GET',
      params: [{ name: 'user', value: '${row.user}' }],
    });
    const users = await write('users.json', '[{"user": "bob"}, {"user": "cptest"}]');
    const original = { showPlan: s.dataRuns.showPlan, confirmCount: s.runner.confirmCount };
    const asked: string[] = [];
    s.dataRuns.showPlan = async () => true;
    sb.clearLog();
    try {
      s.runner.confirmCount = async (message, expected) => {
        asked.push(`${message} [${expected}]`);
        return false;
      };
      assert.equal(await s.dataRuns.runForEachRow(suspend, users), undefined);
      assert.match(asked[0]!, /suspendacct removes, suspends, revokes, resets or changes a password, for 2 rows of .*users\.json\. \[2\]/);
      assert.equal(sb.log.length, 0);
      s.runner.confirmCount = async () => true;
      const run = await s.dataRuns.runForEachRow(suspend, users);
      assert.equal(run?.rows.size, 2);
      assert.equal(sb.requests('suspendacct').length, 2);
      for (const a of sb.accounts) a.suspended = false;
      sb.clearLog();
      const nocol = await write('nocol.csv', 'name\nx\n');
      assert.equal(await s.dataRuns.runForEachRow(suspend, nocol), undefined);
      assert.equal(sb.log.length, 0);
    } finally {
      s.dataRuns.showPlan = original.showPlan;
      s.runner.confirmCount = original.confirmCount;
    }
  });

  it('Import Request: a docs curl line opens the builder filled for the matched server; the token is left out, a credential offered only when none is stored', async () => {
    const told: { message: string; actions: string[] }[] = [];
    const original = { chooseAction: s.imports.chooseAction, tell: s.imports.tell };
    s.imports.chooseAction = async () => 'builder';
    s.imports.tell = async (message, actions) => {
      told.push({ message, actions });
      return undefined;
    };
    try {
      const text = `curl -H'Authorization: cpanel bob:SECRETTOKEN123' 'https://127.0.0.1:${sb.port('cpanel')}/execute/Email/add_pop?email=imp1&password=Imp-Pass-1&domain=bob.example'`;
      const r = await s.imports.run(text);
      assert.ok(r?.state);
      assert.equal(r.state.serverId, 'data-bob');
      assert.equal(r.state.functionName, 'Email/add_pop');
      assert.deepEqual(
        r.state.params.map((p) => [p.name, p.value]),
        [
          ['email', 'imp1'],
          ['password', '${env:CPANEL_PARAM_PASSWORD}'],
          ['domain', 'bob.example'],
        ],
      );
      assert.ok(!JSON.stringify(r).includes('SECRETTOKEN123') && !JSON.stringify(r).includes('Imp-Pass-1'));
      assert.match(told[0]!.message, /Left out the Authorization header \(cpanel bob:…, an API token\)\. Left out the value of "password"/);
      // data-bob has its token stored already: nothing to offer, and the message says which one is used.
      assert.match(told[0]!.message, /data-bob already has its API token in VS Code's secret storage; calls use the stored one\.$/);
      assert.deepEqual(told[0]!.actions, []);
      assert.ok(!told[0]!.message.includes('SECRETTOKEN123'));
      // Without a stored token, storing one is offered.
      await s.secrets.delete('data-bob');
      await s.imports.run(text);
      assert.match(told[1]!.message, /data-bob has no API token stored yet\.$/);
      assert.deepEqual(told[1]!.actions, ['Store Credential for data-bob…']);
      assert.ok(!told[1]!.message.includes('SECRETTOKEN123'));
    } finally {
      s.imports.chooseAction = original.chooseAction;
      s.imports.tell = original.tell;
      await s.secrets.set('data-bob', { token: CREDS.bob.cpanelToken! });
    }
  });

  it('Import Request: an on-server command saved as a snippet for the server chosen; unknown text is an error naming the forms', async () => {
    const original = {
      chooseAction: s.imports.chooseAction,
      chooseServer: s.imports.chooseServer,
      saveSnippet: s.imports.saveSnippet,
      tell: s.imports.tell,
    };
    let saved: Snippet | undefined;
    s.imports.chooseAction = async () => 'snippet';
    s.imports.chooseServer = async (_why, profiles) => profiles.find((p) => p.label === 'data-whm');
    s.imports.saveSnippet = async (x) => {
      saved = x;
      return write('imported.cpanel.json', serializeSnippet(x));
    };
    s.imports.tell = async () => undefined;
    try {
      const r = await s.imports.run('uapi --output=jsonpretty --user=cptest Email list_pops');
      assert.equal(r?.action, 'snippet');
      assert.deepEqual(saved, {
        version: 1,
        server: 'data-whm',
        family: 'uapi',
        function: 'Email/list_pops',
        account: 'cptest',
        method: 'GET',
        params: [],
      });
      assert.equal(await s.imports.run('rm -rf /'), undefined);
    } finally {
      Object.assign(s.imports, original);
    }
  });

  it("the builder's form runs for each row too: the same plan, one call per row, one table", async () => {
    const csv = await write('rows.csv', 'email\nform1\nform2\n');
    const original = { showPlan: s.dataRuns.showPlan, pickFile: s.dataRuns.pickFile, confirm: s.runner.confirm };
    const titles: string[] = [];
    s.dataRuns.showPlan = async (title) => {
      titles.push(title);
      return true;
    };
    s.dataRuns.pickFile = async () => csv;
    s.runner.confirm = async () => true;
    sb.clearLog();
    try {
      // What the builder's Run for Each Row… hands over: its form as a snippet (see BuilderPanel's runRows).
      const form: Snippet = {
        version: 1,
        server: 'data-whm',
        family: 'whm',
        function: 'listaccts',
        method: 'GET',
        params: [{ name: 'search', value: '${row.email}' }],
      };
      const run = (await s.runForEachRow!(form)) as { stored?: { result: { data: unknown } } } | undefined;
      assert.ok(run?.stored, 'a combined result opened');
      assert.match(titles[0]!, /^whm listaccts for 2 rows of .*rows\.csv$/);
      assert.deepEqual(
        sb
          .requests('listaccts')
          .map((q) => new URLSearchParams(q.path.split('?')[1] ?? '').get('search') ?? new URLSearchParams(q.body).get('search')),
        ['form1', 'form2'],
      );
    } finally {
      Object.assign(s.dataRuns, { showPlan: original.showPlan, pickFile: original.pickFile });
      s.runner.confirm = original.confirm;
    }
  });
});
