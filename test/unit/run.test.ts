import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serializeSnippet } from '../../src/core/snippets';
import type { Sandbox } from '../../src/sandbox/server';
import { CREDS, startSandbox } from '../helpers/sandbox';

const CLI = resolve(__dirname, '../../../dist/cli.js');

function cpapi(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('cpapi run', () => {
  let sb: Sandbox;
  let dir: string;
  const env = (): Record<string, string> => ({
    CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken,
    CPANEL_CPTEST_2FA_PASSWORD: CREDS.cptest.password,
    CPANEL_CPTEST_2FA_TOTP_SECRET: CREDS.cptest.tfaSecret,
    MAILBOX_PASSWORD: 'Mailbox-Pass-123',
  });

  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-run-'));
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    writeFileSync(
      join(dir, 'servers.json'),
      JSON.stringify({
        servers: [
          { label: 'prod-whm', host: '127.0.0.1', service: 'whm', port: sb.port('whm'), username: 'root', auth: 'token', tls },
          { label: 'cptest-2fa', host: '127.0.0.1', service: 'cpanel', port: sb.port('cpanel'), username: 'cptest', auth: 'session', twoFactor: 'session', tls },
        ],
      }),
    );
    const snippets = join(dir, 'snippets');
    mkdirSync(join(snippets, 'mail'), { recursive: true });
    const write = (name: string, s: object | string): void => writeFileSync(join(snippets, name), typeof s === 'string' ? s : serializeSnippet(s as never));
    write('a-listaccts.cpanel.json', { version: 1, server: 'prod-whm', family: 'whm', function: 'listaccts', method: 'GET', params: [] });
    write('mail/b-list.cpanel.json', { version: 1, server: 'cptest-2fa', family: 'uapi', function: 'Email/list_pops', method: 'GET', params: [] });
    write('mail/c-add.cpanel.json', {
      version: 1,
      server: 'prod-whm',
      family: 'uapi',
      function: 'Email/add_pop',
      account: 'cptest',
      method: 'POST',
      params: [{ name: 'email', value: 'newbox' }, { name: 'password', value: '${env:MAILBOX_PASSWORD}' }],
    });
    write('notes.txt', 'not a snippet');
  });
  after(async () => {
    await sb.stop();
  });

  it('runs every snippet in a folder, one line each, exit 0', async () => {
    const r = await cpapi(['run', 'snippets', '--servers', 'servers.json'], env(), dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^ok\s+ok\s+\d+ ms {2}snippets\/a-listaccts\.cpanel\.json {2}\(whm listaccts on prod-whm\)$/);
    assert.match(lines[1]!, /^ok .*snippets\/mail\/b-list\.cpanel\.json/);
    assert.match(lines[2]!, /^ok .*c-add\.cpanel\.json {2}\(uapi Email\/add_pop as cptest on prod-whm\)/);
    assert.equal(lines.at(-1), '3 passed, 0 failed');
    assert.ok(sb.mail.some((m) => m.email === 'newbox@cptest.example'), 'the placeholder was filled from the environment');
    assert.ok(!r.stdout.includes('Mailbox-Pass-123') && !r.stdout.includes(CREDS.root.whmToken));
  });

  it('--json gives a machine-readable report; a failing snippet makes the exit non-zero', async () => {
    writeFileSync(join(dir, 'snippets', 'mail', 'c-add.cpanel.json'), serializeSnippet({ version: 1, server: 'prod-whm', family: 'uapi', function: 'Email/add_pop', account: 'cptest', method: 'POST', params: [{ name: 'email', value: 'newbox' }, { name: 'password', value: '${env:MAILBOX_PASSWORD}' }] }));
    const r = await cpapi(['run', 'snippets', '--servers', 'servers.json', '--json'], env(), dir);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as { ok: boolean; passed: number; failed: number; results: { file: string; ok: boolean; kind: string; errors: string[] }[] };
    assert.equal(report.ok, false);
    assert.equal(report.failed, 1);
    const failed = report.results.find((x) => !x.ok)!;
    assert.equal(failed.kind, 'api_error');
    assert.match(failed.errors[0]!, /already exists/);
  });

  it('malformed snippets, unknown servers, missing secrets and destructive functions fail clearly', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, '1-broken.cpanel.json'), '{"version": 1, ');
    writeFileSync(join(bad, '2-unknown.cpanel.json'), serializeSnippet({ version: 1, server: 'nowhere', family: 'whm', function: 'version', method: 'GET', params: [] }));
    writeFileSync(join(bad, '3-remove.cpanel.json'), serializeSnippet({ version: 1, server: 'prod-whm', family: 'whm', function: 'removeacct', method: 'GET', params: [{ name: 'user', value: 'bob' }] }));
    writeFileSync(join(bad, '4-nosecret.cpanel.json'), serializeSnippet({ version: 1, server: 'cptest-2fa', family: 'uapi', function: 'Ftp/list_ftp', method: 'GET', params: [] }));
    const r = await cpapi(['run', 'bad', '--servers', 'servers.json'], { CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken }, dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}malformed_snippet .*1-broken[\s\S]*not a valid snippet[^\n]*line 1, column/);
    assert.match(r.stdout, /No server is labelled "nowhere"\. Add it to the servers file/);
    assert.match(r.stdout, /removeacct removes, suspends, revokes or resets something: run it only with --allow-destructive/);
    assert.match(r.stdout, /needs the CPANEL_CPTEST_2FA_PASSWORD environment variable/);
    assert.match(r.stdout, /0 passed, 4 failed/);
    assert.ok(sb.accounts.some((a) => a.user === 'bob'), 'nothing was removed');
  });

  it('refuses a servers file with secrets in it', async () => {
    writeFileSync(join(dir, 'leaky.json'), JSON.stringify([{ label: 'x', host: 'h.example', service: 'whm', port: 2087, username: 'root', auth: 'token', token: 'abc' }]));
    const r = await cpapi(['run', 'snippets', '--servers', 'leaky.json'], {}, dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /secrets never go in the servers file/);
  });
});
