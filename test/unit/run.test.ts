import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serializeSnippet } from '../../src/core/snippets';
import type { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { CREDS, startSandbox } from '../helpers/sandbox';

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
          {
            label: 'cptest-2fa',
            host: '127.0.0.1',
            service: 'cpanel',
            port: sb.port('cpanel'),
            username: 'cptest',
            auth: 'session',
            twoFactor: 'session',
            tls,
          },
        ],
      }),
    );
    const snippets = join(dir, 'snippets');
    mkdirSync(join(snippets, 'mail'), { recursive: true });
    const write = (name: string, s: object | string): void =>
      writeFileSync(join(snippets, name), typeof s === 'string' ? s : serializeSnippet(s as never));
    write('a-listaccts.cpanel.json', { version: 1, server: 'prod-whm', family: 'whm', function: 'listaccts', method: 'GET', params: [] });
    write('mail/b-list.cpanel.json', {
      version: 1,
      server: 'cptest-2fa',
      family: 'uapi',
      function: 'Email/list_pops',
      method: 'GET',
      params: [],
    });
    write('mail/c-add.cpanel.json', {
      version: 1,
      server: 'prod-whm',
      family: 'uapi',
      function: 'Email/add_pop',
      account: 'cptest',
      method: 'POST',
      params: [
        { name: 'email', value: 'newbox' },
        { name: 'password', value: '${env:MAILBOX_PASSWORD}' },
      ],
    });
    write('notes.txt', 'not a snippet');
  });
  after(async () => {
    await sb.stop();
  });

  it('runs every snippet in a folder, one line each, exit 0', async () => {
    const r = await cpapi(['run', 'snippets', '--servers', 'servers.json', '--allow-env', 'MAILBOX_PASSWORD'], env(), dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^ok\s+ok\s+\d+ ms {2}snippets\/a-listaccts\.cpanel\.json {2}\(whm listaccts on prod-whm\)$/);
    assert.match(lines[1]!, /^ok .*snippets\/mail\/b-list\.cpanel\.json/);
    assert.match(lines[2]!, /^ok .*c-add\.cpanel\.json {2}\(uapi Email\/add_pop as cptest on prod-whm\)/);
    assert.equal(lines.at(-1), '3 passed, 0 failed');
    assert.ok(
      sb.mail.some((m) => m.email === 'newbox@cptest.example'),
      'the placeholder was filled from the environment',
    );
    assert.ok(!r.stdout.includes('Mailbox-Pass-123') && !r.stdout.includes(CREDS.root.whmToken));
  });

  it('--json gives a machine-readable report; a failing snippet makes the exit non-zero', async () => {
    writeFileSync(
      join(dir, 'snippets', 'mail', 'c-add.cpanel.json'),
      serializeSnippet({
        version: 1,
        server: 'prod-whm',
        family: 'uapi',
        function: 'Email/add_pop',
        account: 'cptest',
        method: 'POST',
        params: [
          { name: 'email', value: 'newbox' },
          { name: 'password', value: '${env:MAILBOX_PASSWORD}' },
        ],
      }),
    );
    const r = await cpapi(['run', 'snippets', '--servers', 'servers.json', '--json', '--allow-env', 'MAILBOX_*'], env(), dir);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      passed: number;
      failed: number;
      results: { file: string; ok: boolean; kind: string; errors: string[] }[];
    };
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
    writeFileSync(
      join(bad, '2-unknown.cpanel.json'),
      serializeSnippet({ version: 1, server: 'nowhere', family: 'whm', function: 'version', method: 'GET', params: [] }),
    );
    writeFileSync(
      join(bad, '3-remove.cpanel.json'),
      serializeSnippet({
        version: 1,
        server: 'prod-whm',
        family: 'whm',
        function: 'removeacct',
        method: 'GET',
        params: [{ name: 'user', value: 'bob' }],
      }),
    );
    writeFileSync(
      join(bad, '4-nosecret.cpanel.json'),
      serializeSnippet({ version: 1, server: 'cptest-2fa', family: 'uapi', function: 'Ftp/list_ftp', method: 'GET', params: [] }),
    );
    const r = await cpapi(['run', 'bad', '--servers', 'servers.json'], { CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken }, dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}malformed_snippet .*1-broken[\s\S]*not a valid snippet[^\n]*line 1, column/);
    assert.match(r.stdout, /No server is labelled "nowhere"\. Add it to the servers file/);
    assert.match(r.stdout, /removeacct removes, suspends, revokes or resets something: run it only with --allow-destructive/);
    assert.match(r.stdout, /needs the CPANEL_CPTEST_2FA_PASSWORD environment variable/);
    assert.match(r.stdout, /0 passed, 4 failed/);
    assert.ok(
      sb.accounts.some((a) => a.user === 'bob'),
      'nothing was removed',
    );
  });

  it('a snippet reading a variable that is not CPANEL_* and not allowed stops the run (exit 2) before anything is sent', async () => {
    const before = sb.log.length;
    const r = await cpapi(['run', 'snippets', '--servers', 'servers.json'], env(), dir);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /snippets\/mail\/c-add\.cpanel\.json: \$\{env:MAILBOX_PASSWORD\} is not an allowed environment variable: .* --allow-env MAILBOX_PASSWORD/,
    );
    assert.equal(r.stdout, '');
    assert.equal(sb.log.length, before, 'not even the snippets before it were sent');
    for (const bad of ['*', 'A-B', '$(x)']) {
      const u = await cpapi(['run', 'snippets', '--servers', 'servers.json', '--allow-env', bad], env(), dir);
      assert.equal(u.code, 2, bad);
      assert.match(u.stderr, /--allow-env .*: give an environment variable name/);
    }
  });

  it('refuses a servers file with secrets in it', async () => {
    writeFileSync(
      join(dir, 'leaky.json'),
      JSON.stringify([{ label: 'x', host: 'h.example', service: 'whm', port: 2087, username: 'root', auth: 'token', token: 'abc' }]),
    );
    const r = await cpapi(['run', 'snippets', '--servers', 'leaky.json'], {}, dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /secrets never go in the servers file/);
  });

  describe('environments, captured values, checks and reports', () => {
    let chain: string;
    before(() => {
      chain = join(dir, 'chain');
      mkdirSync(chain, { recursive: true });
      mkdirSync(join(dir, '.vscode', 'cpanel'), { recursive: true });
      writeFileSync(
        join(dir, '.vscode', 'cpanel', 'environments.json'),
        JSON.stringify({
          environments: {
            staging: { whm: 'prod-whm', account: 'cptest', mailbox: 'chainbox', mailPassword: { secret: true } },
            other: { whm: 'prod-whm', account: 'bob', mailbox: 'x' },
          },
        }),
      );
      // 1: create a mailbox and capture its address; 2: list mailboxes and check the captured one is there.
      writeFileSync(
        join(chain, '1-add.cpanel.json'),
        serializeSnippet({
          version: 1,
          server: '${whm}',
          family: 'uapi',
          function: 'Email/add_pop',
          account: '${account}',
          method: 'POST',
          params: [
            { name: 'email', value: '${mailbox}' },
            { name: 'password', value: '${mailPassword}' },
          ],
          capture: { created: 'data' },
          expect: [{ ok: true }, { status: 200 }],
        }),
      );
      writeFileSync(
        join(chain, '2-list.cpanel.json'),
        serializeSnippet({
          version: 1,
          server: '${whm}',
          family: 'uapi',
          function: 'Email/list_pops',
          account: '${account}',
          method: 'GET',
          params: [],
          expect: [{ ok: true }, { jmespath: "data[?email=='${created}'] | length(@) == `1`" }, { maxMs: 60000 }],
        }),
      );
    });
    const secretEnv = (): Record<string, string> => ({ ...env(), CPANEL_ENV_STAGING_MAILPASSWORD: 'Chain-Pass-456' });

    it('a chain passes: the environment fills the variables, the first snippet captures, the second checks it', async () => {
      const r = await cpapi(['run', 'chain', '--servers', 'servers.json', '--env', 'staging'], secretEnv(), dir);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^ok .*chain\/1-add\.cpanel\.json {2}\(uapi Email\/add_pop as cptest on prod-whm\) {2}2\/2 checks$/m);
      assert.match(r.stdout, /^ok .*chain\/2-list\.cpanel\.json .* {2}3\/3 checks$/m);
      assert.ok(sb.mail.some((m) => m.email === 'chainbox@cptest.example'));
      assert.ok(!r.stdout.includes('Chain-Pass-456'));
    });

    it('the same chain fails when the mailbox exists: each failed check is named, and the exit is 1', async () => {
      const r = await cpapi(['run', 'chain', '--servers', 'servers.json', '--env', 'staging'], secretEnv(), dir);
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /^FAIL {2}api_error .*1-add\.cpanel\.json.* 1\/2 checks\n {6}expect\[0\] ok: true: expected ok to be true, but the call failed \(api_error/m,
      );
      // Nothing was captured, so the second snippet cannot be filled in, and says why.
      assert.match(
        r.stdout,
        /2-list\.cpanel\.json: The snippet uses \$\{created\} \(in .*\), which is not defined: the environment "staging" does not define it and no snippet before it captured it/,
      );
    });

    it('a secret variable missing from the environment names the variable to set', async () => {
      const r = await cpapi(['run', 'chain/1-add.cpanel.json', '--servers', 'servers.json', '--env', 'staging'], env(), dir);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /it is a secret of the environment "staging": .* set CPANEL_ENV_STAGING_MAILPASSWORD/);
    });

    it('--reporter junit writes JUnit XML that validates against the schema, one testcase per snippet, a failure per failed check', async () => {
      const out = join(dir, 'report.xml');
      const r = await cpapi(
        [
          'run',
          'chain',
          'snippets/a-listaccts.cpanel.json',
          '--servers',
          'servers.json',
          '--env',
          'staging',
          '--reporter',
          'junit',
          '--output',
          out,
        ],
        secretEnv(),
        dir,
      );
      assert.equal(r.code, 1);
      assert.match(r.stdout, /1 passed, 2 failed/, 'the lines still go to stdout beside the report');
      const xsd = resolve(__dirname, '../../../test/fixtures/junit.xsd');
      const lint = spawnSync('xmllint', ['--noout', '--schema', xsd, out], { encoding: 'utf8' });
      assert.equal(lint.status, 0, `xmllint: ${lint.stderr}`);
      const xml = readFileSync(out, 'utf8');
      assert.match(xml, /<testsuites name="cpapi run" tests="3" failures="1" errors="1"/);
      assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
      assert.match(xml, /<failure message="expect\[0\] ok: true" type="assertion">expected ok to be true/);
      assert.match(xml, /<error message="chain\/2-list\.cpanel\.json: The snippet uses \$\{created\}/);
      assert.match(xml, /<testcase name="snippets\/a-listaccts\.cpanel\.json" classname="whm listaccts on prod-whm" time="[\d.]+"\/>/);
    });

    it('--reporter tap and json print the report on stdout', async () => {
      const tap = await cpapi(['run', 'chain', '--servers', 'servers.json', '--env', 'staging', '--reporter', 'tap'], secretEnv(), dir);
      assert.equal(tap.code, 1);
      const lines = tap.stdout.split('\n');
      assert.deepEqual(lines.slice(0, 3), [
        'TAP version 13',
        '1..2',
        'not ok 1 - chain/1-add.cpanel.json (uapi Email/add_pop as cptest on prod-whm)',
      ]);
      assert.ok(lines.includes('  ---') && lines.includes('  ...'));
      assert.ok(lines.some((l) => /^not ok 2 - chain\/2-list\.cpanel\.json/.test(l)));
      const json = await cpapi(['run', 'snippets/a-listaccts.cpanel.json', '--servers', 'servers.json', '--reporter', 'json'], env(), dir);
      assert.equal(json.code, 0);
      const report = JSON.parse(json.stdout) as { ok: boolean; results: { checks: unknown[]; captured: string[] }[] };
      assert.equal(report.ok, true);
      assert.deepEqual(report.results[0]!.checks, []);
    });

    it('an environments file value "${env:NAME}" is read only when allowed, and never printed', async () => {
      const envDir = join(dir, 'from-env');
      mkdirSync(envDir, { recursive: true });
      const envFile = join(envDir, 'environments.json');
      writeFileSync(envFile, JSON.stringify({ environments: { ci: { whm: 'prod-whm', who: '${env:DEPLOY_SEARCH}' } } }));
      writeFileSync(
        join(envDir, 'find.cpanel.json'),
        serializeSnippet({
          version: 1,
          server: '${whm}',
          family: 'whm',
          function: 'listaccts',
          method: 'GET',
          params: [{ name: 'search', value: '${who}' }],
          expect: [{ jmespath: "data.acct[0].user == '${who}'" }, { jmespath: 'length(data.acct) == `2`' }],
        }),
      );
      const args = ['run', 'from-env/find.cpanel.json', '--servers', 'servers.json', '--env', 'ci', '--environments', envFile];
      const before = sb.log.length;
      const refused = await cpapi(args, { ...env(), DEPLOY_SEARCH: 'cptest' }, dir);
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        /\$\{env:DEPLOY_SEARCH\} \(in the environment "ci", for \$\{who\}\) is not an allowed environment variable/,
      );
      assert.equal(sb.log.length, before);
      const allowed = await cpapi([...args, '--allow-env', 'DEPLOY_SEARCH'], { ...env(), DEPLOY_SEARCH: 'cptest' }, dir);
      assert.equal(allowed.code, 1, allowed.stdout + allowed.stderr);
      // A value from the environment is a secret: it went, in a POST body, never in the URL.
      const sent = sb.requests('listaccts').at(-1)!;
      assert.equal(sent.method, 'POST');
      assert.match(sent.body, /search=cptest/, 'the value was sent');
      assert.doesNotMatch(sent.path, /cptest/);
      // Shown redacted in the lines: the check that failed names the expression as filled, without the value.
      assert.match(allowed.stdout, /expect\[1\] jmespath: length\(data\.acct\) == `2`/);
      assert.ok(!allowed.stdout.includes('cptest'), allowed.stdout);
    });

    it('usage errors: unknown environment, unknown reporter, --output without a reporter, no environments file', async () => {
      const cases: [string[], RegExp][] = [
        [['--env', 'nope'], /--env nope: \.vscode\/cpanel\/environments\.json has the environments staging, other/],
        [['--reporter', 'xml'], /--reporter must be one of junit, tap, json/],
        [['--output', 'x.xml'], /--output names the file for a report/],
        [['--env', 'staging', '--environments', 'missing.json'], /no environments file at missing\.json/],
        [['--json', '--reporter', 'tap'], /either --json or --reporter/],
      ];
      for (const [extra, message] of cases) {
        const r = await cpapi(['run', 'chain', '--servers', 'servers.json', ...extra], env(), dir);
        assert.equal(r.code, 2, extra.join(' '));
        assert.match(r.stderr, message);
      }
    });

    it('a snippet whose expect or capture blows up fails that check clearly, within the bound, and the run goes on', async () => {
      const blowup = join(dir, 'blowup');
      mkdirSync(blowup, { recursive: true });
      const doubled = (n: number): string => Array(n).fill('[@,@]').join(' | ');
      const listaccts = {
        version: 1 as const,
        server: 'prod-whm',
        family: 'whm' as const,
        function: 'listaccts',
        method: 'GET' as const,
        params: [],
      };
      const slow = `${doubled(34)} | to_string(@) | length(@) > \`0\``;
      const blowing = { ...listaccts, expect: [{ ok: true }, { jmespath: slow }], capture: { big: doubled(40) } };
      writeFileSync(join(blowup, '1-blowup.cpanel.json'), serializeSnippet(blowing));
      writeFileSync(
        join(blowup, '2-next.cpanel.json'),
        serializeSnippet({ ...listaccts, expect: [{ jmespath: 'length(data.acct) > `0`' }] }),
      );
      const started = Date.now();
      const r = await cpapi(['run', 'blowup', '--servers', 'servers.json'], env(), dir);
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /^FAIL {2}ok .*1-blowup\.cpanel\.json .* 1\/2 checks\n {6}expect\[1\] jmespath: \[@,@\] .*: JMESPath ".*" did not finish/m,
      );
      assert.match(r.stdout, /did not finish within 2 s: narrow the expression$/m);
      assert.match(r.stdout, /^ok .*2-next\.cpanel\.json .* 1\/1 checks$/m);
      assert.match(r.stdout, /^1 passed, 1 failed$/m);
      const json = await cpapi(['run', 'blowup/1-blowup.cpanel.json', '--servers', 'servers.json', '--json'], env(), dir);
      const report = JSON.parse(json.stdout) as { results: { errors: string[] }[] };
      assert.match(
        report.results[0]!.errors.join('\n'),
        /capture "big": JMESPath ".*" gave more than 8 MiB of JSON: narrow the expression/,
      );
    });

    it('a snippet with a malformed expression is refused naming the file and the field', async () => {
      writeFileSync(
        join(dir, 'bad-expr.cpanel.json'),
        JSON.stringify({
          version: 1,
          server: 'prod-whm',
          family: 'whm',
          function: 'listaccts',
          params: [],
          expect: [{ jmespath: 'data.acct[?' }],
        }),
      );
      const r = await cpapi(['run', 'bad-expr.cpanel.json', '--servers', 'servers.json'], env(), dir);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /bad-expr\.cpanel\.json: expect\[0\]\.jmespath: it is not a valid JMESPath expression/);
    });
  });
});
