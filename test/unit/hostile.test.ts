import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { totpCode } from '../../src/core/otp';
import { makeCertificate } from '../../src/sandbox/cert';

/**
 * Servers that misbehave on purpose, and bad input, against the built cpapi: each case names what it
 * does, the exit code it must end with and a fragment of what it must say. Every case also checks that
 * no secret reaches stdout or stderr, and that nothing hangs (each run has a hard time limit).
 */

const CLI = resolve(__dirname, '../../../dist/cli.js');
const PASSWORD = 'hostile-pass-W0rd!';
const TOKEN = 'HOSTILETOKEN0123456789ABCDEFGHIJ';
const HASH = 'hostilehash0123456789abcdef';
const TOTP = 'JBSWY3DPEHPK3PXP';
const COOKIE = 'hostilecookievalue42';
const CPSESS = '/cpsess8675309000';
const BASIC = Buffer.from(`root:${PASSWORD}`).toString('base64');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function cpapi(args: string[], env: Record<string, string>, limitMs = 20_000, cwd?: string): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: limitMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};
const whmOk = (data: unknown): unknown => ({ metadata: { result: 1, reason: 'OK', version: 1, command: 'x' }, data });
/** Answers with everything the client sent: what a debug page or a misconfigured proxy does. */
const echo: Handler = (req, res, body) => json(res, 200, whmOk({ url: req.url, headers: req.headers, body }));
/** Session logins succeed (cookie and cpsess token); everything else is `then`. */
const withLogin =
  (then: Handler): Handler =>
  (req, res, body) => {
    if (req.url?.startsWith('/login')) {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `whostmgrsession=${COOKIE}; HttpOnly; secure` });
      res.end(JSON.stringify({ status: 1, security_token: CPSESS, redirect: `${CPSESS}/` }));
      return;
    }
    then(req, res, body);
  };

interface Case {
  name: string;
  handler?: Handler;
  args?: string[];
  /** Replaces the default `call whm version` with these words. */
  call?: string[];
  env?: Record<string, string>;
  auth?: 'password' | 'token' | 'accesshash' | 'session';
  exit: number;
  says: RegExp;
  /** Where `says` must match (default stderr). */
  in?: 'stdout' | 'stderr';
  /** The server must not have been asked anything. */
  nothingSent?: boolean;
  /** Also must not appear in the output. */
  notSaid?: RegExp;
  /** Must end within this many ms. */
  withinMs?: number;
}

/** What a terminal acts on: ESC and every C0 control but LF and tab (CR too), DEL, C1, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** A server's text that tries every trick: colours, an OSC 8 link, an OSC 52 clipboard write, BEL, CSI as U+009B, a C1, a bare CR, bidi. */
const EVIL =
  'Bad\x1b[31mred\x1b[0m \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ \x1b]52;c;cm0gLXJmIH4=\x07 ' +
  '\u009b2J \u0085 \rOVERWRITTEN \u202eevil\u2066 \x7f';
const noRawControl = (where: string, text: string): void => {
  const m = RAW_CONTROL.exec(text);
  if (!m) return;
  const near = JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 40));
  assert.fail(`${where} has a raw U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${near}`);
};

/** `[@,@]` piped into itself n times: 2^n leaves, built in microseconds from shared parts. */
const doubled = (n: number): string => Array(n).fill('[@,@]').join(' | ');

describe('hostile servers and bad input against cpapi', () => {
  let server: https.Server;
  let port = 0;
  let fingerprint = '';
  let handler: Handler = echo;
  let requests = 0;
  const dir = mkdtempSync(join(tmpdir(), 'cpapi-hostile-'));

  before(async () => {
    const cert = await makeCertificate();
    fingerprint = cert.fingerprint256;
    server = https.createServer({ key: cert.key, cert: cert.cert, maxHeaderSize: 1024 * 1024 }, (req, res) => {
      requests++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const target = (auth: Case['auth'] = 'token'): string[] => [
    '--host',
    '127.0.0.1',
    '--service',
    'whm',
    '--port',
    String(port),
    '--user',
    'root',
    '--auth',
    auth,
    '--fingerprint',
    fingerprint,
  ];
  const secretsFor = (auth: Case['auth'] = 'token'): Record<string, string> =>
    auth === 'token' ? { CPANEL_TOKEN: TOKEN } : auth === 'accesshash' ? { CPANEL_ACCESSHASH: HASH } : { CPANEL_PASSWORD: PASSWORD };
  const deepJson = '['.repeat(5000) + ']'.repeat(5000);

  const cases: Case[] = [
    // ── bodies that never end, and timeouts ──
    {
      name: 'a body at one byte a second ends at the --timeout deadline',
      handler: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 1000);
        res.on('close', () => clearInterval(t));
      },
      args: ['--timeout', '2'],
      exit: 4,
      says: /did not finish within 2 seconds/,
    },
    ...['1e308', '0.0001', '1e-9', '0', '-5', '3601', 'soon'].map((t): Case => ({
      name: `--timeout ${t} is a usage error`,
      args: [`--timeout=${t}`],
      exit: 2,
      says: /--timeout must be a number of seconds from 1 to 3600/,
      nothingSent: true,
    })),
    // ── login failures ──
    {
      name: 'a login answered 503 says the server failed, not the password',
      handler: (_q, res) => {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><head><title>cpsrvd is restarting</title></head><body>Service Unavailable</body></html>');
      },
      auth: 'session',
      exit: 4,
      says: /failed while logging in \(HTTP 503: “cpsrvd is restarting”\)/,
      notSaid: /cPHulk|refused the username/,
    },
    {
      name: 'a login answered 500 by a proxy',
      handler: (_q, res) => {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Proxy Error</title></head></html>');
      },
      auth: 'session',
      exit: 4,
      says: /HTTP 500: “502 Proxy Error”/,
      notSaid: /cPHulk/,
    },
    {
      name: 'a login accepted without a token or cookie',
      handler: (_q, res) => json(res, 200, { status: 1 }),
      auth: 'session',
      exit: 3,
      says: /no session token/,
    },
    // ── configuration in our words ──
    {
      name: 'a 17-character TOTP secret',
      env: { CPANEL_TOTP_SECRET: `${TOTP}A` },
      args: ['--otp', 'header'],
      exit: 2,
      says: /17 characters, which no base32 secret has/,
      nothingSent: true,
    },
    {
      name: 'a 1,000-character TOTP secret',
      env: { CPANEL_TOTP_SECRET: 'A'.repeat(1000) },
      args: ['--otp', 'header'],
      exit: 2,
      says: /too long \(1000 characters\)/,
      nothingSent: true,
      notSaid: /exceed 64 bytes/,
    },
    {
      name: 'an API token with a line break',
      env: { CPANEL_TOKEN: `${TOKEN.slice(0, 10)}\r\nX-Evil: 1` },
      exit: 2,
      says: /line break or another control character/,
      nothingSent: true,
    },
    // ── parameters that would rewrite the call ──
    {
      name: 'cpanel_jsonapi_func with --as',
      call: ['call', 'uapi', 'Email/list_pops', 'cpanel_jsonapi_func=add_pop'],
      args: ['--as', 'cptest'],
      exit: 2,
      says: /"cpanel_jsonapi_func" is set by the request itself/,
      nothingSent: true,
    },
    {
      name: 'cpanel_jsonapi_user with --as',
      call: ['call', 'uapi', 'Email/list_pops', 'cpanel_jsonapi_user=asder'],
      args: ['--as', 'cptest'],
      exit: 2,
      says: /"cpanel_jsonapi_user" is set/,
      nothingSent: true,
    },
    {
      name: 'api.version on WHM',
      call: ['call', 'whm', 'listaccts', 'api.version=0'],
      exit: 2,
      says: /"api\.version" is set/,
      nothingSent: true,
    },
    {
      name: 'CPANEL_JSONAPI_FUNC in capitals',
      call: ['call', 'api2', 'Email/listpops', 'CPANEL_JSONAPI_FUNC=addpop'],
      args: ['--as', 'cptest'],
      exit: 2,
      says: /is set by the request itself/,
      nothingSent: true,
    },
    {
      name: 'a parameter name with shell syntax',
      call: ['call', 'whm', 'listaccts', 'x$(touch PWNED)=1'],
      exit: 2,
      says: /is not a parameter name/,
      nothingSent: true,
    },
    // ── answers that are not what they claim ──
    { name: 'JSON nested 5,000 levels deep', handler: (_q, res) => json(res, 200, deepJson), exit: 5, says: /nested more than 256 levels/ },
    {
      name: 'an HTML page where JSON was expected',
      handler: (_q, res) => (res.writeHead(200, { 'content-type': 'text/html' }), res.end('<!DOCTYPE html><html><title>x</title></html>')),
      exit: 5,
      says: /HTML page where JSON was expected/,
    },
    {
      name: 'truncated JSON',
      handler: (_q, res) => json(res, 200, '{"metadata":{"result":1},"data":{"acct":[{"user":"bo'),
      exit: 5,
      says: /not complete JSON/,
    },
    { name: 'an empty 200', handler: (_q, res) => json(res, 200, ''), exit: 5, says: /empty answer/ },
    {
      name: 'a gzip bomb is never inflated',
      handler: (_q, res) =>
        res
          .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
          .end(gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20))),
      exit: 5,
      says: /not valid JSON|text where JSON/,
    },
    {
      name: 'a 100 KB GET answered 431',
      handler: (req, res) => (req.url!.length > 8000 ? json(res, 431, '') : echo(req, res, '')),
      call: ['call', 'whm', 'listaccts', `search=${'x'.repeat(100_000)}`],
      exit: 1,
      says: /too large \(HTTP 431[^)]*\)[^.]*\. Send it as POST/,
    },
    {
      name: 'a redirect to another host is not followed',
      handler: (_q, res) => (res.writeHead(302, { location: 'https://evil.example/steal' }), res.end()),
      exit: 1,
      says: /redirected the call \(HTTP 302 to https:\/\/evil\.example\/steal\)/,
    },
    {
      name: 'a 1 MB response header',
      handler: (_q, res) => (res.writeHead(200, { 'x-big': 'a'.repeat(1024 * 1024) }), res.end('{}')),
      exit: 4,
      says: /failed|closed/,
    },
    {
      name: '5,000 cookies on a login',
      handler: (req, res, body) => {
        if (!req.url?.startsWith('/login')) return echo(req, res, body);
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': Array.from({ length: 5000 }, (_, i) => `c${i}=${i}`) });
        res.end(JSON.stringify({ status: 1, security_token: CPSESS }));
      },
      auth: 'session',
      exit: 4,
      says: /failed|closed/,
    },
    // ── derived secrets echoed back ──
    {
      name: 'an echoed Basic header is redacted',
      handler: echo,
      auth: 'password',
      exit: 0,
      says: /"authorization": "Basic \[redacted\]"/,
      in: 'stdout',
    },
    {
      name: 'an echoed token header is redacted',
      handler: echo,
      auth: 'token',
      exit: 0,
      says: /"authorization": "whm \[redacted\]"/i,
      in: 'stdout',
    },
    {
      name: 'an echoed access hash is redacted',
      handler: echo,
      auth: 'accesshash',
      exit: 0,
      says: /"authorization": "WHM \[redacted\]"/i,
      in: 'stdout',
    },
    {
      name: 'an echoed session cookie and cpsess token are redacted',
      handler: withLogin(echo),
      auth: 'session',
      exit: 0,
      says: /"url": "\/\[redacted\]\/json-api[\s\S]*"cookie": "whostmgrsession=\[redacted\]"/,
      in: 'stdout',
    },
    {
      name: 'an echoed OTP code is redacted',
      handler: echo,
      auth: 'password',
      args: ['--otp', 'header'],
      env: { CPANEL_TOTP_SECRET: TOTP },
      exit: 0,
      says: /"x-cpanel-otp": "\[redacted\]"/,
      in: 'stdout',
    },
    {
      name: '--raw redacts what the server echoed',
      handler: echo,
      auth: 'password',
      args: ['--raw'],
      exit: 0,
      says: /"authorization":"Basic \[redacted\]"/,
      in: 'stdout',
    },
    { name: '--unredacted needs --raw', args: ['--unredacted'], exit: 2, says: /--unredacted goes with --raw/, nothingSent: true },
    // ── JMESPath without bounds ──
    {
      name: 'a --query whose result doubles 40 times is refused at once, not written for minutes',
      handler: echo,
      args: ['--query', doubled(40)],
      exit: 2,
      says: /^cpapi: --query: JMESPath "\[@,@\] \| .*…" gave more than 8 MiB of JSON: narrow the expression\n$/,
      withinMs: 8000,
    },
    {
      name: 'a --query that would run for minutes stops at 2 s, with no --timeout',
      handler: echo,
      args: ['--query', `${doubled(34)} | to_string(@) | length(@)`],
      exit: 2,
      says: /^cpapi: --query: JMESPath ".*" did not finish within 2 s: narrow the expression\n$/,
      withinMs: 10_000,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      handler = c.handler ?? echo;
      const before = requests;
      const auth = c.auth ?? 'token';
      const r = await cpapi([...(c.call ?? ['call', 'whm', 'version']), ...target(auth), ...(c.args ?? [])], {
        ...secretsFor(auth),
        ...c.env,
      });
      const where = c.in === 'stdout' ? r.stdout : r.stderr;
      assert.equal(r.code, c.exit, `exit ${r.code}: ${r.stderr}${r.stdout.slice(0, 600)}`);
      assert.match(where, c.says, where.slice(0, 2000));
      if (c.notSaid) assert.doesNotMatch(r.stdout + r.stderr, c.notSaid);
      if (c.nothingSent) assert.equal(requests, before, 'nothing was sent');
      if (c.withinMs !== undefined) assert.ok(r.ms < c.withinMs, `took ${r.ms} ms`);
      const out = r.stdout + r.stderr;
      for (const secret of [PASSWORD, TOKEN, HASH, TOTP, COOKIE, CPSESS.slice(1), BASIC, encodeURIComponent(PASSWORD)])
        assert.ok(!out.includes(secret), `"${secret}" leaked`);
      assert.doesNotMatch(out, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      assert.doesNotMatch(out, new RegExp(`(?<!\\d)${totpCode(TOTP, Date.now() / 1000)}(?!\\d)`), 'no current OTP code');
    });
  }

  it('--raw --unredacted prints the body exactly as the server sent it', async () => {
    handler = echo;
    const r = await cpapi(['call', 'whm', 'version', ...target('password'), '--raw', '--unredacted'], secretsFor('password'));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(BASIC), 'the echoed Basic value is there, as asked');
  });

  describe('servers files and snippets for cpapi run', () => {
    const servers = (port: unknown): string => {
      const f = join(dir, `servers-${String(Math.random()).slice(2)}.json`);
      writeFileSync(
        f,
        JSON.stringify([
          {
            label: 'h',
            host: '127.0.0.1',
            service: 'whm',
            port,
            username: 'root',
            auth: 'token',
            tls: { mode: 'pinned', fingerprint256: fingerprint },
          },
        ]),
      );
      return f;
    };
    const snippet = (name: string, text: string): string => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const version = JSON.stringify({ version: 1, server: 'h', family: 'whm', function: 'version', params: [] });

    it('a port written as a string is a usage error naming the field', async () => {
      const r = await cpapi(['run', snippet('a.cpanel.json', version), '--servers', servers('2087')], { CPANEL_H_TOKEN: TOKEN });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /"port" must be a number \(such as 2087\), not "2087"/);
    });

    it('a snippet saved with a byte-order mark runs', async () => {
      handler = echo;
      const r = await cpapi(['run', snippet('bom.cpanel.json', `\uFEFF${version}`), '--servers', servers(port)], { CPANEL_H_TOKEN: TOKEN });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 passed, 0 failed/);
    });

    it('a snippet linked to a key file says where it breaks, never what it holds', async () => {
      const key = snippet('id_rsa', 'ssh-rsa-AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 secret-key-material\n');
      const link = join(dir, 'key.cpanel.json');
      symlinkSync(key, link);
      const r = await cpapi(['run', link, '--servers', servers(port)], { CPANEL_H_TOKEN: TOKEN });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /not a valid snippet: the JSON is not valid there \(line 1, column 1\)/);
      assert.doesNotMatch(r.stdout + r.stderr, /ssh-rsa|secret-key-material/);
    });

    const GITHUB_TOKEN = 'ghp_FAKE0123456789abcdefGHIJKLMNOPQRSTUV';
    const leaks: [string, object][] = [
      ['a parameter', { family: 'whm', function: 'listaccts', params: [{ name: 'search', value: '${env:GITHUB_TOKEN}' }] }],
      ['expect', { family: 'whm', function: 'listaccts', params: [], expect: [{ jmespath: "data.url == '${env:GITHUB_TOKEN}'" }] }],
      ['account', { family: 'uapi', function: 'Email/list_pops', account: '${env:GITHUB_TOKEN}', params: [] }],
      ['server', { server: '${env:GITHUB_TOKEN}', family: 'whm', function: 'version', params: [] }],
    ];
    for (const [where, fields] of leaks) {
      it(`\${env:GITHUB_TOKEN} in ${where} stops the run (exit 2) naming the variable; the token is never printed or sent`, async () => {
        handler = echo;
        const before = requests;
        const junit = join(dir, `leak-${where.replace(/\W/g, '')}.xml`);
        const file = snippet(`leak-${where.replace(/\W/g, '')}.cpanel.json`, JSON.stringify({ version: 1, server: 'h', ...fields }));
        const r = await cpapi(['run', file, '--servers', servers(port), '--reporter', 'junit', '--output', junit], {
          CPANEL_H_TOKEN: TOKEN,
          GITHUB_TOKEN,
        });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(
          r.stderr,
          /\$\{env:GITHUB_TOKEN\} is not an allowed environment variable: snippets may read CPANEL_\* variables and the ones you allow with --allow-env GITHUB_TOKEN/,
        );
        assert.equal(requests, before, 'nothing was sent');
        assert.ok(!(r.stdout + r.stderr).includes(GITHUB_TOKEN) && !(r.stdout + r.stderr).includes('ghp_'), 'the token was not printed');
        assert.ok(!existsSync(junit) || !readFileSync(junit, 'utf8').includes(GITHUB_TOKEN), 'nor written to the report');
      });
    }

    it('a value from an allowed variable is redacted from the lines and the JUnit report', async () => {
      handler = echo;
      const junit = join(dir, 'allowed.xml');
      const file = snippet(
        'allowed.cpanel.json',
        JSON.stringify({
          version: 1,
          server: 'h',
          family: 'whm',
          function: 'listaccts',
          params: [{ name: 'search', value: '${env:GITHUB_TOKEN}' }],
          expect: [{ jmespath: "data.url == '${env:GITHUB_TOKEN}'" }],
        }),
      );
      const r = await cpapi(
        ['run', file, '--servers', servers(port), '--allow-env', 'GITHUB_TOKEN', '--reporter', 'junit', '--output', junit],
        { CPANEL_H_TOKEN: TOKEN, GITHUB_TOKEN },
      );
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL .*allowed\.cpanel\.json[\s\S]*expect\[0\] jmespath: data\.url == '\[redacted\]'/);
      const xml = readFileSync(junit, 'utf8');
      assert.match(xml, /\[redacted\]/);
      for (const text of [r.stdout, r.stderr, xml])
        assert.ok(!text.includes(GITHUB_TOKEN) && !text.includes(encodeURIComponent(GITHUB_TOKEN)), 'the value was not printed');
    });

    describe('uploads stay in the workspace', () => {
      const ws = join(dir, 'ws');
      before(() => {
        mkdirSync(join(ws, '.git'), { recursive: true });
        mkdirSync(join(ws, 'snips'), { recursive: true });
        writeFileSync(join(dir, 'id_rsa_outside'), 'PRIVATE-KEY-MATERIAL-OUTSIDE\n');
        symlinkSync(join(dir, 'id_rsa_outside'), join(ws, 'report.csv'));
        execFileSync('mkfifo', [join(ws, 'fifo.csv')]);
      });
      const upload = (name: string, path: string): string =>
        join(
          ws,
          'snips',
          writeAndName(
            name,
            JSON.stringify({
              version: 1,
              server: 'h',
              family: 'whm',
              function: 'version',
              params: [],
              body: { files: [{ name: 'file-1', path }] },
            }),
          ),
        );
      const writeAndName = (name: string, text: string): string => {
        writeFileSync(join(ws, 'snips', name), text);
        return name;
      };

      it('a body.files link to a file outside the workspace is refused naming the file, and nothing is sent', async () => {
        handler = echo;
        const before = requests;
        // Run from the workspace, where a path checked only as text resolves to the link.
        const r = await cpapi(
          ['run', upload('link.cpanel.json', 'report.csv'), '--servers', servers(port)],
          { CPANEL_H_TOKEN: TOKEN },
          20_000,
          ws,
        );
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /body\.files: "report\.csv" \(for "file-1"\) leads outside the workspace folder .*Nothing was sent/);
        assert.equal(requests, before, 'nothing was sent');
        assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE-KEY-MATERIAL/);
      });

      it('a FIFO is refused without being opened (no hang), and nothing is sent', async () => {
        handler = echo;
        const before = requests;
        const r = await cpapi(
          ['run', upload('fifo.cpanel.json', 'fifo.csv'), '--servers', servers(port)],
          { CPANEL_H_TOKEN: TOKEN },
          10_000,
          ws,
        );
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /"fifo\.csv" \(for "file-1"\) is not a regular file/);
        assert.equal(requests, before, 'nothing was sent');
      });
    });

    it('a snippet whose parameters would rewrite the call is refused, and nothing is sent', async () => {
      const before = requests;
      const text = JSON.stringify({
        version: 1,
        server: 'h',
        family: 'uapi',
        function: 'Email/list_pops',
        account: 'cptest',
        params: [{ name: 'cpanel_jsonapi_func', value: 'add_pop' }],
      });
      const r = await cpapi(['run', snippet('rewrite.cpanel.json', text), '--servers', servers(port)], { CPANEL_H_TOKEN: TOKEN });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /malformed_snippet[\s\S]*"cpanel_jsonapi_func" is set by the request itself/);
      assert.equal(requests, before);
    });
  });

  describe('terminal escapes from servers and files are shown escaped, never acted on', () => {
    const evilWhm: Handler = (_q, res) => json(res, 200, { metadata: { result: 0, reason: EVIL, version: 1, command: 'version' } });
    const evilHtml: Handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><title>${EVIL}</title><body>${EVIL}</body></html>`);
    };
    const evil500: Handler = (_q, res) => (
      res.writeHead(500, { 'content-type': 'text/html' }),
      res.end(`<html><head><title>${EVIL}</title></head></html>`)
    );
    const call = (extra: string[] = []): Promise<Run> =>
      cpapi(['call', 'whm', 'version', ...target('token'), ...extra], secretsFor('token'));

    it("cpapi call: an API error's reason, in the hint and in the JSON (valid, and equal in value)", async () => {
      handler = evilWhm;
      const r = await call();
      assert.equal(r.code, 1, r.stderr);
      noRawControl('stderr', r.stderr);
      noRawControl('stdout', r.stdout);
      assert.match(r.stderr, /Bad\\u001b\[31mred\\u001b\[0m \\u001b\]8;;https:\/\/evil\.example\/\\u001b\\link/);
      assert.match(r.stderr, /\\u001b\]52;c;cm0gLXJmIH4=\\u0007 \\u009b2J \\u0085 \\rOVERWRITTEN \\u202eevil\\u2066 \\u007f/);
      const parsed = JSON.parse(r.stdout) as { errors: string[] };
      assert.equal(parsed.errors[0], EVIL, 'the JSON holds the very text the server sent');
    });

    for (const [name, h, exit] of [
      ['an HTML page where JSON was expected', evilHtml, 5],
      ['an HTTP 500 page', evil500, 1],
    ] as const) {
      it(`cpapi call: ${name}`, async () => {
        handler = h;
        const r = await call();
        assert.equal(r.code, exit, r.stderr);
        noRawControl('stderr', r.stderr);
        noRawControl('stdout', r.stdout);
        assert.match(r.stderr, /\\u001b/);
      });
    }

    it('cpapi call --query and --raw: neutralized on a terminal, byte-exact when piped', async () => {
      handler = evilWhm;
      const q = await call(['--query', 'metadata.reason']);
      noRawControl('--query stdout', q.stdout);
      assert.equal(JSON.parse(q.stdout), EVIL);
      // An HTML body holds the raw characters (JSON from a server would carry ESC as \\u001b already).
      handler = evilHtml;
      const piped = await call(['--raw']);
      assert.equal(piped.code, 5, piped.stderr);
      assert.ok(piped.stdout.includes(`<title>${EVIL}</title>`), 'piped, --raw is the body as the server sent it');
      noRawControl('--raw stderr', piped.stderr);
      // On a terminal (script(1) gives cpapi a pseudo-terminal; the terminal itself turns \n into \r\n).
      const shell = [process.execPath, CLI, 'call', 'whm', 'version', ...target('token'), '--raw']
        .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
        .join(' ');
      // Not spawnSync: this process is the server too.
      const tty = await new Promise<{ missing: boolean; stdout: string }>((done) => {
        execFile(
          'script',
          ['-qec', shell, '/dev/null'],
          { env: { PATH: process.env.PATH ?? '', ...secretsFor('token') }, timeout: 20_000 },
          (err, stdout) => {
            done({ missing: (err as { code?: unknown } | null)?.code === 'ENOENT', stdout });
          },
        );
      });
      if (tty.missing) return; // no script(1) here
      const shown = tty.stdout.replace(/\r\n/g, '\n');
      noRawControl('--raw on a terminal', shown);
      assert.match(shown, /Bad\\u001b\[31mred/);
    });

    it('cpapi call: a certificate subject with bidi overrides, in a TLS error', async () => {
      const cert = await makeCertificate('evil\u202eten.elpmaxe\u2066.test');
      const tls = https.createServer({ key: cert.key, cert: cert.cert }, (_q, res) => res.end('{}'));
      await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
      try {
        const tlsPort = String((tls.address() as AddressInfo).port);
        const args = [
          'call',
          'whm',
          'version',
          '--host',
          '127.0.0.1',
          '--service',
          'whm',
          '--port',
          tlsPort,
          '--user',
          'root',
          '--auth',
          'token',
        ];
        const r = await cpapi(args, secretsFor('token'));
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, /evil\\u202eten\.elpmaxe\\u2066\.test/);
        noRawControl('stderr', r.stderr);
      } finally {
        tls.closeAllConnections();
        await new Promise((r) => tls.close(r));
      }
    });

    describe('cpapi run and fanout', () => {
      const evilDir = mkdtempSync(join(tmpdir(), 'cpapi-escapes-'));
      const serversFile = join(evilDir, 'servers.json');
      // A file name can hold ESC too: the file's own name is text that did not come from us.
      const evilName = 'evil\x1b]8;;https:evil.example\x1b\\name\u009b.cpanel.json';
      before(() => {
        const tls = { mode: 'pinned', fingerprint256: fingerprint };
        writeFileSync(
          serversFile,
          JSON.stringify([{ label: 'h', host: '127.0.0.1', service: 'whm', port, username: 'root', auth: 'token', tls }]),
        );
        const expect = [{ ok: true }, { jmespath: 'metadata.reason == `"OK"`' }];
        writeFileSync(
          join(evilDir, evilName),
          JSON.stringify({ version: 1, server: 'h', family: 'whm', function: 'version', params: [], expect }),
        );
      });
      const run = (extra: string[]): Promise<Run> =>
        cpapi(['run', join(evilDir, evilName), '--servers', serversFile, ...extra], { CPANEL_H_TOKEN: TOKEN });

      it('lines, TAP', async () => {
        handler = evilWhm;
        for (const extra of [[], ['--reporter', 'tap']]) {
          const r = await run(extra);
          assert.equal(r.code, 1, r.stdout + r.stderr);
          noRawControl(`run ${extra.join(' ')} stdout`, r.stdout);
          noRawControl(`run ${extra.join(' ')} stderr`, r.stderr);
          assert.match(r.stdout, /evil\\u001b\]8;;https:evil\.example\\u001b\\name\\u009b\.cpanel\.json/);
          assert.match(r.stdout, /\\u009b2J/);
        }
      });

      it('JSON: valid and equal in value; JUnit: well-formed and valid, on stdout and in the --output file', async () => {
        handler = evilWhm;
        const j = await run(['--reporter', 'json']);
        noRawControl('json stdout', j.stdout);
        const report = JSON.parse(j.stdout) as { results: { file: string; errors: string[] }[] };
        assert.ok(report.results[0]!.file.endsWith(evilName));
        assert.equal(report.results[0]!.errors[0], EVIL);
        const x = await run(['--reporter', 'junit']);
        noRawControl('junit stdout', x.stdout);
        const out = join(evilDir, 'report.xml');
        const written = await run(['--reporter', 'junit', '--output', out]);
        noRawControl('lines beside the report', written.stdout);
        noRawControl('junit file', readFileSync(out, 'utf8'));
        const xsd = resolve(__dirname, '../../../test/fixtures/junit.xsd');
        for (const [where, input] of [
          ['stdout', x.stdout],
          ['file', undefined],
        ] as const) {
          const args = ['--noout', '--schema', xsd, input === undefined ? out : '-'];
          const lint = spawnSync('xmllint', args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
          if (lint.error) return; // no xmllint here
          assert.equal(lint.status, 0, `xmllint (${where}): ${lint.stderr}`);
        }
      });

      it('fanout: lines and --jsonl', async () => {
        handler = evilWhm;
        const lines = await cpapi(['fanout', 'whm', 'version', '--servers', serversFile], { CPANEL_H_TOKEN: TOKEN });
        assert.equal(lines.code, 1, lines.stdout + lines.stderr);
        noRawControl('fanout stdout', lines.stdout);
        assert.match(lines.stdout, /\\u009b2J/);
        const jsonl = await cpapi(['fanout', 'whm', 'version', '--servers', serversFile, '--jsonl'], { CPANEL_H_TOKEN: TOKEN });
        noRawControl('fanout --jsonl stdout', jsonl.stdout);
        noRawControl('fanout --jsonl stderr', jsonl.stderr);
        const line = JSON.parse(jsonl.stdout.trim().split('\n')[0]!) as { errors: string[] };
        assert.equal(line.errors[0], EVIL);
      });
    });
  });
});
