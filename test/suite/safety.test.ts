import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Services } from '../../src/extension/services';
import type { TreeNode } from '../../src/extension/servers/serversTree';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { stubbing } from './stubs';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

/**
 * What the window does to the server when a password is wrong: the tree, the accounts list, the
 * applist and every other call together make one failed login (cPHulk blocks an address after five),
 * until the secret changes or the person tests the connection again.
 */
describe('a refused credential in the window', () => {
  let sb: Sandbox;
  let s: Services;
  const whm = (): Record<string, unknown> => ({
    id: 'refused-whm',
    label: 'refused-whm',
    host: '127.0.0.1',
    service: 'whm',
    secure: true,
    port: sb.port('whm'),
    username: 'root',
    auth: 'password',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
  });

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    s = await vscode.extensions.getExtension<Services>(EXT_ID)!.activate();
    await s.secrets.set('refused-whm', { password: 'not-the-password' });
    await vscode.workspace.getConfiguration('cpanel').update('servers', [whm()], vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    await s.secrets.delete('refused-whm');
    await sb.stop();
  });

  it('expanding the tree, the accounts, refreshing and sending make one failed login', async () => {
    const [server] = await s.tree.getChildren();
    assert.ok(server && server.kind === 'server');
    const families = await s.tree.getChildren(server);
    // WHM API 1 asks the applist; "cPanel accounts" asks listaccts: expanded together, as a window opening does.
    await Promise.all([s.tree.getChildren(families[0]), s.tree.getChildren(families[1]), s.tree.getChildren(families[1])]);
    await vscode.commands.executeCommand('cpanel.servers.refresh');
    const again = await s.tree.getChildren(server);
    await s.tree.getChildren(again[1] as TreeNode);
    const profile = s.profiles.get('refused-whm')!;
    const r = await s.runner.send({ profile, request: { family: 'whm', function: 'listaccts', params: [] }, origin: 'test' }, undefined, {
      progress: false,
    });
    assert.equal(r?.result.kind, 'auth_error');
    assert.match(r?.result.hint ?? '', /^Not sent: the password for root was refused at/);
    assert.equal(sb.failedLogins, 1, `${sb.failedLogins} failed logins`);
  });

  it('Test Connection is the person trying again: sent once more', async () => {
    const before = sb.failedLogins;
    const r = await vscode.commands.executeCommand<{ kind: string } | undefined>('cpanel.server.test', {
      kind: 'server',
      profile: s.profiles.get('refused-whm'),
      problems: [],
    });
    assert.equal(r?.kind, 'auth_error');
    assert.equal(sb.failedLogins, before + 1);
  });

  it('new credentials are sent: the refusal belonged to the old secret', async () => {
    await s.secrets.set('refused-whm', { password: CREDS.root.password });
    const profile = s.profiles.get('refused-whm')!;
    const r = await s.runner.send({ profile, request: { family: 'whm', function: 'version', params: [] }, origin: 'test' }, undefined, {
      progress: false,
    });
    assert.equal(r?.result.ok, true, r?.result.hint);
  });

  it('secrets stored while a client is being made with the old ones: the client made uses the new ones', async () => {
    // As in a window where the tree's first call starts just as the credentials are stored: the read of the
    // old secrets finishes after the new ones are in.
    await s.secrets.set('refused-whm', { password: 'not-the-password' });
    const profile = s.profiles.get('refused-whm')!;
    const read = s.secrets.get.bind(s.secrets);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reads = 0;
    const gatedRead = async (id: string): Promise<unknown> => {
      const v = await read(id);
      if (reads++ === 0) await gate;
      return v;
    };
    const client = await stubbing(
      'get',
      gatedRead as never,
      async () => {
        const making = s.clients.get(profile);
        await s.secrets.set('refused-whm', { password: CREDS.root.password });
        release();
        return making;
      },
      s.secrets,
    );
    assert.equal(reads, 2, 'the secrets were read again');
    const r = await client.call({ family: 'whm', function: 'version', params: [] });
    assert.equal(r.ok, true, r.hint);
  });

  it('a secret parameter goes as a POST and is kept out of History', async () => {
    const profile = s.profiles.get('refused-whm')!;
    const r = await s.runner.send(
      {
        profile,
        request: {
          family: 'uapi',
          module: 'Email',
          function: 'add_pop',
          params: [
            ['email', 'hist'],
            ['password', 'History-Pass-77'],
            ['domain', 'cptest.example'],
          ],
          asUser: 'cptest',
          method: 'GET',
        },
        origin: 'test',
      },
      undefined,
      { progress: false },
    );
    assert.equal(r?.result.ok, true, r?.result.hint);
    assert.equal(sb.log.at(-1)!.method, 'POST');
    await s.history.flushed();
    const entries = await s.history.list();
    assert.doesNotMatch(JSON.stringify(entries), /History-Pass-77/);
  });
});
