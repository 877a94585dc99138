import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { buildRequest, methodOf, type ApiRequest } from '../../src/core/api/request';
import { RefusalBook } from '../../src/core/auth/refusals';
import { Catalog } from '../../src/core/catalog';
import { generate } from '../../src/core/codegen';
import { historyEntry, storedAnswer } from '../../src/core/history';
import { serializeSnippet } from '../../src/core/snippets';
import type { ApiResult } from '../../src/core/result';
import type { ServerProfile } from '../../src/core/servers';
import { isSecretParam } from '../../src/shared/families';
import type { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

/**
 * What we do to the server: no secret in a URL on any path, and a credential the server refused is
 * not sent again (cPHulk blocks an address after a few failed logins). Each test reads the sandbox's
 * own log and counters, so nothing passes by accident: the sandbox refuses a secret in a query string
 * and counts every failed login as cPHulk does.
 */

const WRONG = 'not-the-password-1';

describe('secrets never go in a URL', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  it('a request carrying a secret parameter is a POST with the secret in the body, on every family and route', () => {
    const cases: [ApiRequest, ServerProfile['service']][] = [
      [
        {
          family: 'uapi',
          module: 'Email',
          function: 'add_pop',
          params: [
            ['email', 'a'],
            ['password', 'Pass-w0rd-1'],
          ],
          method: 'GET',
        },
        'cpanel',
      ],
      [
        {
          family: 'whm',
          function: 'passwd',
          params: [
            ['user', 'cptest'],
            ['password', 'Pass-w0rd-1'],
          ],
          method: 'GET',
        },
        'whm',
      ],
      [
        {
          family: 'uapi',
          module: 'Email',
          function: 'add_pop',
          params: [
            ['email', 'a'],
            ['password', 'Pass-w0rd-1'],
          ],
          asUser: 'cptest',
        },
        'whm',
      ],
      [
        {
          family: 'api2',
          module: 'Email',
          function: 'addpop',
          params: [
            ['email', 'a'],
            ['password', 'Pass-w0rd-1'],
          ],
          asUser: 'cptest',
        },
        'whm',
      ],
      [
        {
          family: 'uapi',
          module: 'SSH',
          function: 'import_key',
          params: [
            ['key', 'x'],
            ['passphrase', 'Pass-w0rd-1'],
          ],
        },
        'cpanel',
      ],
    ];
    for (const [req, service] of cases) {
      const b = buildRequest(req, { service });
      assert.equal(b.method, 'POST', `${req.function} on ${service}`);
      assert.doesNotMatch(b.path, /Pass-w0rd-1/);
      assert.match(b.body ?? '', /Pass-w0rd-1/);
    }
  });

  it('a parameter whose value came from a secret (a placeholder, a password box) makes the call a POST too', () => {
    const req: ApiRequest = {
      family: 'uapi',
      module: 'Email',
      function: 'list_pops',
      params: [['regex', 'S3cret-value']],
      secretParams: ['regex'],
    };
    assert.equal(methodOf(req), 'POST');
    assert.doesNotMatch(buildRequest(req, { service: 'cpanel' }).path, /S3cret/);
  });

  it('only an explicit choice for the call puts a secret in the URL', () => {
    const req: ApiRequest = {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [['password', 'Pass-w0rd-1']],
      method: 'GET',
      secretInUrl: true,
    };
    assert.equal(buildRequest(req, { service: 'cpanel' }).method, 'GET');
  });

  it('a JSON body cannot take a secret parameter beside it (those go in the URL): refused before sending', async () => {
    const c = client(profile(sb, 'cpanel', { username: 'cptest' }), { password: CREDS.cptest.password });
    const before = sb.log.length;
    const r = await c.call({
      family: 'uapi',
      module: 'Personalization',
      function: 'set',
      params: [['password', 'Pass-w0rd-1']],
      body: { kind: 'json', text: '{}' },
    });
    assert.equal(r.kind, 'config_error');
    assert.match(r.hint ?? '', /put the secret in the JSON body/);
    assert.equal(sb.log.length, before, 'nothing was sent');
  });

  it('every catalog function documented as GET that takes a secret parameter is sent as a POST', () => {
    const catalog = Catalog.load();
    const withSecret = catalog.functions.filter(
      (f) => f.method === 'GET' && f.params.some((p) => isSecretParam(p.name) && p.type === 'string'),
    );
    assert.ok(withSecret.length >= 70, `${withSecret.length} functions`);
    for (const f of withSecret) {
      const params = f.params.filter((p) => p.type === 'string').map((p) => [p.name, 'Secret-Value-9'] as const);
      const req: ApiRequest =
        f.family === 'whm'
          ? { family: 'whm', function: f.function, params }
          : { family: 'uapi', module: f.module!, function: f.function, params };
      const b = buildRequest(req, { service: f.family === 'whm' ? 'whm' : 'cpanel' });
      assert.equal(b.method, 'POST', f.name);
      for (const p of f.params)
        if (isSecretParam(p.name))
          assert.ok(!new URLSearchParams(b.path.split('?')[1] ?? '').has(p.name), `${f.name}: ${p.name} in the URL`);
    }
  });

  it('the sandbox refuses a secret in a query string, so a test cannot pass by sending one there', async () => {
    const res = await fetch(`http://127.0.0.1:${sb.port('cpanel', false)}/execute/Email/add_pop?email=a&password=x`, {
      headers: { authorization: `cpanel cptest:${CREDS.cptest.cpanelToken}` },
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /password was sent in the URL/);
  });

  it('through the sandbox: the password reaches the server in the body, and the call succeeds', async () => {
    const t = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken });
    const r = await t.call({
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'viaurl'],
        ['password', 'Mailbox-Pass-99'],
        ['domain', 'cptest.example'],
      ],
      asUser: 'cptest',
    });
    assert.equal(r.ok, true, r.hint);
    const sent = sb.log.at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.doesNotMatch(sent.path, /Mailbox-Pass-99/);
    assert.match(sent.body, /Mailbox-Pass-99/);
    assert.equal(r.request.method, 'POST');
  });

  it('Copy as curl, Python, Node, Perl and PHP send a secret parameter as a POST body', () => {
    const p = profile(sb, 'cpanel', { username: 'cptest' });
    const req: ApiRequest = {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'a'],
        ['password', 'x'],
      ],
      method: 'GET',
    };
    const curl = generate('curl', p, req);
    assert.doesNotMatch(curl, /--get/);
    for (const lang of ['python', 'node', 'perl', 'php'] as const) {
      const code = generate(lang, p, req);
      assert.doesNotMatch(code, /\?' \. form|query_form|params=params|'\?' \+ params/, lang);
    }
    // A value from the environment is a secret as much as a password parameter.
    assert.doesNotMatch(
      generate('curl', p, {
        family: 'uapi',
        module: 'Email',
        function: 'list_pops',
        params: [['regex', '${env:CPANEL_REGEX}']],
        method: 'GET',
      }),
      /--get/,
    );
  });
});

describe('cpapi never puts a secret in a URL', () => {
  let sb: Sandbox;
  let dir: string;
  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-safety-'));
  });
  after(async () => {
    await sb.stop();
  });
  const base = (): string[] => [
    '--host',
    '127.0.0.1',
    '--service',
    'cpanel',
    '--port',
    String(sb.port('cpanel', false)),
    '--http',
    '--user',
    'cptest',
    '--auth',
    'token',
  ];

  it('cpapi call sends a password parameter in a POST body', async () => {
    const r = await cpapi(['call', 'uapi', 'Email/add_pop', 'email=clibox', 'password=Cli-Pass-123', 'domain=cptest.example', ...base()], {
      CPANEL_TOKEN: CREDS.cptest.cpanelToken,
    });
    assert.equal(r.code, 0, r.stderr);
    const sent = sb.log.at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.doesNotMatch(sent.path, /Cli-Pass-123/);
  });

  it('--get sends it in the URL anyway, with a warning naming the parameter', async () => {
    const r = await cpapi(['call', 'uapi', 'Email/list_pops', 'password=Cli-Pass-123', '--get', ...base()], {
      CPANEL_TOKEN: CREDS.cptest.cpanelToken,
    });
    assert.match(r.stderr, /warning: --get puts password into the URL/);
    assert.equal(sb.log.at(-1)!.method, 'GET');
    assert.equal(r.code, 1, 'the sandbox refuses it, as it refuses every secret in a URL');
  });

  it("cpapi run and fanout send a snippet's password as a POST", async () => {
    writeFileSync(
      join(dir, 'servers.json'),
      JSON.stringify([
        {
          label: 'box',
          host: '127.0.0.1',
          service: 'cpanel',
          secure: false,
          port: sb.port('cpanel', false),
          username: 'cptest',
          auth: 'token',
        },
      ]),
    );
    mkdirSync(join(dir, 's'), { recursive: true });
    writeFileSync(
      join(dir, 's', 'add.cpanel.json'),
      serializeSnippet({
        version: 1,
        server: 'box',
        family: 'uapi',
        function: 'Email/add_pop',
        method: 'GET',
        params: [
          { name: 'email', value: 'runbox' },
          { name: 'password', value: '${env:CPANEL_MAILBOX_PASSWORD}' },
          { name: 'domain', value: 'cptest.example' },
        ],
      }),
    );
    const env = { CPANEL_BOX_TOKEN: CREDS.cptest.cpanelToken, CPANEL_MAILBOX_PASSWORD: 'Run-Pass-456' };
    const run = await cpapi(['run', 's', '--servers', 'servers.json'], env, dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(sb.log.at(-1)!.method, 'POST');
    const fan = await cpapi(
      ['fanout', 'uapi', 'Email/add_pop', 'email=fanbox', 'password=Fan-Pass-789', 'domain=cptest.example', '--servers', 'servers.json'],
      env,
      dir,
    );
    assert.equal(fan.code, 0, fan.stdout + fan.stderr);
    assert.equal(sb.log.at(-1)!.method, 'POST');
    for (const e of sb.log) assert.doesNotMatch(e.path, /(Run|Fan)-Pass/);
  });
});

describe('a refused credential is not sent again', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  afterEach(async () => {
    await closeAll();
    sb.failedLogins = 0;
    sb.lockedOutAttempts = 0;
  });
  after(async () => {
    await sb.stop();
  });
  const version: ApiRequest = { family: 'whm', function: 'version', params: [] };

  it('a wrong password (Basic) is sent once; later calls fail at once, saying when and what, without being sent', async () => {
    const c = client(profile(sb, 'whm'), { password: WRONG });
    const first = await c.call(version);
    assert.equal(first.kind, 'auth_error');
    const sent = sb.log.length;
    for (let i = 0; i < 5; i++) {
      const r = await c.call(version);
      assert.equal(r.kind, 'auth_error');
      assert.ok(r.refused, 'marked as not sent');
      assert.match(r.hint ?? '', /^Not sent: the password for root was refused at \d\d:\d\d:\d\d; set new credentials for sandbox-whm/);
    }
    assert.equal(sb.log.length, sent, 'nothing more reached the server');
    assert.equal(sb.failedLogins, 1);
  });

  it('calls started together with an untried credential make one failed login, not one each', async () => {
    const c = client(profile(sb, 'whm'), { password: WRONG });
    const results = await Promise.all(Array.from({ length: 6 }, () => c.call(version)));
    assert.ok(results.every((r) => r.kind === 'auth_error'));
    assert.equal(sb.failedLogins, 1);
    assert.equal(results.filter((r) => r.refused).length, 5);
  });

  it('a good credential still runs calls in parallel', async () => {
    const c = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken });
    assert.equal((await c.call(version)).ok, true);
    const results = await Promise.all(Array.from({ length: 4 }, () => c.call(version)));
    assert.ok(results.every((r) => r.ok));
  });

  it('a refused session login is tried once', async () => {
    const c = client(profile(sb, 'whm', { auth: 'session' }), { password: WRONG });
    for (let i = 0; i < 4; i++) assert.equal((await c.call(version)).kind, 'auth_error');
    assert.equal(sb.failedLogins, 1);
    assert.equal(sb.log.filter((e) => e.path.startsWith('/login')).length >= 1, true);
  });

  it('a wrong two-factor code (header mode) is sent once', async () => {
    const p = profile(sb, 'cpanel', { username: 'cptest', twoFactor: 'header' });
    const c = client(p, { password: CREDS.cptest.password, totpSecret: 'JBSWY3DPEHPK3PXP' });
    const req: ApiRequest = { family: 'uapi', module: 'Email', function: 'list_pops', params: [] };
    const first = await c.call(req);
    assert.equal(first.kind, 'auth_error');
    const again = await c.call(req);
    assert.match(again.hint ?? '', /^Not sent: the two-factor code for cptest was refused/);
    assert.equal(sb.failedLogins, 1);
  });

  it('profiles sharing a host and a credential share the refusal (one book per run)', async () => {
    const book = new RefusalBook();
    const clients = Array.from({ length: 10 }, (_, i) =>
      client(profile(sb, 'whm', { id: `p${i}`, label: `p${i}` }), { password: WRONG }, { refusals: book }),
    );
    await Promise.all(clients.map((c) => c.call(version)));
    assert.equal(sb.failedLogins, 1);
  });

  it('new credentials, or the person asking to try again, send once more', async () => {
    const book = new RefusalBook();
    const wrong = client(profile(sb, 'whm'), { password: WRONG }, { refusals: book });
    await wrong.call(version);
    const fixed = client(profile(sb, 'whm'), { password: CREDS.root.password }, { refusals: book });
    assert.equal((await fixed.call(version)).ok, true, 'another secret is another credential');
    wrong.retryCredentials();
    const r = await wrong.call(version);
    assert.equal(r.kind, 'auth_error');
    assert.equal(r.refused, undefined, 'it was sent');
    assert.equal(sb.failedLogins, 2);
  });

  it('a secret the profile does not sign in with is not part of the credential: storing one sends nothing again', async () => {
    const book = new RefusalBook();
    const token = profile(sb, 'whm', { auth: 'token' });
    await client(token, { token: 'NOT-THE-TOKEN-0123456789ABCDEFGHIJ' }, { refusals: book }).call(version);
    const sent = sb.log.length;
    const withPassword = client(token, { token: 'NOT-THE-TOKEN-0123456789ABCDEFGHIJ', password: CREDS.root.password }, { refusals: book });
    const r = await withPassword.call(version);
    assert.match(r.hint ?? '', /^Not sent: /);
    assert.equal(sb.log.length, sent, 'the refused token was not sent again');
  });

  it('a cPHulk lockout is its own kind, never blamed on the password, and nothing more is sent to the host', async () => {
    sb.options.bruteForceLimit = 1;
    try {
      const book = new RefusalBook();
      await client(profile(sb, 'whm'), { password: WRONG }, { refusals: book }).call(version);
      // Another profile, with the right password, on the same host: cPHulk blocks the address.
      const good = client(profile(sb, 'cpanel', { username: 'cptest' }), { password: CREDS.cptest.password }, { refusals: book });
      const r = await good.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [] });
      assert.equal(r.kind, 'locked_out');
      assert.match(r.hint ?? '', /cPHulk/);
      assert.match(r.hint ?? '', /not a wrong password/);
      assert.doesNotMatch(r.hint ?? '', /check them/i);
      const sent = sb.log.length;
      const again = await good.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [] });
      assert.equal(again.kind, 'locked_out');
      assert.ok(again.refused);
      const token = client(profile(sb, 'whm', { auth: 'token', id: 't' }), { token: CREDS.root.whmToken }, { refusals: book });
      assert.equal((await token.call(version)).kind, 'locked_out', 'no credential is sent to a locked-out host');
      assert.equal(sb.log.length, sent);
      assert.equal(sb.lockedOutAttempts, 1);
    } finally {
      sb.options.bruteForceLimit = undefined;
    }
  });

  it('a lockout at session login is reported as one too', async () => {
    sb.options.bruteForceLimit = 0;
    try {
      const r = await client(profile(sb, 'whm', { auth: 'session' }), { password: CREDS.root.password }).call(version);
      assert.equal(r.kind, 'locked_out');
    } finally {
      sb.options.bruteForceLimit = undefined;
    }
  });
});

describe('cpapi: a refused credential is tried once per run', () => {
  let sb: Sandbox;
  let dir: string;
  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-refused-'));
    const servers = Array.from({ length: 10 }, (_, i) => ({
      label: `p${i}`,
      host: '127.0.0.1',
      service: 'whm',
      secure: false,
      port: sb.port('whm', false),
      username: 'root',
      auth: 'password',
      groups: ['all'],
    }));
    writeFileSync(join(dir, 'servers.json'), JSON.stringify(servers));
    mkdirSync(join(dir, 's'));
    for (let i = 0; i < 20; i++)
      writeFileSync(
        join(dir, 's', `${String(i).padStart(2, '0')}.cpanel.json`),
        serializeSnippet({ version: 1, server: 'p0', family: 'whm', function: 'version', method: 'GET', params: [] }),
      );
  });
  after(async () => {
    await sb.stop();
  });
  const wrongEnv = (): Record<string, string> => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`CPANEL_P${i}_PASSWORD`, WRONG]));

  it('cpapi run over 20 snippets with a wrong password makes one failed login', async () => {
    sb.failedLogins = 0;
    const r = await cpapi(['run', 's', '--servers', 'servers.json'], wrongEnv(), dir);
    assert.equal(r.code, 1);
    assert.equal(sb.failedLogins, 1, r.stdout);
    assert.equal((r.stdout.match(/Not sent: the password for root was refused/g) ?? []).length, 19);
  });

  it('--group over 10 profiles of one host: one failed login, not 200', async () => {
    sb.failedLogins = 0;
    const r = await cpapi(['run', 's', '--servers', 'servers.json', '--group', 'all'], wrongEnv(), dir);
    assert.equal(r.code, 1);
    assert.equal(sb.failedLogins, 1);
  });

  it('cpapi fanout over 10 profiles of one host: one failed login', async () => {
    sb.failedLogins = 0;
    const r = await cpapi(['fanout', 'whm', 'version', '--servers', 'servers.json'], wrongEnv(), dir);
    assert.equal(r.code, 1);
    assert.equal(sb.failedLogins, 1);
  });

  it('cpapi call against a locked-out server: exit 3, the cPHulk hint, not the password', async () => {
    sb.options.bruteForceLimit = 0;
    try {
      const r = await cpapi(
        [
          'call',
          'whm',
          'version',
          '--host',
          '127.0.0.1',
          '--service',
          'whm',
          '--http',
          '--port',
          String(sb.port('whm', false)),
          '--user',
          'root',
          '--auth',
          'password',
        ],
        { CPANEL_PASSWORD: CREDS.root.password },
      );
      assert.equal(r.code, 3);
      assert.match(r.stderr, /cPHulk/);
      assert.match(JSON.parse(r.stdout).kind, /locked_out/);
    } finally {
      sb.options.bruteForceLimit = undefined;
    }
  });
});

describe('secret parameters are kept out of History and scrubbed from answers', () => {
  let server: http.Server;
  let port = 0;
  before(async () => {
    // A server that echoes the password it was sent in its error, as some validation errors do.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const pass = new URLSearchParams(body).get('password') ?? new URLSearchParams(body).get('passphrase') ?? '';
        const text = JSON.stringify({
          status: 0,
          errors: [`The password “${pass}” is too weak.`],
          messages: null,
          warnings: null,
          data: { echoed: pass },
          metadata: {},
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await closeAll();
    await new Promise((r) => server.close(r));
  });

  it('a password echoed in an error is scrubbed from the hint, errors, data, raw answer and the History entry', async () => {
    const p: ServerProfile = {
      id: 'echo',
      label: 'echo',
      host: '127.0.0.1',
      service: 'cpanel',
      secure: false,
      port,
      username: 'cptest',
      auth: 'token',
      twoFactor: 'none',
      tls: { mode: 'system' },
    };
    const c = client(p, { token: CREDS.cptest.cpanelToken });
    const req: ApiRequest = {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'x'],
        ['password', 'Echoed-Pass-42'],
      ],
    };
    const r = await c.call(req);
    assert.equal(r.kind, 'api_error');
    const entry = historyEntry(p, req, r, 'palette', Date.now(), 1 << 20);
    for (const text of [JSON.stringify(r), JSON.stringify(entry), JSON.stringify(storedAnswer(r))])
      assert.doesNotMatch(text, /Echoed-Pass-42/);
  });

  it('parameters named like passphrase, access_token, mysql_pass, login_token, pass_hash are stored redacted', () => {
    const p = someProfile();
    const names = [
      'passphrase',
      'sshkey_passphrase',
      'access_token',
      'key_passphrase',
      'mysql_pass',
      'login_token',
      'PUSHBULLET_ACCESS_TOKEN',
      'pass_hash',
    ];
    const req: ApiRequest = { family: 'uapi', module: 'X', function: 'y', params: names.map((n) => [n, `value-of-${n}`]) };
    const entry = historyEntry(p, req, okResult(), 'palette', Date.now(), 0);
    for (const n of names) assert.doesNotMatch(JSON.stringify(entry), new RegExp(`value-of-${n}`), n);
  });

  it('a value typed for a parameter named otherwise but marked secret is stored redacted', () => {
    const p = someProfile();
    const req: ApiRequest = { family: 'uapi', module: 'X', function: 'y', params: [['note', 'Typed-Secret-1']], secretParams: ['note'] };
    assert.doesNotMatch(JSON.stringify(historyEntry(p, req, okResult(), 'palette', Date.now(), 0)), /Typed-Secret-1/);
  });
});

/** A profile for the History tests, which send nothing. */
function someProfile(): ServerProfile {
  return {
    id: 'x',
    label: 'x',
    host: 'h.example',
    service: 'cpanel',
    secure: true,
    port: 2083,
    username: 'u',
    auth: 'token',
    twoFactor: 'none',
    tls: { mode: 'system' },
  };
}

/** An answer as the History tests need one: a success with nothing in it. */
function okResult(): ApiResult {
  const request = { method: 'POST' as const, url: '', family: 'uapi', function: 'X/y' };
  return {
    ok: true,
    kind: 'ok',
    status: 200,
    data: null,
    errors: [],
    warnings: [],
    messages: [],
    metadata: {},
    raw: '',
    contentType: '',
    timings: { headersMs: 0, totalMs: 1 },
    request,
  };
}
