import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Sent, Services } from '../../src/extension/commands';
import { SnippetStore } from '../../src/extension/snippetStore';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('snippets in a real extension host', () => {
  let sb: Sandbox;
  let s: Services;
  let dir: vscode.Uri;

  const write = async (name: string, content: object | string): Promise<vscode.Uri> => {
    const uri = vscode.Uri.joinPath(dir, name);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(typeof content === 'string' ? content : JSON.stringify(content, null, 2)));
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
      [{ id: 'snip-whm', label: 'snip-whm', host: '127.0.0.1', service: 'whm', secure: true, port: sb.port('whm'), username: 'root', auth: 'token', twoFactor: 'none', tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 } }],
      vscode.ConfigurationTarget.Global,
    );
    await s.secrets.set('snip-whm', { token: CREDS.root.whmToken });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    await s.secrets.delete('snip-whm');
    await sb.stop();
  });

  it('a malformed snippet gets diagnostics at the right place and a CodeLens that says so', async () => {
    const uri = await write('broken.cpanel.json', '{\n  "version": 1,\n  "server": "snip-whm",\n  "family": "rest",\n  "function": "x",\n  "params": []\n}\n');
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

  it('a good snippet gets Send and Open in Builder, and sends with its placeholder filled from the environment', async () => {
    process.env.SNIPPET_TEST_SEARCH = 'bob';
    const uri = await write('find-bob.cpanel.json', { version: 1, server: 'snip-whm', family: 'whm', function: 'listaccts', method: 'GET', params: [{ name: 'search', value: '${env:SNIPPET_TEST_SEARCH}' }] });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.deepEqual(lenses.map((l) => l.command?.command).sort(), ['cpanel.snippet.openInBuilder', 'cpanel.snippet.send']);
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'cPanel snippet'), []);
    const sent = await vscode.commands.executeCommand<Sent>('cpanel.snippet.send', uri);
    assert.equal(sent?.result.kind, 'ok', sent?.result.hint);
    assert.deepEqual((sent!.result.data as { acct: { user: string }[] }).acct.map((a) => a.user), ['bob']);
    assert.match(sb.requests('listaccts').at(-1)!.path, /search=bob/);
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
    const uri = await write('nowhere.cpanel.json', { version: 1, server: 'nowhere', family: 'whm', function: 'version', method: 'GET', params: [] });
    const before = sb.log.length;
    const sent = await vscode.commands.executeCommand<Sent | undefined>('cpanel.snippet.send', uri);
    assert.equal(sent, undefined);
    assert.equal(sb.log.length, before, 'nothing was sent');
  });
});
