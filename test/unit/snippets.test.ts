import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isDestructive } from '../../src/core/api/effects';
import { RunVariables } from '../../src/core/environments';
import { resolveSnippet } from '../../src/core/requestRun';
import type { ServerProfile } from '../../src/core/servers';
import { EnvReader, envRefusal } from '../../src/core/snippetSandbox';
import {
  envRefs,
  parseSnippet,
  requestToSnippet,
  serializeSnippet,
  snippetFileName,
  snippetRequest,
  type Snippet,
} from '../../src/core/snippets';

const sample: Snippet = {
  version: 1,
  server: 'prod-whm',
  family: 'uapi',
  function: 'Email/add_pop',
  account: 'cptest',
  method: 'POST',
  params: [
    { name: 'email', value: 'info' },
    { name: 'domain', value: 'a.example' },
    { name: 'domain', value: 'b.example' },
    { name: 'password', value: '${env:NEW_MAILBOX_PASSWORD}' },
  ],
  note: 'Create the info mailbox',
};

describe('snippets', () => {
  it('round-trips: serialize then parse gives the same snippet, and the same bytes again', () => {
    const text = serializeSnippet(sample);
    const parsed = parseSnippet(text);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.snippet, sample);
    assert.deepEqual(parsed.warnings, []);
    assert.equal(serializeSnippet(parsed.snippet), text);
  });

  it('fills defaults and reads booleans and numbers as the API sends them', () => {
    const p = parseSnippet(
      '{"version":1,"server":"s","family":"whm","function":"listaccts","params":[{"name":"a","value":true},{"name":"n","value":5}]}',
    );
    assert.ok(p.ok);
    assert.equal(p.snippet.method, 'GET');
    assert.deepEqual(p.snippet.params, [
      { name: 'a', value: '1' },
      { name: 'n', value: '5' },
    ]);
  });

  it('reports malformed files with a position and a sentence, never a throw', () => {
    const cases: [string, RegExp][] = [
      ['{"version":1,', /not a valid snippet: it ends before the JSON is complete \(line 1, column 14\)/],
      ['[]', /JSON object/],
      ['{"version":2,"server":"s","family":"whm","function":"x","params":[]}', /"version" must be 1/],
      ['{"version":1,"server":"","family":"whm","function":"x","params":[]}', /"server" must name/],
      ['{"version":1,"server":"s","family":"rest","function":"x","params":[]}', /"family" must be/],
      ['{"version":1,"server":"s","family":"uapi","function":"list_pops","params":[]}', /not Module\/function/],
      ['{"version":1,"server":"s","family":"api2","function":"Email/listpops","params":[]}', /need "account"/],
      ['{"version":1,"server":"s","family":"whm","function":"x","account":"bob","params":[]}', /remove "account"/],
      ['{"version":1,"server":"s","family":"whm","function":"x","params":[{"name":""}]}', /params\[0\]/],
      ['{"version":1,"server":"s","family":"whm","function":"x","params":{}}', /"params" must be a list/],
      ['{"version":1,"server":"s","family":"whm","function":"x","params":[],"host":"h"}', /Unknown property "host"/],
    ];
    for (const [text, re] of cases) {
      const p = parseSnippet(text);
      assert.ok(!p.ok, text);
      assert.ok(
        p.problems.some((x) => re.test(x.message)),
        `${text}: ${p.problems.map((x) => x.message).join(' | ')}`,
      );
      assert.ok(p.problems.every((x) => x.offset === undefined || (x.offset >= 0 && x.offset <= text.length)));
    }
    const json = parseSnippet('{\n  "version": 1,\n  oops\n}');
    assert.ok(!json.ok && typeof json.problems[0]!.offset === 'number');
  });

  it('warns when a secret is written into the file', () => {
    const p = parseSnippet(serializeSnippet({ ...sample, params: [{ name: 'password', value: 'hunter22' }] }));
    assert.ok(p.ok);
    assert.match(p.warnings[0]!.message, /\$\{env:CPANEL_PARAM_PASSWORD\}/);
  });

  it('resolves ${env:…} placeholders into the request, and names a missing one', () => {
    assert.deepEqual(envRefs(sample), ['NEW_MAILBOX_PASSWORD']);
    const req = snippetRequest(sample, (n) => (n === 'NEW_MAILBOX_PASSWORD' ? 's3cret' : undefined));
    assert.deepEqual(req, {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'info'],
        ['domain', 'a.example'],
        ['domain', 'b.example'],
        ['password', 's3cret'],
      ],
      method: 'POST',
      asUser: 'cptest',
    });
    assert.throws(() => snippetRequest(sample, () => undefined), /needs the environment variable NEW_MAILBOX_PASSWORD/);
    assert.deepEqual(requestToSnippet('prod-whm', req, 'Create the info mailbox').params.at(-1), { name: 'password', value: 's3cret' });
  });

  it('knows which functions must be confirmed, and names files', () => {
    for (const f of ['removeacct', 'suspendacct', 'killdns', 'passwd']) assert.ok(isDestructive('whm', f), f);
    for (const f of ['Email/delete_pop', 'Passwd/change_password', 'Tokens/revoke']) assert.ok(isDestructive('uapi', f), f);
    for (const f of ['listaccts', 'createacct', 'version']) assert.ok(!isDestructive('whm', f), f);
    assert.ok(!isDestructive('uapi', 'Email/list_pops'));
    assert.equal(snippetFileName(sample), 'uapi-Email-add_pop.cpanel.json');
  });

  describe('what a snippet from a repository may read', () => {
    const prod: ServerProfile = {
      id: 'p',
      label: 'prod',
      host: 'h.example',
      service: 'whm',
      secure: true,
      port: 2087,
      username: 'root',
      auth: 'token',
      twoFactor: 'none',
      tls: { mode: 'system' },
    };
    const env: Record<string, string> = {
      GITHUB_TOKEN: 'ghp_leakme0123456789',
      CPANEL_ACCT: 'cptest',
      CPANEL_SRV: 'nosuchserver',
      MYAPP_DOMAIN: 'a.example',
      AWS_SECRET_ACCESS_KEY: 'aws-secret-key-1',
    };
    const whm = (over: Partial<Snippet>): Snippet => ({
      version: 1,
      server: 'prod',
      family: 'whm',
      function: 'listaccts',
      method: 'GET',
      params: [],
      ...over,
    });

    it('${env:NAME} is read only for CPANEL_* and the names allowed; any other is refused naming it and how to allow it', () => {
      const cli = new EnvReader((n) => env[n], { allowed: [], from: 'cli' });
      const leak = whm({ params: [{ name: 'search', value: '${env:GITHUB_TOKEN}' }] });
      const r = resolveSnippet(leak, [prod], cli.get);
      assert.ok(!r.ok);
      assert.equal(
        r.message,
        '${env:GITHUB_TOKEN} is not an allowed environment variable: snippets may read CPANEL_* variables and the ones you allow with --allow-env GITHUB_TOKEN. Nothing was sent.',
      );
      assert.ok(!r.message.includes(env.GITHUB_TOKEN!));
      assert.equal(
        envRefusal(leak, undefined, { allowed: [], from: 'vscode' }),
        '${env:GITHUB_TOKEN} is not an allowed environment variable: snippets may read CPANEL_* variables and the ones you allow in the user setting cpanel.snippets.allowedEnv. Nothing was sent.',
      );
      for (const where of [
        { account: '${env:AWS_SECRET_ACCESS_KEY}', family: 'uapi' as const, function: 'Email/list_pops' },
        { server: '${env:GITHUB_TOKEN}' },
        { expect: [{ jmespath: "data == '${env:GITHUB_TOKEN}'" }] },
      ]) {
        assert.match(
          envRefusal(whm(where), undefined, { allowed: [], from: 'cli' }) ?? '',
          /is not an allowed environment variable/,
          JSON.stringify(where),
        );
      }
      // Allowed by name, and by a prefix.
      assert.equal(envRefusal(leak, undefined, { allowed: ['GITHUB_TOKEN'], from: 'cli' }), undefined);
      const prefix = new EnvReader((n) => env[n], { allowed: ['MYAPP_*'], from: 'cli' });
      const ok = resolveSnippet(
        whm({
          params: [
            { name: 'search', value: '${env:MYAPP_DOMAIN}' },
            { name: 'who', value: '${env:CPANEL_ACCT}' },
          ],
        }),
        [prod],
        prefix.get,
      );
      assert.ok(ok.ok, ok.ok ? '' : ok.message);
      assert.deepEqual(ok.target.request.params, [
        ['search', 'a.example'],
        ['who', 'cptest'],
      ]);
      assert.deepEqual(ok.secrets.sort(), ['a.example', 'cptest'], 'every value from the environment is a secret, to be redacted');
      assert.throws(() => prefix.get('MYAPPX'), /\$\{env:MYAPPX\} is not an allowed/);
    });

    it('an environments file value "${env:NAME}" follows the same rule; its secrets and env values are reported as secret', () => {
      const environment = {
        name: 'staging',
        variables: { token: '${env:GITHUB_TOKEN}', acct: '${env:CPANEL_ACCT}', pw: { secret: true } as const, plain: 'prod' },
      };
      const reader = new EnvReader((n) => env[n], { allowed: [], from: 'cli' });
      const vars = new RunVariables(environment, reader.get, () => 'Env-Secret-99');
      const s = whm({ server: '${plain}', params: [{ name: 'x', value: '${token}' }] });
      assert.equal(
        envRefusal(s, environment, reader.policy),
        '${env:GITHUB_TOKEN} (in the environment "staging", for ${token}) is not an allowed environment variable: snippets may read CPANEL_* variables and the ones you allow with --allow-env GITHUB_TOKEN. Nothing was sent.',
      );
      const r = resolveSnippet(s, [prod], reader.get, vars);
      assert.ok(!r.ok && /GITHUB_TOKEN\} is not an allowed/.test(r.message), 'refused while filling, too');
      const fine = resolveSnippet(
        whm({
          server: '${plain}',
          params: [
            { name: 'a', value: '${acct}' },
            { name: 'b', value: '${pw}' },
          ],
        }),
        [prod],
        reader.get,
        vars,
      );
      assert.ok(fine.ok);
      assert.deepEqual(fine.secrets.sort(), ['Env-Secret-99', 'cptest']);
    });

    it('a refusal never shows a value filled from the environment', () => {
      const reader = new EnvReader((n) => env[n], { allowed: [], from: 'cli' });
      const r = resolveSnippet(whm({ server: '${env:CPANEL_SRV}' }), [prod], reader.get);
      assert.ok(!r.ok);
      assert.equal(r.message, 'No server is labelled "[redacted]".');
    });

    it('uploads: real paths inside the workspace only, regular files only', () => {
      const base = realpathSync(mkdtempSync(join(tmpdir(), 'cpapi-confine-')));
      const ws = join(base, 'ws');
      mkdirSync(join(ws, 'uploads'), { recursive: true });
      writeFileSync(join(ws, 'uploads', 'a.csv'), 'a\n');
      writeFileSync(join(base, 'id_rsa'), 'PRIVATE KEY\n');
      symlinkSync(join(base, 'id_rsa'), join(ws, 'uploads', 'key.csv'));
      symlinkSync(base, join(ws, 'up'));
      symlinkSync(join(ws, 'uploads', 'a.csv'), join(ws, 'inside.csv'));
      mkdirSync(join(ws, 'dir'));
      execFileSync('mkfifo', [join(ws, 'pipe')]);
      // The workspace reached through a link of its own is fine: both sides are compared as real paths.
      symlinkSync(ws, join(base, 'ws-link'));
      const upload = (path: string, root: string | undefined = ws) =>
        resolveSnippet(
          {
            version: 1,
            server: 'prod',
            family: 'whm',
            function: 'version',
            method: 'POST',
            params: [],
            body: { files: [{ name: 'file-1', path }] },
          },
          [prod],
          () => undefined,
          undefined,
          root,
        );
      const ok = upload('uploads/a.csv');
      assert.ok(ok.ok);
      assert.deepEqual(ok.target.request.body, { kind: 'multipart', files: [{ name: 'file-1', path: join(ws, 'uploads', 'a.csv') }] });
      const viaLink = upload('inside.csv', join(base, 'ws-link'));
      assert.ok(
        viaLink.ok &&
          viaLink.target.request.body?.kind === 'multipart' &&
          viaLink.target.request.body.files[0]!.path === join(ws, 'uploads', 'a.csv'),
        'sent by its real path',
      );
      const refused: [string, RegExp][] = [
        ['uploads/key.csv', /body\.files: "uploads\/key\.csv" \(for "file-1"\) leads outside the workspace folder .*Nothing was sent\./],
        ['up/id_rsa', /"up\/id_rsa" .* leads outside the workspace folder/],
        ['dir', /"dir" .* is not a regular file/],
        ['pipe', /"pipe" .* is not a regular file \(a folder, a pipe or a device\)/],
        ['missing.csv', /"missing\.csv" .* does not exist/],
      ];
      for (const [path, message] of refused) {
        const r = upload(path);
        assert.ok(!r.ok, path);
        assert.match(r.message, message);
      }
      const noRoot = resolveSnippet(
        {
          version: 1,
          server: 'prod',
          family: 'whm',
          function: 'version',
          method: 'POST',
          params: [],
          body: { files: [{ name: 'f', path: 'a' }] },
        },
        [prod],
        () => undefined,
      );
      assert.ok(!noRoot.ok && /must be in a workspace folder/.test(noRoot.message));
    });
  });
});
