import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../src/core/codegen';
import { importedSnippet, importRequest } from '../../src/core/import/importRequest';
import { EXPANSION_END, EXPANSION_START, shellCommands } from '../../src/core/import/shellWords';
import type { ServerProfile } from '../../src/core/servers';
import { parseSnippet } from '../../src/core/snippets';
import type { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { CREDS, startSandbox } from '../helpers/sandbox';

describe('reading shell words without running them', () => {
  it("single quotes, double quotes with escapes, $'…', backslashes, continuations, comments, several commands", () => {
    assert.deepEqual(
      shellCommands(
        `curl 'a b' "c \\"d\\" \\$e \\\\ \\x" f\\ g \\\n  $'h\\'i\\nj\\x41\\u00e9' # comment\nnext "$VAR" \${X:-y} $(cat t) && last`,
      ),
      [
        ['curl', 'a b', 'c "d" $e \\ \\x', 'f g', "h'i\njAé"],
        [
          'next',
          `${EXPANSION_START}VAR${EXPANSION_END}`,
          `${EXPANSION_START}X:-y${EXPANSION_END}`,
          `${EXPANSION_START}$(cat t)${EXPANSION_END}`,
        ],
        ['last'],
      ],
    );
    assert.deepEqual(shellCommands(`'https://h:2083'"$token"'/execute/A/b'`), [
      [`https://h:2083${EXPANSION_START}token${EXPANSION_END}/execute/A/b`],
    ]);
    assert.throws(() => shellCommands("curl 'open"), /single quote on line 1 is not closed/);
    assert.throws(() => shellCommands('curl "open'), /double quote on line 1 is not closed/);
    assert.throws(() => shellCommands('curl \u0001x'), /control characters/);
  });
});

describe('cpapi import', () => {
  let sb: Sandbox;
  let dir: string;
  let whm: string;
  let cp: string;
  const profiles: ServerProfile[] = [];
  const env = (): Record<string, string> => ({
    CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken,
    CPANEL_BOB_CPANEL_TOKEN: CREDS.bob.cpanelToken!,
    CPANEL_PARAM_PASSWORD: 'Imported-Pass-77',
  });
  /** Imports the text, checks the snippet is valid and holds none of `secrets`, runs it unchanged with cpapi run; answers the snippet. */
  const importAndRun = async (
    name: string,
    text: string,
    secrets: string[],
    extra: string[] = [],
  ): Promise<{ snippet: Record<string, unknown>; stderr: string }> => {
    const r = await cpapi(['import', text, '--servers', 'servers.json', ...extra], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(parseSnippet(r.stdout).ok, r.stdout);
    for (const s of secrets) assert.ok(!r.stdout.includes(s), `${s} is not in the snippet`);
    for (const s of secrets) assert.ok(!r.stderr.includes(s), `${s} is not in the notes`);
    writeFileSync(join(dir, `${name}.cpanel.json`), r.stdout);
    const run = await cpapi(['run', `${name}.cpanel.json`, '--servers', 'servers.json'], env(), dir);
    assert.equal(run.code, 0, `${r.stdout}\n${run.stdout}${run.stderr}`);
    return { snippet: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
  };

  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-import-'));
    whm = `127.0.0.1:${sb.port('whm')}`;
    cp = `127.0.0.1:${sb.port('cpanel')}`;
    const tls = { mode: 'pinned' as const, fingerprint256: sb.fingerprint256 };
    profiles.push(
      {
        id: 'w',
        label: 'prod-whm',
        host: '127.0.0.1',
        service: 'whm',
        secure: true,
        port: sb.port('whm'),
        username: 'root',
        auth: 'token',
        twoFactor: 'none',
        tls,
      },
      {
        id: 'c',
        label: 'bob-cpanel',
        host: '127.0.0.1',
        service: 'cpanel',
        secure: true,
        port: sb.port('cpanel'),
        username: 'bob',
        auth: 'token',
        twoFactor: 'none',
        tls,
      },
    );
    writeFileSync(
      join(dir, 'servers.json'),
      JSON.stringify({ servers: profiles.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'id'))) }),
    );
  });
  after(async () => {
    await sb.stop();
  });

  describe("cPanel's documentation samples, in the docs' own form", () => {
    it('UAPI Email/list_pops (curl with a cpanel token)', async () => {
      const { snippet, stderr } = await importAndRun(
        'docs-list-pops',
        `curl -H'Authorization: cpanel bob:APITOKEN' 'https://${cp}/execute/Email/list_pops'`,
        ['APITOKEN'],
      );
      assert.deepEqual(snippet, {
        version: 1,
        server: 'bob-cpanel',
        family: 'uapi',
        function: 'Email/list_pops',
        method: 'GET',
        params: [],
      });
      assert.match(stderr, /Matched the server bob-cpanel[\s\S]*Left out the Authorization header \(cpanel bob:…, an API token\)/);
    });

    it('UAPI Email/add_pop with a password in the query: the password becomes ${env:CPANEL_PARAM_PASSWORD}, sent in a POST body', async () => {
      sb.clearLog();
      const { snippet, stderr } = await importAndRun(
        'docs-add-pop',
        `curl -H'Authorization: cpanel bob:APITOKEN' 'https://${cp}/execute/Email/add_pop?email=newuser&password=12345luggage&domain=bob.example'`,
        ['APITOKEN', '12345luggage'],
      );
      assert.deepEqual(snippet.params, [
        { name: 'email', value: 'newuser' },
        { name: 'password', value: '${env:CPANEL_PARAM_PASSWORD}' },
        { name: 'domain', value: 'bob.example' },
      ]);
      assert.equal(snippet.method, 'POST');
      assert.match(stderr, /Left out the value of "password": the snippet reads it from \$\{env:CPANEL_PARAM_PASSWORD\}/);
      assert.ok(sb.mail.some((m) => m.email === 'newuser@bob.example'));
      const sent = sb.requests('add_pop')[0]!;
      assert.equal(sent.method, 'POST');
      assert.equal(new URLSearchParams(sent.body).get('password'), 'Imported-Pass-77');
    });

    it('WHM API 1 listaccts (curl with a whm token), parameters in order', async () => {
      const { snippet } = await importAndRun(
        'docs-listaccts',
        `curl -H'Authorization: whm root:APITOKEN' 'https://${whm}/json-api/listaccts?api.version=1&search=bob&searchtype=user'`,
        ['APITOKEN'],
      );
      assert.deepEqual(snippet, {
        version: 1,
        server: 'prod-whm',
        family: 'whm',
        function: 'listaccts',
        method: 'GET',
        params: [
          { name: 'search', value: 'bob' },
          { name: 'searchtype', value: 'user' },
        ],
      });
    });

    it('whmapi1, uapi and cpapi2 command lines (run on the server), with --server naming the WHM server', async () => {
      const w = await importAndRun('docs-whmapi1', `whmapi1 --output=jsonpretty accountsummary user='bob'`, [], ['--server', 'prod-whm']);
      assert.deepEqual(w.snippet, {
        version: 1,
        server: 'prod-whm',
        family: 'whm',
        function: 'accountsummary',
        method: 'GET',
        params: [{ name: 'user', value: 'bob' }],
      });
      const u = await importAndRun('docs-uapi', 'uapi --output=jsonpretty --user=cptest Email list_pops', [], ['--server', 'prod-whm']);
      assert.deepEqual(u.snippet, {
        version: 1,
        server: 'prod-whm',
        family: 'uapi',
        function: 'Email/list_pops',
        account: 'cptest',
        method: 'GET',
        params: [],
      });
      const a = await importAndRun('docs-cpapi2', 'cpapi2 --output=jsonpretty --user=cptest Email listpops', [], ['--server', 'prod-whm']);
      assert.deepEqual(a.snippet, {
        version: 1,
        server: 'prod-whm',
        family: 'api2',
        function: 'Email/listpops',
        account: 'cptest',
        method: 'GET',
        params: [],
      });
      // URI-encoded values, as the docs say to write them on the command line; repeated keys kept in order.
      const imp = importRequest('uapi --user=bob Notes echo text=a%20b%2Cc k=1 k=2');
      assert.deepEqual(imp.params, [
        { name: 'text', value: 'a b,c' },
        { name: 'k', value: '1' },
        { name: 'k', value: '2' },
      ]);
    });

    it('a URL with a /cpsess…/ token: the token is left out', async () => {
      const { snippet, stderr } = await importAndRun(
        'docs-cpsess',
        `https://${whm}/cpsess0123456789/json-api/listaccts?api.version=1&want=user`,
        ['0123456789'],
      );
      assert.equal(snippet.function, 'listaccts');
      assert.match(stderr, /Left out the session token \(\/cpsess…\/ in the URL\)/);
    });
  });

  it('the old json-api/cpanel envelope (UAPI and API 2) and uapi_cpanel, as calls on behalf of the account', async () => {
    const v3 = await importAndRun(
      'env3',
      `https://${whm}/json-api/cpanel?cpanel_jsonapi_user=cptest&cpanel_jsonapi_apiversion=3&cpanel_jsonapi_module=Email&cpanel_jsonapi_func=list_pops`,
      [],
    );
    assert.deepEqual([v3.snippet.family, v3.snippet.function, v3.snippet.account], ['uapi', 'Email/list_pops', 'cptest']);
    const v2 = await importAndRun(
      'env2',
      `https://${whm}/json-api/cpanel?cpanel_jsonapi_user=cptest&cpanel_jsonapi_module=Email&cpanel_jsonapi_func=listpops`,
      [],
    );
    assert.deepEqual([v2.snippet.family, v2.snippet.function], ['api2', 'Email/listpops']);
    assert.match(v2.stderr, /no cpanel_jsonapi_apiversion, so WHM runs cPanel API 2/);
    const u = await importAndRun(
      'uapi-cpanel',
      `https://${whm}/json-api/uapi_cpanel?api.version=1&cpanel.user=bob&cpanel.module=Notes&cpanel.function=echo&x=1&x=2`,
      [],
    );
    assert.deepEqual(
      [u.snippet.family, u.snippet.function, u.snippet.account, u.snippet.params],
      [
        'uapi',
        'Notes/echo',
        'bob',
        [
          { name: 'x', value: '1' },
          { name: 'x', value: '2' },
        ],
      ],
    );
  });

  it("a browser's \"Copy as cURL\": cookies, a cpsess token, $'…' quotes, --data-raw, --compressed, line continuations", async () => {
    const text = [
      `curl 'https://${cp}/cpsess7263584571/execute/Email/add_pop' \\`,
      "  -H 'accept: application/json, text/javascript, */*; q=0.01' \\",
      "  -H 'content-type: application/x-www-form-urlencoded; charset=UTF-8' \\",
      "  -b 'cpsession=bob%3AsEcReTcOoKiE; timezone=UTC' \\",
      "  -H 'x-requested-with: XMLHttpRequest' \\",
      "  --data-raw $'email=browser1&password=Br0wser\\'Pass&domain=bob.example' \\",
      '  --compressed',
    ].join('\n');
    const { snippet, stderr } = await importAndRun('browser', text, ['7263584571', 'sEcReTcOoKiE', "Br0wser'Pass"]);
    assert.deepEqual(snippet, {
      version: 1,
      server: 'bob-cpanel',
      family: 'uapi',
      function: 'Email/add_pop',
      method: 'POST',
      params: [
        { name: 'email', value: 'browser1' },
        { name: 'password', value: '${env:CPANEL_PARAM_PASSWORD}' },
        { name: 'domain', value: 'bob.example' },
      ],
    });
    assert.match(stderr, /session token/);
    assert.match(stderr, /cookies/);
    assert.match(stderr, /Headers that do not change the call were left out: accept, x-requested-with/);
    assert.ok(sb.mail.some((m) => m.email === 'browser1@bob.example'));
  });

  it('our own Copy as curl imports back to the same call (token, password and session scripts; GET, POST, on behalf of an account, a JSON body)', async () => {
    const cases: { label: string; request: Parameters<typeof generate>[2] }[] = [
      {
        label: 'bob-cpanel',
        request: {
          family: 'uapi',
          module: 'Email',
          function: 'add_pop',
          params: [
            ['email', 'ours1'],
            ['password', 'Literal-Pass-1'],
            ['domain', 'bob.example'],
          ],
        },
      },
      {
        label: 'bob-cpanel',
        request: {
          family: 'uapi',
          module: 'Notes',
          function: 'echo',
          params: [
            ['a', 'it\'s "quoted" $HOME `x`'],
            ['a', 'two'],
          ],
        },
      },
      { label: 'prod-whm', request: { family: 'whm', function: 'listaccts', params: [['search', 'bob']] } },
      { label: 'prod-whm', request: { family: 'uapi', module: 'Email', function: 'list_pops', params: [], asUser: 'cptest' } },
      { label: 'prod-whm', request: { family: 'api2', module: 'Email', function: 'listpops', params: [], asUser: 'cptest' } },
      {
        label: 'bob-cpanel',
        request: {
          family: 'uapi',
          module: 'Personalization',
          function: 'set',
          params: [],
          body: { kind: 'json', text: '{"personalization":{"x":1}}' },
        },
      },
    ];
    for (const [i, c] of cases.entries()) {
      const p = profiles.find((x) => x.label === c.label)!;
      const script = generate('curl', p, c.request);
      const { snippet } = await importAndRun(`ours-${i}`, script, ['Literal-Pass-1', CREDS.bob.cpanelToken!]);
      assert.equal(snippet.server, c.label);
      assert.equal(snippet.family, c.request.family);
      assert.equal(snippet.account, c.request.asUser);
      const want = c.request.params.map(([name, value]) => ({
        name,
        value: name === 'password' ? '${env:CPANEL_PARAM_PASSWORD}' : String(value),
      }));
      assert.deepEqual(snippet.params, want, script);
      if (c.request.body) assert.deepEqual(snippet.body, { json: { personalization: { x: 1 } } });
    }
    // Password and session logins (this sandbox's bob signs in either way): the import is the same call.
    for (const auth of ['password', 'session'] as const) {
      const p = { ...profiles[1]!, auth };
      const imp = importRequest(generate('curl', p, { family: 'uapi', module: 'Email', function: 'list_pops', params: [] }));
      const out = importedSnippet(imp, p);
      assert.deepEqual([out.snippet.function, out.snippet.server, imp.login, imp.auth], ['Email/list_pops', 'bob-cpanel', 'bob', auth]);
      assert.ok(!out.text.includes('$token') && !out.text.includes('cpsess'));
    }
  });

  it('unknown or ambiguous input is a clear error (exit 2) naming the forms understood; nothing in it is run', async () => {
    const cases: [string, RegExp][] = [
      ['ls -la', /"ls" is not a command Import reads\. Import understands a curl command line/],
      ['', /There is nothing to import/],
      [`curl 'https://${cp}/execute/A/b'\ncurl 'https://${cp}/execute/C/d'`, /2 commands that make calls: import one at a time/],
      ["curl 'https://x:2083/execute/A/b", /single quote on line 1 is not closed/],
      [`curl -d @secrets.txt 'https://${cp}/execute/A/b'`, /reads a file, which Import does not/],
      [`curl 'https://${cp}/execute/A/b' --data-urlencode "x=$(cat /etc/passwd)"`, /uses the shell/],
      [`https://${cp}/frontend/jupiter/index.html`, /not a cPanel or WHM API call/],
      [`https://${whm}/json-api/listaccts?api.version=1&cpanel_jsonapi_user=root`, /ambiguous/],
      ['whmapi1 --output=jsonpretty', /whmapi1 needs a function name/],
    ];
    for (const [text, want] of cases) {
      const r = await cpapi(['import', text], {}, dir);
      assert.equal(r.code, 2, text);
      assert.match(r.stderr, want, text);
      assert.equal(r.stdout, '');
    }
  });

  it('reads @FILE, and names the server by host when none is configured for it', async () => {
    writeFileSync(
      join(dir, 'req.txt'),
      "curl -H'Authorization: whm root:APITOKEN' 'https://example.com:2087/json-api/version?api.version=1'\n",
    );
    const r = await cpapi(['import', '@req.txt'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { server: string }).server, 'example.com');
    assert.match(r.stderr, /No configured server matches example\.com:2087/);
  });
});
