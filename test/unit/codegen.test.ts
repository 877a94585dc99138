import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiRequest } from '../../src/core/api/request';
import { generate, LANGUAGES, onServerCommand, type Language } from '../../src/core/codegen';
import { CallFailure } from '../../src/core/result';
import type { ServerProfile } from '../../src/core/servers';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

const RUNNERS: Record<Language, [string, string]> = {
  curl: ['/bin/sh', 'call.sh'],
  perl: ['/usr/bin/perl', 'call.pl'],
  php: ['/usr/bin/php', 'call.php'],
  // Debian's python3, where python3-requests is installed (scripts/setup.sh).
  python: ['/usr/bin/python3', 'call.py'],
  // The Node that runs the tests; undici from this project's node_modules, as a user's npm install gives it.
  node: [process.execPath, 'call.js'],
};

function run(
  language: Language,
  code: string,
  env: Record<string, string>,
  dir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [bin, file] = RUNNERS[language];
  writeFileSync(join(dir, file), code);
  return new Promise((done) => {
    execFile(
      bin,
      [file],
      { cwd: dir, env: { PATH: '/usr/bin:/bin', NODE_PATH: join(__dirname, '../../../node_modules'), ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('generated code runs against the sandbox and gets the same answer', () => {
  let sb: Sandbox;
  let dir: string;
  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-codegen-'));
    writeFileSync(join(dir, 'server.pem'), sb.certPem);
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  const cases: { name: string; p: () => ServerProfile; req: ApiRequest; env: Record<string, string> }[] = [
    {
      name: 'WHM token',
      p: () => profile(sb, 'whm', { auth: 'token' }),
      req: { family: 'whm', function: 'listaccts', params: [['search', 'bob']] },
      env: { CPANEL_TOKEN: CREDS.root.whmToken },
    },
    {
      name: 'access hash',
      p: () => profile(sb, 'whm', { auth: 'accesshash' }),
      req: { family: 'whm', function: 'version', params: [] },
      env: { CPANEL_ACCESSHASH: CREDS.root.accessHash },
    },
    {
      name: 'password with a 2FA header',
      p: () => profile(sb, 'cpanel', { username: 'cptest', twoFactor: 'header' }),
      req: { family: 'uapi', module: 'Email', function: 'list_pops', params: [] },
      env: { CPANEL_PASSWORD: CREDS.cptest.password, CPANEL_TOTP_SECRET: CREDS.cptest.tfaSecret },
    },
    {
      name: 'session login with 2FA at login',
      p: () => profile(sb, 'cpanel', { username: 'cptest', auth: 'session', twoFactor: 'session' }),
      req: { family: 'uapi', module: 'Ftp', function: 'list_ftp', params: [] },
      env: { CPANEL_PASSWORD: CREDS.cptest.password, CPANEL_TOTP_SECRET: CREDS.cptest.tfaSecret },
    },
    {
      name: 'cPanel token, POST, repeated keys and awkward values',
      p: () => profile(sb, 'cpanel', { auth: 'token' }),
      req: {
        family: 'uapi',
        module: 'Notes',
        function: 'echo',
        params: [
          ['d', 'it\'s a "test" & more'],
          ['d', 'two'],
          ['flag', true],
        ],
        method: 'POST',
      },
      env: { CPANEL_TOKEN: CREDS.bob.cpanelToken },
    },
    {
      name: 'API 2 through WHM over plain HTTP',
      p: () => profile(sb, 'whm', { secure: false }),
      req: { family: 'api2', module: 'Email', function: 'listpops', params: [], asUser: 'cptest' },
      env: { CPANEL_PASSWORD: CREDS.root.password },
    },
  ];

  for (const c of cases) {
    for (const language of LANGUAGES) {
      it(`${language}: ${c.name}`, async () => {
        const prof = c.p();
        const expected = await client(prof, {
          password: c.env.CPANEL_PASSWORD,
          token: c.env.CPANEL_TOKEN,
          accessHash: c.env.CPANEL_ACCESSHASH,
          totpSecret: c.env.CPANEL_TOTP_SECRET,
        }).call(c.req);
        assert.equal(expected.kind, 'ok', expected.hint);
        const code = generate(language, prof, c.req);
        for (const secret of Object.values(c.env)) assert.ok(!code.includes(secret), 'no secret in generated code');
        const r = await run(language, code, c.env, dir);
        assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n--- code ---\n${code}`);
        const answer = JSON.parse(r.stdout) as { data?: unknown; result?: { data: unknown }; cpanelresult?: { data: unknown } };
        const data = c.req.asUser !== undefined ? (c.req.family === 'api2' ? answer.cpanelresult?.data : answer.result?.data) : answer.data;
        assert.deepEqual(data, expected.data);
      });
    }
  }

  describe('JSON bodies and uploads', () => {
    const report = 'a,b\n1,2\n'.repeat(500);
    for (const language of ['curl', 'python', 'node'] as const) {
      it(`${language}: a JSON body (session login with 2FA) and an upload (token) reach the sandbox as the client sends them`, async () => {
        const session = profile(sb, 'cpanel', { username: 'cptest', auth: 'session', twoFactor: 'session' });
        const env = { CPANEL_PASSWORD: CREDS.cptest.password, CPANEL_TOTP_SECRET: CREDS.cptest.tfaSecret };
        const json: ApiRequest = {
          family: 'uapi',
          module: 'Personalization',
          function: 'set',
          params: [['note', "it's"]],
          body: { kind: 'json', text: JSON.stringify({ personalization: { [`${language}_theme`]: 'da\'rk "x" $(touch PWNED)' } }) },
        };
        const r1 = await run(language, generate(language, session, json), env, dir);
        assert.equal(r1.code, 0, r1.stderr);
        assert.equal((JSON.parse(r1.stdout) as { status: number }).status, 1, r1.stdout);
        const sent = sb.requests('/Personalization/set').at(-1)!;
        assert.equal(sent.headers['content-type'], 'application/json');
        assert.equal(sent.body, json.body!.kind === 'json' ? json.body!.text : '');
        assert.match(sent.path, /\?note=it%27s$/);
        writeFileSync(join(dir, 'report file.csv'), report);
        const upload: ApiRequest = {
          family: 'uapi',
          module: 'Fileman',
          function: 'upload_files',
          params: [['dir', '/home/bob/gen']],
          body: { kind: 'multipart', files: [{ name: 'file-1', path: 'report file.csv' }] },
        };
        const r2 = await run(
          language,
          generate(language, profile(sb, 'cpanel', { auth: 'token' }), upload),
          { CPANEL_TOKEN: CREDS.bob.cpanelToken },
          dir,
        );
        assert.equal(r2.code, 0, r2.stderr);
        assert.equal((JSON.parse(r2.stdout) as { data: { succeeded: number } }).data.succeeded, 1, r2.stdout);
        assert.deepEqual([sb.uploads.at(-1)!.filename, sb.uploads.at(-1)!.size], ['report file.csv', report.length]);
        assert.ok(!existsSync(join(dir, 'PWNED')));
      });
    }
    it('Perl and PHP say they cannot write a body yet, rather than write a wrong program', () => {
      for (const language of ['perl', 'php'] as const) {
        assert.throws(
          () =>
            generate(language, profile(sb, 'cpanel'), {
              family: 'uapi',
              module: 'Personalization',
              function: 'set',
              params: [],
              body: { kind: 'json', text: '{}' },
            }),
          /does not write JSON bodies yet: copy it as curl or Python/,
        );
      }
    });
  });

  describe('on-server commands (whmapi1, uapi, cpapi2)', () => {
    // Stand-ins for cPanel's command-line tools: they print the arguments they received.
    let bin: string;
    before(() => {
      bin = join(dir, 'bin');
      mkdirSync(bin, { recursive: true });
      for (const tool of ['whmapi1', 'uapi', 'cpapi2']) {
        writeFileSync(
          join(bin, tool),
          `#!${process.execPath}\nprocess.stdout.write(JSON.stringify([${JSON.stringify(tool)}, ...process.argv.slice(2)]));\n`,
        );
        chmodSync(join(bin, tool), 0o755);
      }
    });
    const runOnServer = async (code: string, env: Record<string, string> = {}): Promise<string[]> => {
      writeFileSync(join(dir, 'server.sh'), code);
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
        execFile('/bin/sh', ['server.sh'], { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, ...env } }, (err, stdout, stderr) =>
          done({ code: err ? 1 : 0, stdout, stderr }),
        ),
      );
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as string[];
    };

    it('whmapi1 and uapi get each parameter as one word, exactly, with nothing run', async () => {
      const hostile = "x'; touch PWNED; echo '$(id)`id`";
      assert.deepEqual(
        await runOnServer(
          onServerCommand(profile(sb, 'whm'), {
            family: 'whm',
            function: 'listaccts',
            params: [
              ['search', 'bob'],
              ['api.sort.enable', '1'],
              ['searchtype', hostile],
            ],
          }),
        ),
        ['whmapi1', '--output=jsonpretty', 'listaccts', 'search=bob', 'api.sort.enable=1', `searchtype=${hostile}`],
      );
      assert.deepEqual(
        await runOnServer(
          onServerCommand(profile(sb, 'whm'), {
            family: 'uapi',
            module: 'Email',
            function: 'list_pops',
            params: [['regex', 'a b']],
            asUser: 'alice',
          }),
        ),
        ['uapi', '--output=jsonpretty', '--user=alice', 'Email', 'list_pops', 'regex=a b'],
      );
      assert.deepEqual(
        await runOnServer(
          onServerCommand(profile(sb, 'cpanel', { username: 'bob' }), { family: 'uapi', module: 'Ftp', function: 'list_ftp', params: [] }),
        ),
        ['uapi', '--output=jsonpretty', '--user=bob', 'Ftp', 'list_ftp'],
      );
      assert.deepEqual(
        await runOnServer(
          onServerCommand(profile(sb, 'whm'), { family: 'api2', module: 'Email', function: 'listpops', params: [], asUser: 'alice' }),
        ),
        ['cpapi2', '--output=jsonpretty', '--user=alice', 'Email', 'listpops'],
      );
      assert.ok(!existsSync(join(dir, 'PWNED')));
    });

    it('a secret parameter comes from the environment, never written into the command', async () => {
      const code = onServerCommand(profile(sb, 'cpanel'), {
        family: 'uapi',
        module: 'Email',
        function: 'add_pop',
        params: [
          ['email', 'box'],
          ['password', 'Hunter-2'],
        ],
      });
      assert.ok(!code.includes('Hunter-2'));
      assert.match(code, /CPANEL_PARAM_PASSWORD/);
      assert.deepEqual((await runOnServer(code, { CPANEL_PARAM_PASSWORD: 'Hunter-2' })).slice(-2), ['email=box', 'password=Hunter-2']);
    });
  });

  describe('hostile names and values from a snippet cannot run code where the program runs', () => {
    const HOSTILE = [
      '$(touch PWNED)',
      '`touch PWNED`',
      "x'; touch PWNED; echo '",
      'a"b\\"c',
      'line1\nline2\r\n$(touch PWNED)',
      '${HOME}${IFS}',
      '@{[ system "touch PWNED" ]}',
      '{$x} <?php touch("PWNED"); ?>',
      '#{`touch PWNED`}',
      '\\',
      "'",
    ];
    for (const language of LANGUAGES) {
      it(`${language}: values reach the server exactly as written, and nothing runs`, async () => {
        const prof = { ...profile(sb, 'cpanel', { auth: 'token' }), label: 'lab\nel $(touch PWNED)' };
        const req: ApiRequest = {
          family: 'uapi',
          module: 'Notes',
          function: 'echo',
          params: HOSTILE.map((v) => ['d', v] as const),
          method: 'POST',
        };
        // The client refuses such a label (profile validation): the answer to compare with comes from the same server under a plain one.
        const expected = await client({ ...prof, label: 'plain' }, { token: CREDS.bob.cpanelToken }).call(req);
        assert.equal(expected.kind, 'ok', expected.hint);
        const code = generate(language, prof, req);
        const r = await run(language, code, { CPANEL_TOKEN: CREDS.bob.cpanelToken }, dir);
        assert.equal(r.code, 0, `${r.stderr}\n--- code ---\n${code}`);
        assert.deepEqual((JSON.parse(r.stdout) as { data: unknown }).data, expected.data);
        assert.ok(!existsSync(join(dir, 'PWNED')), `${language} ran a command hidden in a value`);
      });

      it(`${language}: a hostile parameter name is refused before any code is written`, () => {
        for (const name of ['x$(touch PWNED)', 'a b', "it's", 'x`id`', 'n\nm', 'cpanel_jsonapi_func', '']) {
          assert.throws(
            () =>
              generate(language, profile(sb, 'cpanel', { auth: 'token' }), {
                family: 'uapi',
                module: 'Notes',
                function: 'echo',
                params: [[name, '1']],
              }),
            (e: unknown) => e instanceof CallFailure && e.kind === 'config_error',
            name,
          );
        }
      });
    }
  });

  it('secret-looking parameters and ${env:…} placeholders become environment lookups', () => {
    const code = generate('python', profile(sb, 'whm', { auth: 'token' }), {
      family: 'whm',
      function: 'passwd',
      params: [
        ['user', 'bob'],
        ['password', 'hunter22'],
        ['note', '${env:MY_NOTE}'],
      ],
    });
    assert.ok(!code.includes('hunter22'));
    assert.match(code, /\("password", env\("CPANEL_PARAM_PASSWORD"\)\)/);
    assert.match(code, /\("note", env\("MY_NOTE"\)\)/);
    assert.match(code, /Secrets come from the environment: CPANEL_PARAM_PASSWORD, MY_NOTE, CPANEL_TOKEN/);
  });

  it('a pinned server explains how to save and check its certificate', () => {
    const code = generate('curl', profile(sb, 'cpanel', { auth: 'token' }), {
      family: 'uapi',
      module: 'Email',
      function: 'list_pops',
      params: [],
    });
    assert.ok(code.includes(sb.fingerprint256));
    assert.match(code, /openssl x509 -in server\.pem -noout -fingerprint -sha256/);
    assert.match(code, /^ca_file=\$\{CPANEL_CA_FILE:-'server\.pem'\}$/m);
    assert.match(code, /--cacert "\$ca_file"/);
  });
});
