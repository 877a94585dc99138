import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { previewRequest } from '../../src/core/requestRun';
import { parseSnippet, requestToSnippet, serializeSnippet } from '../../src/core/snippets';
import type { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

describe('JSON bodies and file uploads', () => {
  let sb: Sandbox;
  let dir: string;
  const report = 'id,name\n1,bob\n'.repeat(2000);
  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-bodies-'));
    mkdirSync(join(dir, 'uploads'));
    writeFileSync(join(dir, 'uploads', 'report.csv'), report);
    writeFileSync(join(dir, 'prefs.json'), JSON.stringify({ personalization: { theme: 'dark' } }));
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });
  beforeEach(() => sb.clearLog());

  const bob = (): ReturnType<typeof client> => client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });

  it('a JSON body goes as POST with Content-Type application/json, parameters in the query', async () => {
    const set = await bob().call({
      family: 'uapi',
      module: 'Personalization',
      function: 'set',
      params: [['x', '1']],
      body: { kind: 'json', text: JSON.stringify({ personalization: { theme: 'dark', lang: 'en' } }) },
    });
    assert.equal(set.kind, 'ok', set.hint);
    const sent = sb.requests('/Personalization/set')[0]!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.match(sent.path, /\?x=1$/);
    const get = await bob().call({
      family: 'uapi',
      module: 'Personalization',
      function: 'get',
      params: [],
      body: { kind: 'json', text: '{"names":["theme","none"]}' },
    });
    assert.deepEqual((get.data as { personalization: Record<string, { value: unknown }> }).personalization.theme?.value, 'dark');
    // The sandbox, like cPanel, refuses the same call as a form.
    const asForm = await bob().call({
      family: 'uapi',
      module: 'Personalization',
      function: 'set',
      params: [['personalization', '{}']],
      method: 'POST',
    });
    assert.equal(asForm.kind, 'api_error');
    assert.match(asForm.errors[0]!, /reads a JSON body/);
  });

  it('files upload as multipart/form-data, streamed from disk, with the other parameters as fields', async () => {
    const r = await bob().call({
      family: 'uapi',
      module: 'Fileman',
      function: 'upload_files',
      params: [['dir', '/home/bob/in']],
      body: { kind: 'multipart', files: [{ name: 'file-1', path: join(dir, 'uploads', 'report.csv') }] },
    });
    assert.equal(r.kind, 'ok', r.hint);
    const sent = sb.requests('/Fileman/upload_files')[0]!;
    assert.equal(sent.method, 'POST');
    assert.match(String(sent.headers['content-type']), /^multipart\/form-data; boundary=/);
    const up = sb.uploads.at(-1)!;
    assert.deepEqual([up.field, up.filename, up.size], ['file-1', 'report.csv', report.length]);
    assert.equal(up.sha256, createHash('sha256').update(report).digest('hex'), 'the file arrived byte for byte');
    assert.equal((r.data as { uploads: { path: string }[] }).uploads[0]!.path, '/home/bob/in/report.csv');
  });

  it('a missing file fails before anything is sent; a body through WHM on behalf of an account is refused', async () => {
    const r = await bob().call({
      family: 'uapi',
      module: 'Fileman',
      function: 'upload_files',
      params: [],
      body: { kind: 'multipart', files: [{ name: 'file-1', path: join(dir, 'nope.csv') }] },
    });
    assert.equal(r.kind, 'config_error');
    assert.match(r.hint!, /The file ".*nope\.csv" for "file-1" cannot be read.*Nothing was sent/);
    assert.equal(sb.requests('/Fileman/').length, 0);
    assert.throws(
      () =>
        previewRequest({
          profile: profile(sb, 'whm'),
          request: {
            family: 'uapi',
            module: 'Personalization',
            function: 'set',
            params: [],
            asUser: 'bob',
            body: { kind: 'json', text: '{}' },
          },
        }),
      /through WHM on behalf of an account, only parameters/,
    );
  });

  it('the confirmation shows what goes out: the JSON, or each file', () => {
    const p = previewRequest({
      profile: profile(sb, 'cpanel'),
      request: {
        family: 'uapi',
        module: 'Fileman',
        function: 'upload_files',
        params: [['dir', 'x']],
        body: { kind: 'multipart', files: [{ name: 'file-1', path: 'a.csv' }] },
      },
    });
    assert.equal(p.method, 'POST');
    assert.equal(p.body, 'dir=x&file-1=@a.csv');
    const j = previewRequest({
      profile: profile(sb, 'whm'),
      request: { family: 'whm', function: 'personalization_set', params: [], body: { kind: 'json', text: '{"personalization":{}}' } },
    });
    assert.equal(j.body, '(JSON) {"personalization":{}}');
    assert.match(j.url, /\/json-api\/personalization_set\?api\.version=1$/);
  });

  describe('cpapi call --json-body and name=@PATH', () => {
    const cpanel = (): string[] => [
      '--host',
      '127.0.0.1',
      '--service',
      'cpanel',
      '--port',
      String(sb.port('cpanel')),
      '--user',
      'bob',
      '--auth',
      'token',
      '--fingerprint',
      sb.fingerprint256,
    ];
    const env = { CPANEL_TOKEN: CREDS.bob.cpanelToken };

    it('--json-body JSON and @FILE send application/json (POST)', async () => {
      const inline = await cpapi(
        ['call', 'uapi', 'Personalization/set', ...cpanel(), '--json-body', '{"personalization":{"a":1}}'],
        env,
        dir,
      );
      assert.equal(inline.code, 0, inline.stderr);
      const file = await cpapi(['call', 'uapi', 'Personalization/set', ...cpanel(), '--json-body', '@prefs.json'], env, dir);
      assert.equal(file.code, 0, file.stderr);
      const sent = sb.requests('/Personalization/set');
      assert.deepEqual(
        sent.map((r) => [r.method, r.headers['content-type']]),
        [
          ['POST', 'application/json'],
          ['POST', 'application/json'],
        ],
      );
      assert.equal(sent[1]!.body, JSON.stringify({ personalization: { theme: 'dark' } }));
    });

    it('name=@PATH with --post uploads multipart/form-data, other pairs as fields', async () => {
      const r = await cpapi(
        ['call', 'uapi', 'Fileman/upload_files', ...cpanel(), '--post', 'dir=/home/bob/cli', 'file-1=@uploads/report.csv'],
        env,
        dir,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(String(sb.requests('/Fileman/upload_files')[0]!.headers['content-type']), /^multipart\/form-data/);
      assert.equal(sb.uploads.at(-1)!.size, report.length);
    });

    it('a missing file, bad JSON, or both bodies at once are usage errors (exit 2) that name the problem, and nothing is sent', async () => {
      const cases: [string[], RegExp][] = [
        [
          ['Fileman/upload_files', '--post', 'file-1=@uploads/missing.csv'],
          /The file "uploads\/missing\.csv" for file-1 does not exist or cannot be read\. Nothing was sent\./,
        ],
        [['Personalization/set', '--json-body', '{"personalization":'], /--json-body is not valid JSON \(.*\)\. Nothing was sent\./],
        [['Personalization/set', '--json-body', '@missing.json'], /The JSON body file "missing\.json" does not exist or cannot be read/],
        [['Fileman/upload_files', '--post', 'file-1=@uploads/report.csv', '--json-body', '{}'], /either --json-body or file parameters/],
      ];
      for (const [args, message] of cases) {
        const [fn, ...rest] = args;
        const r = await cpapi(['call', 'uapi', fn!, ...cpanel(), ...rest], env, dir);
        assert.equal(r.code, 2, args.join(' '));
        assert.match(r.stderr, message);
      }
      assert.equal(sb.requests('/execute/').length, 0, 'nothing was sent');
    });
  });

  describe('snippets with a body', () => {
    it('a JSON body and an upload run from cpapi run; paths must stay in the workspace', async () => {
      writeFileSync(
        join(dir, 'servers.json'),
        JSON.stringify([
          {
            label: 'bob',
            host: '127.0.0.1',
            service: 'cpanel',
            port: sb.port('cpanel'),
            username: 'bob',
            auth: 'token',
            tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
          },
        ]),
      );
      mkdirSync(join(dir, 'snips'), { recursive: true });
      writeFileSync(
        join(dir, 'snips', 'a-prefs.cpanel.json'),
        serializeSnippet({
          version: 1,
          server: 'bob',
          family: 'uapi',
          function: 'Personalization/set',
          method: 'POST',
          params: [],
          body: { json: { personalization: { theme: '${theme}' } } },
          expect: [{ ok: true }],
        }),
      );
      writeFileSync(
        join(dir, 'snips', 'b-upload.cpanel.json'),
        serializeSnippet({
          version: 1,
          server: 'bob',
          family: 'uapi',
          function: 'Fileman/upload_files',
          method: 'POST',
          params: [{ name: 'dir', value: '/home/bob/snip' }],
          body: { files: [{ name: 'file-1', path: 'uploads/report.csv' }] },
          expect: [{ jmespath: 'data.succeeded == `1`' }],
        }),
      );
      mkdirSync(join(dir, '.vscode', 'cpanel'), { recursive: true });
      writeFileSync(join(dir, '.vscode', 'cpanel', 'environments.json'), JSON.stringify({ environments: { dev: { theme: 'light' } } }));
      const r = await cpapi(
        ['run', 'snips', '--servers', 'servers.json', '--env', 'dev'],
        { CPANEL_BOB_TOKEN: CREDS.bob.cpanelToken },
        dir,
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(sb.requests('/Personalization/set').at(-1)!.body, '{"personalization":{"theme":"light"}}');
      assert.equal(sb.uploads.at(-1)!.size, report.length);
      const outside = parseSnippet(
        JSON.stringify({
          version: 1,
          server: 'bob',
          family: 'uapi',
          function: 'Fileman/upload_files',
          params: [],
          body: { files: [{ name: 'file-1', path: '../../etc/passwd' }] },
        }),
      );
      assert.ok(!outside.ok);
      assert.match(outside.problems[0]!.message, /leaves the workspace folder/);
      assert.ok(
        !parseSnippet(
          JSON.stringify({
            version: 1,
            server: 'bob',
            family: 'uapi',
            function: 'Fileman/upload_files',
            params: [],
            body: { files: [{ name: 'file-1', path: '/etc/passwd' }] },
          }),
        ).ok,
      );
    });

    it("upload paths are relative to the snippet's workspace (.git above it, or --workspace), not to the current folder", async () => {
      const repo = join(dir, 'repo');
      mkdirSync(join(repo, '.git'), { recursive: true });
      mkdirSync(join(repo, 'deep', 'snips'), { recursive: true });
      mkdirSync(join(repo, 'data'), { recursive: true });
      writeFileSync(join(repo, 'data', 'r.csv'), 'repo file\n');
      const upload = serializeSnippet({
        version: 1,
        server: 'bob',
        family: 'uapi',
        function: 'Fileman/upload_files',
        method: 'POST',
        params: [{ name: 'dir', value: '/home/bob/root' }],
        body: { files: [{ name: 'file-1', path: 'data/r.csv' }] },
      });
      writeFileSync(join(repo, 'deep', 'snips', 'up.cpanel.json'), upload);
      const env = { CPANEL_BOB_TOKEN: CREDS.bob.cpanelToken };
      // Run from elsewhere (the test folder): the path still resolves against the repository.
      const r = await cpapi(
        ['run', join(repo, 'deep', 'snips', 'up.cpanel.json'), '--servers', join(dir, 'servers.json')],
        env,
        join(dir, 'uploads'),
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(sb.uploads.at(-1)!.size, 'repo file\n'.length);
      // --workspace names the root: here a folder where data/r.csv does not exist.
      const other = await cpapi(
        ['run', join(repo, 'deep', 'snips', 'up.cpanel.json'), '--servers', join(dir, 'servers.json'), '--workspace', join(repo, 'deep')],
        env,
        dir,
      );
      assert.equal(other.code, 1);
      assert.match(other.stdout, /body\.files: "data\/r\.csv" \(for "file-1"\) does not exist or cannot be read in the workspace folder/);
      const notDir = await cpapi(
        ['run', join(repo, 'deep', 'snips', 'up.cpanel.json'), '--servers', join(dir, 'servers.json'), '--workspace', join(repo, 'nope')],
        env,
        dir,
      );
      assert.equal(notDir.code, 2);
      assert.match(notDir.stderr, /--workspace .*nope is not a folder/);
    });

    it('saving a request as a snippet writes upload paths relative to the workspace, and refuses files outside it', () => {
      const ws = '/work/site';
      const rel = (p: string): string | undefined => (p.startsWith(`${ws}/`) ? p.slice(ws.length + 1) : undefined);
      const req = {
        family: 'uapi' as const,
        module: 'Fileman',
        function: 'upload_files',
        params: [['dir', 'x'] as const],
        body: { kind: 'multipart' as const, files: [{ name: 'file-1', path: `${ws}/uploads/a.csv` }] },
      };
      assert.deepEqual(requestToSnippet('bob', req, undefined, rel).body, { files: [{ name: 'file-1', path: 'uploads/a.csv' }] });
      assert.throws(
        () =>
          requestToSnippet(
            'bob',
            { ...req, body: { kind: 'multipart', files: [{ name: 'file-1', path: '/etc/passwd' }] } },
            undefined,
            rel,
          ),
        /is outside the workspace/,
      );
      assert.deepEqual(
        requestToSnippet('bob', {
          family: 'whm',
          function: 'personalization_set',
          params: [],
          body: { kind: 'json', text: '{"personalization":{"a":1}}' },
        }).body,
        { json: { personalization: { a: 1 } } },
      );
    });
  });
});
