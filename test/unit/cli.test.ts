import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/server';
import { CREDS, startSandbox } from '../helpers/sandbox';

const CLI = resolve(__dirname, '../../../dist/cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cpapi(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('cpapi call (the built CLI) against the sandbox', () => {
  let sb: Sandbox;
  let fp: string;
  const allSecrets = [
    CREDS.root.password,
    CREDS.root.whmToken,
    CREDS.bob.password,
    CREDS.bob.cpanelToken,
    CREDS.cptest.password,
    CREDS.cptest.tfaSecret,
  ];
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built by npm run build');
    sb = await startSandbox();
    fp = sb.fingerprint256;
  });
  after(async () => {
    await sb.stop();
  });

  const server = (service: 'cpanel' | 'whm' | 'webmail', user: string, auth: string): string[] => [
    '--host',
    '127.0.0.1',
    '--service',
    service,
    '--port',
    String(sb.port(service)),
    '--user',
    user,
    '--auth',
    auth,
    '--fingerprint',
    fp,
  ];

  function parsed(r: Run): {
    ok: boolean;
    kind: string;
    status: number;
    data: unknown;
    errors: string[];
    warnings: string[];
    messages: string[];
    metadata: object;
  } {
    const o = JSON.parse(r.stdout) as ReturnType<typeof parsed>;
    assert.deepEqual(Object.keys(o), ['ok', 'kind', 'status', 'data', 'errors', 'warnings', 'messages', 'metadata']);
    for (const s of allSecrets) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'no secret in the output');
    return o;
  }

  it('--query prints what a JMESPath expression picks from the normalized answer (the AWS CLI convention)', async () => {
    const env = { CPANEL_TOKEN: CREDS.root.whmToken };
    const users = await cpapi(['call', 'whm', 'listaccts', ...server('whm', 'root', 'token'), '--query', 'data.acct[].user'], env);
    assert.equal(users.code, 0, users.stderr);
    const list = JSON.parse(users.stdout) as string[];
    assert.ok(Array.isArray(list) && list.includes('bob') && list.includes('cptest'), users.stdout);
    const count = await cpapi(
      ['call', 'whm', 'listaccts', ...server('whm', 'root', 'token'), '--query', "length(data.acct[?user=='bob']) == `1`"],
      env,
    );
    assert.equal(count.stdout.trim(), 'true');
    const nothing = await cpapi(['call', 'whm', 'listaccts', ...server('whm', 'root', 'token'), '--query', 'data.nothing'], env);
    assert.equal(nothing.stdout.trim(), 'null');
    // The exit code still tells how the call went.
    const failed = await cpapi(['call', 'whm', 'nosuchfunction', ...server('whm', 'root', 'token'), '--query', 'kind'], env);
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout.trim(), '"api_error"');
  });

  it('--query refuses a malformed expression before sending, and --raw with it', async () => {
    const before = sb.requests('/json-api/').length;
    const bad = await cpapi(['call', 'whm', 'listaccts', ...server('whm', 'root', 'token'), '--query', 'data.acct[?user=='], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--query: it is not a valid JMESPath expression \(.*\)\. Nothing was sent\./);
    const both = await cpapi(['call', 'whm', 'listaccts', ...server('whm', 'root', 'token'), '--query', 'data', '--raw'], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --query or --raw/);
    assert.equal(sb.requests('/json-api/').length, before, 'nothing was sent');
    const unknownFn = await cpapi(['call', 'whm', 'listaccts', ...server('whm', 'root', 'token'), '--query', 'nosuch(data)'], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(unknownFn.code, 2);
    assert.match(unknownFn.stderr, /--query: JMESPath "nosuch\(data\)" could not be evaluated: Unknown function: nosuch/);
  });

  it('uapi with a password', async () => {
    const r = await cpapi(['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'bob', 'password')], {
      CPANEL_PASSWORD: CREDS.bob.password,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parsed(r).kind, 'ok');
  });

  it('uapi with a cPanel token', async () => {
    const r = await cpapi(['call', 'uapi', 'Ftp/list_ftp', ...server('cpanel', 'bob', 'token')], { CPANEL_TOKEN: CREDS.bob.cpanelToken });
    assert.equal(r.code, 0, r.stderr);
  });

  it('whm with a WHM token, and api.version=1 sent', async () => {
    const r = await cpapi(['call', 'whm', 'listaccts', 'search=bob', ...server('whm', 'root', 'token')], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (parsed(r).data as { acct: { user: string }[] }).acct.map((a) => a.user),
      ['bob'],
    );
  });

  it('whm with an access hash from a file (line breaks and all)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpapi-hash-'));
    writeFileSync(join(dir, 'hash'), CREDS.root.accessHash);
    const r = await cpapi(['call', 'whm', 'version', ...server('whm', 'root', 'accesshash')], {
      CPANEL_ACCESSHASH_FILE: join(dir, 'hash'),
    });
    assert.equal(r.code, 0, r.stderr);
    const env = await cpapi(['call', 'whm', 'version', ...server('whm', 'root', 'accesshash')], {
      CPANEL_ACCESSHASH: CREDS.root.accessHash,
    });
    assert.equal(env.code, 0, env.stderr);
  });

  it('session login with the code at login (--otp session)', async () => {
    const r = await cpapi(['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'cptest', 'session'), '--otp', 'session'], {
      CPANEL_PASSWORD: CREDS.cptest.password,
      CPANEL_TOTP_SECRET: CREDS.cptest.tfaSecret,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((parsed(r).data as unknown[]).length, 2);
  });

  it('password with the code in a header (--otp header)', async () => {
    const r = await cpapi(['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'cptest', 'password'), '--otp', 'header'], {
      CPANEL_PASSWORD: CREDS.cptest.password,
      CPANEL_TOTP_SECRET: CREDS.cptest.tfaSecret,
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it('uapi and api2 on behalf of an account (--as), over a webmail and plain-HTTP variety', async () => {
    const u = await cpapi(['call', 'uapi', 'Email/list_pops', '--as', 'cptest', ...server('whm', 'root', 'password')], {
      CPANEL_PASSWORD: CREDS.root.password,
    });
    assert.equal(u.code, 0, u.stderr);
    const a = await cpapi(['call', 'api2', 'Email/listpops', '--as', 'cptest', ...server('whm', 'root', 'password')], {
      CPANEL_PASSWORD: CREDS.root.password,
    });
    assert.equal(a.code, 0, a.stderr);
    const w = await cpapi(
      [
        'call',
        'uapi',
        'Ftp/list_ftp',
        '--host',
        '127.0.0.1',
        '--service',
        'webmail',
        '--http',
        '--port',
        String(sb.port('webmail', false)),
        '--user',
        'bob',
        '--auth',
        'password',
      ],
      {
        CPANEL_PASSWORD: CREDS.bob.password,
      },
    );
    assert.equal(w.code, 0, w.stderr);
  });

  it("--post with repeated keys, and --raw prints the server's body", async () => {
    const r = await cpapi(
      ['call', 'uapi', 'Notes/echo', 'd=a.example', 'd=b.example', '--post', '--raw', ...server('cpanel', 'bob', 'token')],
      { CPANEL_TOKEN: CREDS.bob.cpanelToken },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 1);
    assert.equal(sb.requests('/execute/Notes/echo').at(-1)!.body, 'd=a.example&d=b.example');
  });

  it('exit 1 when the API reports failure', async () => {
    const r = await cpapi(['call', 'whm', 'createacct', 'username=x2', ...server('whm', 'root', 'token')], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(r.code, 1);
    assert.equal(parsed(r).kind, 'api_error');
    assert.match(r.stderr, /^cpapi: createacct failed: You must specify a domain name\.\n$/);
  });

  it('exit 2 for usage and configuration mistakes, with one plain sentence', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'bob', 'password')], {}, /needs the CPANEL_PASSWORD environment variable/],
      [['call', 'nope', 'x'], {}, /API \(the first argument\) must be one of uapi, whm, api2/],
      [['call', 'api2', 'Email/listpops', ...server('whm', 'root', 'password')], { CPANEL_PASSWORD: 'x' }, /api2 needs --as/],
      [
        ['call', 'uapi', 'Email/list_pops', 'novalue', ...server('cpanel', 'bob', 'token')],
        { CPANEL_TOKEN: 'x' },
        /"novalue" is not name=value/,
      ],
      [
        ['call', 'uapi', 'Email/list_pops', '--host', 'https://x', '--service', 'cpanel', '--user', 'u', '--auth', 'token'],
        { CPANEL_TOKEN: 'x' },
        /is a URL/,
      ],
      [
        ['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'bob', 'token').slice(0, -1), 'xyz'],
        { CPANEL_TOKEN: 'x' },
        /--fingerprint must be a SHA-256 fingerprint/,
      ],
      [
        ['call', 'whm', 'listaccts', ...server('cpanel', 'bob', 'token')],
        { CPANEL_TOKEN: CREDS.bob.cpanelToken },
        /WHM API 1 function: it runs only on WHM/,
      ],
      [['call', 'uapi', 'Email/list_pops', '--bogus'], {}, /Unknown option '--bogus'/],
      [['frobnicate'], {}, /Unknown command "frobnicate"/],
    ];
    for (const [args, env, re] of cases) {
      const r = await cpapi(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    }
  });

  it('exit 3 for authentication failures', async () => {
    const r = await cpapi(['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'bob', 'password')], {
      CPANEL_PASSWORD: 'not-the-password',
    });
    assert.equal(r.code, 3);
    assert.ok(!r.stdout.includes('not-the-password') && !r.stderr.includes('not-the-password'));
    const otp = await cpapi(['call', 'uapi', 'Email/list_pops', ...server('cpanel', 'cptest', 'session'), '--otp', 'session'], {
      CPANEL_PASSWORD: CREDS.cptest.password,
      CPANEL_TOTP_SECRET: 'AAAAAAAAAAAAAAAA',
    });
    assert.equal(otp.code, 3);
    assert.match(otp.stderr, /refused the two-factor code/);
  });

  it('exit 4 for TLS: an unpinned self-signed certificate, with its fingerprint', async () => {
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
      {
        CPANEL_TOKEN: CREDS.root.whmToken,
      },
    );
    assert.equal(r.code, 4);
    assert.ok(r.stderr.includes(fp), r.stderr);
    // The colon-separated lowercase form OpenSSL prints is accepted.
    const ok = await cpapi(['call', 'whm', 'version', ...server('whm', 'root', 'token').slice(0, -1), fp.toLowerCase()], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('exit 4 for a timeout (--timeout), exit 5 for a malformed answer', async () => {
    sb.inject({ fault: { kind: 'slow-headers', ms: 2500 } });
    const t = await cpapi(['call', 'whm', 'version', ...server('whm', 'root', 'token'), '--timeout', '1'], {
      CPANEL_TOKEN: CREDS.root.whmToken,
    });
    assert.equal(t.code, 4, t.stderr);
    assert.match(t.stderr, /did not finish within 1 seconds/);
    sb.inject({ fault: { kind: 'html' } });
    const m = await cpapi(['call', 'whm', 'version', ...server('whm', 'root', 'token')], { CPANEL_TOKEN: CREDS.root.whmToken });
    assert.equal(m.code, 5, m.stderr);
    assert.match(m.stderr, /HTML page where JSON was expected/);
  });

  it('--help prints the contract', async () => {
    const r = await cpapi(['--help']);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /exit: 0 ok · 1 the API reported failure · 2 usage or config · 3 authentication · 4 TLS, network or timeout · 5 malformed answer/,
    );
  });
});
