import * as assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseSnippet, type Snippet } from '../../src/core/snippets';
import type { Sent, Services } from '../../src/extension/services';
import type { TestExports } from '../../src/extension/extension';
import { BuilderPanel } from '../../src/extension/builder/builderPanel';
import { SnippetStore } from '../../src/extension/snippets/snippetStore';
import { emptyState } from '../../src/shared/protocol';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { waitFor } from '../helpers/wait';
import { stubbing } from './stubs';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

describe('snippets in a real extension host', () => {
  let sb: Sandbox;
  let s: Services;
  let dir: vscode.Uri;

  const write = async (name: string, content: object | string): Promise<vscode.Uri> => {
    const uri = vscode.Uri.joinPath(dir, name);
    await vscode.workspace.fs.writeFile(
      uri,
      new TextEncoder().encode(typeof content === 'string' ? content : JSON.stringify(content, null, 2)),
    );
    return uri;
  };

  before(async () => {
    sb = await Sandbox.start();
    s = await vscode.extensions.getExtension<Services>(EXT_ID)!.activate();
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'the tests run in a folder');
    dir = vscode.Uri.joinPath(ws.uri, '.vscode', 'cpanel');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.getConfiguration('cpanel').update(
      'servers',
      [
        {
          id: 'snip-whm',
          label: 'snip-whm',
          host: '127.0.0.1',
          service: 'whm',
          secure: true,
          port: sb.port('whm'),
          username: 'root',
          auth: 'token',
          twoFactor: 'none',
          tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
        },
        {
          id: 'snip-bob',
          label: 'snip-bob',
          host: '127.0.0.1',
          service: 'cpanel',
          secure: true,
          port: sb.port('cpanel'),
          username: 'bob',
          auth: 'token',
          twoFactor: 'none',
          tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await s.secrets.set('snip-whm', { token: CREDS.root.whmToken });
    await s.secrets.set('snip-bob', { token: CREDS.bob.cpanelToken });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('cpanel').update('snippets.allowedEnv', undefined, vscode.ConfigurationTarget.Global);
    await s.secrets.delete('snip-whm');
    await s.secrets.delete('snip-bob');
    await sb.stop();
  });

  it('a malformed snippet gets diagnostics at the right place and a CodeLens that says so', async () => {
    const uri = await write(
      'broken.cpanel.json',
      '{\n  "version": 1,\n  "server": "snip-whm",\n  "family": "rest",\n  "function": "x",\n  "params": []\n}\n',
    );
    await vscode.window.showTextDocument(uri);
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'cPanel snippet');
      return d.length ? d : undefined;
    });
    assert.match(diags[0]!.message, /"family" must be "uapi", "whm" or "api2"/);
    assert.equal(diags[0]!.range.start.line, 3);
    assert.equal(diags[0]!.severity, vscode.DiagnosticSeverity.Error);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.some((l) => /has problems/.test(l.command?.title ?? '')));
  });

  const parsed = (text: object): Snippet => {
    const p = parseSnippet(JSON.stringify(text));
    assert.ok(p.ok);
    return p.snippet;
  };

  it('${env:NAME} not allowed by the user setting cpanel.snippets.allowedEnv is refused and nothing is sent; a workspace value does not count', async () => {
    process.env.SNIPPET_TEST_SECRET = 'snippet-secret-value-42';
    const text = {
      version: 1,
      server: 'snip-whm',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [{ name: 'search', value: '${env:SNIPPET_TEST_SECRET}' }],
    };
    const uri = await write('leak.cpanel.json', text);
    const t = s as TestExports;
    // A repository's .vscode/settings.json may hold it, but the setting is read from user settings only.
    await vscode.workspace
      .getConfiguration('cpanel')
      .update('snippets.allowedEnv', ['SNIPPET_TEST_SECRET'], vscode.ConfigurationTarget.Workspace)
      .then(undefined, () => undefined);
    const before = sb.log.length;
    const o = await t.snippetRuns.sendOne(uri, parsed(text));
    assert.equal(sb.log.length, before, 'nothing was sent');
    assert.match(
      o?.notSent ?? '',
      /leak\.cpanel\.json: \$\{env:SNIPPET_TEST_SECRET\} is not an allowed environment variable: snippets may read CPANEL_\* variables and the ones you allow in the user setting cpanel\.snippets\.allowedEnv/,
    );
    await vscode.workspace
      .getConfiguration('cpanel')
      .update('snippets.allowedEnv', undefined, vscode.ConfigurationTarget.Workspace)
      .then(undefined, () => undefined);
  });

  it('an allowed ${env:NAME} is sent, and its value is redacted in the result, its view and the History', async () => {
    await vscode.workspace.getConfiguration('cpanel').update('snippets.allowedEnv', ['SNIPPET_TEST_*'], vscode.ConfigurationTarget.Global);
    const value = 'snippet-secret-value-42';
    process.env.SNIPPET_TEST_SECRET = value;
    const uri = await write('allowed.cpanel.json', {
      version: 1,
      server: 'snip-whm',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [{ name: 'search', value: '${env:SNIPPET_TEST_SECRET}' }],
    });
    const since = Date.now();
    const sent = await vscode.commands.executeCommand<Sent>('cpanel.snippet.send', uri);
    assert.equal(sent?.result.kind, 'ok', sent?.result.hint);
    // A value from the environment is a secret: sent in a POST body, never in the URL.
    assert.ok(sb.requests('listaccts').at(-1)!.body.includes(`search=${value}`), 'the value was sent');
    assert.ok(!sb.requests('listaccts').at(-1)!.path.includes(value), 'not in the URL');
    assert.ok(!JSON.stringify(sent!.result).includes(value), 'not in the result');
    assert.ok(!(await vscode.workspace.openTextDocument(sent!.uri)).getText().includes(value), 'not in the result document');
    const entry = await waitFor('the history entry', async () =>
      (await s.history.list()).find((e) => e.time >= since && e.function === 'listaccts'),
    );
    assert.deepEqual(
      entry.params.find(([k]) => k === 'search'),
      ['search', '[redacted]'],
    );
  });

  it('a body.files link to a file outside the workspace is refused naming the file, and nothing is sent', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'cpanel-outside-')), 'id_rsa');
    writeFileSync(outside, 'PRIVATE KEY\n');
    symlinkSync(outside, join(dir.fsPath, 'innocent.txt'));
    const text = {
      version: 1,
      server: 'snip-bob',
      family: 'uapi',
      function: 'Fileman/upload_files',
      method: 'POST',
      params: [{ name: 'dir', value: '/home/bob/x' }],
      body: { files: [{ name: 'file-1', path: '.vscode/cpanel/innocent.txt' }] },
    };
    const uri = await write('link-upload.cpanel.json', text);
    const before = sb.log.length;
    const o = await (s as TestExports).snippetRuns.sendOne(uri, parsed(text));
    assert.equal(sb.log.length, before, 'nothing was sent');
    assert.match(o?.notSent ?? '', /body\.files: "\.vscode\/cpanel\/innocent\.txt" \(for "file-1"\) leads outside the workspace folder/);
  });

  it('a good snippet gets Send and Open in Builder, and sends with its placeholder filled from the environment', async () => {
    await vscode.workspace.getConfiguration('cpanel').update('snippets.allowedEnv', ['SNIPPET_TEST_*'], vscode.ConfigurationTarget.Global);
    process.env.SNIPPET_TEST_SEARCH = 'bob';
    const uri = await write('find-bob.cpanel.json', {
      version: 1,
      server: 'snip-whm',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [{ name: 'search', value: '${env:SNIPPET_TEST_SEARCH}' }],
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.deepEqual(lenses.map((l) => l.command?.command).sort(), [
      'cpanel.snippet.openInBuilder',
      'cpanel.snippet.send',
      'cpanel.snippet.sendToGroup',
      'cpanel.snippets.runFolder',
    ]);
    assert.deepEqual(
      vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'cPanel snippet'),
      [],
    );
    const sent = await vscode.commands.executeCommand<Sent>('cpanel.snippet.send', uri);
    assert.equal(sent?.result.kind, 'ok', sent?.result.hint);
    assert.deepEqual(
      (sent!.result.data as { acct: { user: string }[] }).acct.map((a) => a.user),
      ['bob'],
    );
    assert.match(sb.requests('listaccts').at(-1)!.body, /search=bob/);
    assert.equal(sb.requests('listaccts').at(-1)!.method, 'POST', 'a value from the environment goes in the body');
  });

  it('the Snippets view lists good and broken files without breaking', async () => {
    const store = new SnippetStore();
    try {
      const list = await waitFor('both snippets', async () => {
        const l = await store.list();
        return l.length >= 2 ? l : undefined;
      });
      const names = list.map((f) => f.uri.path.split('/').pop());
      assert.ok(names.includes('broken.cpanel.json') && names.includes('find-bob.cpanel.json'), names.join());
      assert.equal(list.find((f) => f.uri.path.endsWith('broken.cpanel.json'))!.parsed.ok, false);
    } finally {
      store.dispose();
    }
  });

  it('a snippet naming an unknown server is refused with a clear message', async () => {
    const uri = await write('nowhere.cpanel.json', {
      version: 1,
      server: 'nowhere',
      family: 'whm',
      function: 'version',
      method: 'GET',
      params: [],
    });
    const before = sb.log.length;
    const sent = await vscode.commands.executeCommand<Sent | undefined>('cpanel.snippet.send', uri);
    assert.equal(sent, undefined);
    assert.equal(sb.log.length, before, 'nothing was sent');
  });

  describe('environments, captures and checks', () => {
    let chainDir: vscode.Uri;
    let t: TestExports;
    before(async () => {
      t = s as TestExports;
      const ws = vscode.workspace.workspaceFolders![0]!;
      chainDir = vscode.Uri.joinPath(dir, 'chain');
      await vscode.workspace.fs.createDirectory(chainDir);
      await vscode.workspace.fs.writeFile(
        vscode.Uri.joinPath(ws.uri, '.vscode', 'cpanel', 'environments.json'),
        new TextEncoder().encode(
          JSON.stringify({
            environments: { staging: { whm: 'snip-whm', account: 'cptest', mailbox: 'hostbox', pw: { secret: true } }, empty: {} },
          }),
        ),
      );
      const common = { version: 1, server: '${whm}', family: 'uapi', account: '${account}' };
      await write('chain/1-add.cpanel.json', {
        ...common,
        function: 'Email/add_pop',
        method: 'POST',
        params: [
          { name: 'email', value: '${mailbox}' },
          { name: 'password', value: '${pw}' },
        ],
        capture: { created: 'data' },
        expect: [{ ok: true }],
      });
      await write('chain/2-list.cpanel.json', {
        ...common,
        function: 'Email/list_pops',
        method: 'GET',
        params: [],
        expect: [{ ok: true }, { jmespath: "data[?email=='${created}'] | length(@) == `1`" }],
      });
      await t.environments.reload();
    });

    it('without the environment the chain is not sent, and says which variable is missing and why', async () => {
      await t.environments.setActive(undefined);
      const outcomes = await vscode.commands.executeCommand<{ pass: boolean; notSent?: string }[]>(
        'cpanel.snippets.runFolder',
        vscode.Uri.joinPath(chainDir, '1-add.cpanel.json'),
      );
      assert.equal(outcomes.length, 2);
      assert.ok(outcomes.every((o) => !o.pass));
      assert.match(outcomes[0]!.notSent ?? '', /uses \$\{whm\} \(in server\), which is not defined: no environment is active/);
    });

    it('with the environment and its secret, the folder passes: the first captures, the second checks; a rerun fails the check', async () => {
      await t.environments.setActive('staging');
      await t.environments.storeSecret('staging', 'pw', 'Host-Pass-789');
      const run = (): Thenable<{ pass: boolean; checks: { pass: boolean; message?: string }[]; captured: string[] }[]> =>
        vscode.commands.executeCommand('cpanel.snippets.runFolder', vscode.Uri.joinPath(chainDir, '2-list.cpanel.json'));
      const first = await run();
      assert.deepEqual(
        first.map((o) => o.pass),
        [true, true],
        JSON.stringify(first.map((o) => o.checks)),
      );
      assert.deepEqual(first[0]!.captured, ['created']);
      assert.ok(sb.mail.some((m) => m.email === 'hostbox@cptest.example'));
      assert.ok(!sb.log.some((r) => r.path.includes('Host-Pass-789')), 'the secret went in the body, never the URL');
      const second = await run();
      assert.equal(second[0]!.pass, false);
      assert.match(second[0]!.checks[0]!.message ?? '', /already exists/);
      const addUri = vscode.Uri.joinPath(chainDir, '1-add.cpanel.json');
      await vscode.window.showTextDocument(addUri);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', addUri);
      assert.ok(
        lenses.some((l) => /\$\(error\) 1 of 1 check failed: expect\[0\] ok: true/.test(l.command?.title ?? '')),
        lenses.map((l) => l.command?.title).join(' | '),
      );
    });

    it('a snippet sent on its own shows its checks in the result and keeps its captures for the next send', async () => {
      await t.environments.setActive('staging');
      const sent = await vscode.commands.executeCommand<Sent>('cpanel.snippet.send', vscode.Uri.joinPath(chainDir, '1-add.cpanel.json'));
      assert.equal(sent?.result.kind, 'api_error', 'the mailbox exists by now');
      const text = (await vscode.workspace.openTextDocument(sent!.uri)).getText();
      assert.match(text, /"checks": "1 of 1 check failed"/);
      assert.match(text, /"FAILED": "expect\[0\] ok: true"/);
      assert.ok(!text.includes('Host-Pass-789'));
    });
  });

  describe('bodies from the builder', () => {
    it('the builder sends a JSON body and a file upload; the sandbox checks content type and body', async () => {
      BuilderPanel.createOrShow(vscode.Uri.file(vscode.extensions.getExtension(EXT_ID)!.extensionPath), s, undefined as never);
      const panel = BuilderPanel.active!;
      try {
        const json = {
          ...emptyState(),
          serverId: 'snip-whm',
          family: 'whm' as const,
          functionName: 'personalization_set',
          method: 'POST' as const,
          body: { kind: 'json' as const, text: '{"personalization":{"builder":"yes"}}' },
        };
        await panel.receive({ type: 'send', state: json });
        const sent = sb.requests('/json-api/personalization_set').at(-1)!;
        assert.equal(sent.headers['content-type'], 'application/json');
        assert.equal(sent.body, '{"personalization":{"builder":"yes"}}');
        assert.deepEqual(sb.personalization.get('root'), { builder: 'yes' });
        const file = await write('upload-me.txt', 'hello from the builder\n');
        const upload = {
          ...emptyState(),
          serverId: 'snip-bob',
          family: 'uapi' as const,
          functionName: 'Fileman/upload_files',
          method: 'POST' as const,
          params: [{ name: 'dir', value: '/home/bob/b' }],
          body: { kind: 'files' as const, files: [{ name: 'file-1', path: file.fsPath }] },
        };
        await panel.receive({ type: 'send', state: upload });
        assert.match(String(sb.requests('/Fileman/upload_files').at(-1)!.headers['content-type']), /^multipart\/form-data; boundary=/);
        assert.deepEqual([sb.uploads.at(-1)!.filename, sb.uploads.at(-1)!.size], ['upload-me.txt', 'hello from the builder\n'.length]);
      } finally {
        panel.dispose();
      }
    });

    it('Escape while the builder sends cancels the send (what cpanel.builder.cancel does)', async () => {
      BuilderPanel.createOrShow(vscode.Uri.file(vscode.extensions.getExtension(EXT_ID)!.extensionPath), s, undefined as never);
      const panel = BuilderPanel.active!;
      const outcomes: string[] = [];
      const sub = s.runner.onDidSend(({ result }) => outcomes.push(result.kind));
      // The person cancelled: the result view says so, and no error notification offers to edit the server.
      const errors: string[] = [];
      const recordError = async (message: string): Promise<void> => void errors.push(message);
      try {
        sb.inject({ fault: { kind: 'slow-headers', ms: 5000 }, count: 20 });
        const started = Date.now();
        const seen = sb.requests('version').length;
        await stubbing('showErrorMessage', recordError as never, async () => {
          const sending = panel.receive({
            type: 'send',
            state: { ...emptyState(), serverId: 'snip-whm', family: 'whm' as const, functionName: 'version', method: 'GET' as const },
          });
          // Cancel once the server holds the request (it answers only after 5 s).
          await waitFor('the request at the server', () => (sb.requests('version').length > seen ? true : undefined));
          panel.cancelSend();
          await sending;
        });
        assert.deepEqual(outcomes, ['cancelled']);
        assert.ok(Date.now() - started < 4000, 'it did not wait for the answer');
        assert.deepEqual(errors, [], 'no error notification for a cancel');
      } finally {
        sub.dispose();
        sb.clearFaults();
        panel.dispose();
      }
    });
  });
});
