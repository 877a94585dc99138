import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ServerProfile } from '../../src/core/servers';
import type { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

/**
 * Diagnoses that sent a new user the wrong way: a WHM server set up on cPanel's port blamed the token,
 * an older WHM without uapi_cpanel blamed the spelling, and the CLI said "pin it" without saying how.
 */
describe('diagnoses that point the right way', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ noUapiCpanel: true });
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  it("a WHM server set up on cPanel's port (2083) says so, instead of calling the token revoked", async () => {
    // What cPanel's port answers WHM credentials: 403 Access denied. On 127.0.0.2, so that nothing of this machine's is in the way.
    const cpanelPort = http.createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ cpanelresult: { apiversion: '2', error: 'Access denied', data: { reason: 'Access denied', result: '0' } } }),
      );
    });
    await new Promise<void>((r) => cpanelPort.listen(2083, '127.0.0.2', r));
    try {
      const p: ServerProfile = {
        id: 'x',
        label: 'whm-on-2083',
        host: '127.0.0.2',
        service: 'whm',
        secure: false,
        port: 2083,
        username: 'root',
        auth: 'token',
        twoFactor: 'none',
        tls: { mode: 'system' },
      };
      const r = await client(p, { token: CREDS.root.whmToken }).call({ family: 'whm', function: 'version', params: [] });
      assert.equal(r.kind, 'auth_error');
      assert.match(r.hint ?? '', /^Port 2083 is cPanel's port, and this server is set up as WHM \(port 2086\)/);
      assert.doesNotMatch(r.hint ?? '', /revoked|expired/);
    } finally {
      await new Promise((r) => cpanelPort.close(r));
    }
  });

  it('a WHM older than uapi_cpanel: UAPI on behalf of an account falls back to json-api/cpanel once, and stays there', async () => {
    const c = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken });
    const req = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [], asUser: 'cptest' };
    const before = sb.log.length;
    const first = await c.call(req);
    assert.equal(first.ok, true, first.hint);
    const paths = sb.log.slice(before).map((e) => e.path.split('?')[0]);
    assert.deepEqual(paths, ['/json-api/uapi_cpanel', '/json-api/cpanel']);
    const second = await c.call(req);
    assert.equal(second.ok, true);
    assert.deepEqual(
      sb.log.slice(before + 2).map((e) => e.path.split('?')[0]),
      ['/json-api/cpanel'],
      'remembered for the server',
    );
    assert.ok(Array.isArray(second.data));
  });

  it('a WHM function cPanel documents is never blamed on the spelling; an unknown name is', async () => {
    const reseller = client(profile(sb, 'whm', { username: 'reseller', auth: 'token', id: 'res' }), { token: CREDS.reseller.whmToken });
    const denied = await reseller.call({ family: 'whm', function: 'removeacct', params: [['user', 'bob']] });
    assert.equal(denied.kind, 'api_error');
    assert.match(denied.hint ?? '', /has no function named removeacct, a function cPanel documents/);
    assert.doesNotMatch(denied.hint ?? '', /spelling/);
    const typo = await reseller.call({ family: 'whm', function: 'listacctz', params: [] });
    assert.match(typo.hint ?? '', /check the spelling/);
  });

  it('cpapi names --fingerprint when a certificate is not trusted', async () => {
    const r = await cpapi(
      [
        'call',
        'whm',
        'version',
        '--host',
        '127.0.0.1',
        '--service',
        'whm',
        '--port',
        String(sb.port('whm')),
        '--user',
        'root',
        '--auth',
        'token',
      ],
      { CPANEL_TOKEN: CREDS.root.whmToken },
    );
    assert.equal(r.code, 4);
    assert.match(r.stderr, new RegExp(`pin it with --fingerprint ${sb.fingerprint256}`));
  });
});
