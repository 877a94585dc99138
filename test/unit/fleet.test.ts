import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineFan } from '../../src/core/fanout';
import type { ApiResult } from '../../src/core/result';
import { parseServersCsv, serversToCsv } from '../../src/core/serverCsv';
import { groupsOf, isSecretName, parseServersJson, serversToJson } from '../../src/core/serverFile';
import { planImport } from '../../src/core/serverImport';
import type { ServerProfile } from '../../src/core/servers';

const FP = 'AB:'.repeat(31) + 'AB';

describe('servers files: import and export', () => {
  it('reads CSV with quoted fields, groups and a pinned certificate, and writes it back the same', () => {
    const csv = [
      'label,host,service,port,username,auth,twoFactor,groups,tls,fingerprint256',
      `"eu, one",eu1.example.net,whm,2087,root,token,none,eu;shared,pinned,${FP}`,
      'us-1,us1.example.net,cpanel,,bob,password,header,us,,',
    ].join('\r\n');
    const { profiles, problems } = parseServersCsv(`\ufeff${csv}\r\n`, 'servers.csv');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      profiles.map((p) => [p.label, p.host, p.service, p.port, p.auth, p.twoFactor, p.groups, p.tls.mode]),
      [
        ['eu, one', 'eu1.example.net', 'whm', 2087, 'token', 'none', ['eu', 'shared'], 'pinned'],
        ['us-1', 'us1.example.net', 'cpanel', 2083, 'password', 'header', ['us'], 'system'],
      ],
    );
    const again = parseServersCsv(serversToCsv(profiles), 'again.csv');
    assert.deepEqual(again.profiles, profiles);
    assert.deepEqual(parseServersJson(serversToJson(profiles), 'x.json').profiles, profiles);
    assert.deepEqual(
      [...groupsOf(profiles)].map(([g, ps]) => [g, ps.map((p) => p.label)]),
      [
        ['eu', ['eu, one']],
        ['shared', ['eu, one']],
        ['us', ['us-1']],
      ],
    );
  });

  it('refuses a file with a secret in it, bad rows and duplicate labels, naming each', () => {
    assert.match(
      parseServersCsv('label,host,service,username,auth,password\nx,h,whm,root,token,hunter2\n', 'a.csv').problems[0]!,
      /a\.csv has a column "password", which would hold a secret: secrets never go in the servers file/,
    );
    assert.match(parseServersJson('{"servers":[{"label":"x","host":"h","apiToken":"T"}]}', 'b.json').problems[0]!, /"apiToken"/);
    assert.match(parseServersCsv('label,host\n"unterminated,h\n', 'c.csv').problems[0]!, /c\.csv is not valid CSV/);
    assert.match(
      parseServersCsv('label,host,service,username,auth,port\nx,h,whm,root,token,port-ish\n', 'd.csv').problems[0]!,
      /Server "x" in d\.csv: "port" must be a number/,
    );
    assert.match(
      parseServersJson(
        '[{"label":"x","host":"a","service":"whm","username":"root","auth":"token"},{"label":"x","host":"b","service":"whm","username":"root","auth":"token"}]',
        'e.json',
      ).problems[0]!,
      /Two servers in e\.json are labelled "x"/,
    );
    assert.match(parseServersJson('{"nope":1}', 'f.json').problems[0]!, /must hold a list of servers/);
  });
});

const SERVER: ServerProfile = {
  id: 'x',
  label: 'x',
  host: 'h.example',
  service: 'whm',
  secure: true,
  port: 2087,
  username: 'root',
  auth: 'token',
  twoFactor: 'none',
  tls: { mode: 'system' },
};

describe('servers files: secrets, ids and spreadsheets', () => {
  const SECRET_COLUMNS = [
    'password',
    'pass',
    'passwd',
    'pwd',
    'secret',
    'token',
    'api_key',
    'apikey',
    'api_token',
    'cpanel_token',
    'whm_token',
    'accesshash',
    'access_hash',
    'hash',
    'otp',
    'totp',
    'totp_secret',
    'tfa',
    'private_key',
    'key',
    'API-Key',
    'Password',
    'root_pass',
    'ssh_key',
    'tfa_token',
    'otpauth_url',
  ];

  it('refuses a whole file with a column or key that names a secret, even when its cells are empty, naming it', () => {
    for (const col of SECRET_COLUMNS) {
      const csv = parseServersCsv(
        `label,host,service,username,auth,${col}\na,a.example,whm,root,token,\nb,b.example,whm,root,token,hunter2\n`,
        's.csv',
      );
      assert.deepEqual(csv.profiles, [], col);
      assert.equal(csv.problems.length, 1, col);
      const says = new RegExp(
        `^s\\.csv has a column "${col}", which would hold a secret: .*nothing was read from it\\. .*Set Credentials…`,
      );
      assert.match(csv.problems[0]!, says, col);
      assert.ok(!csv.problems[0]!.includes('hunter2'));
      const json = parseServersJson(
        JSON.stringify([
          { ...SERVER, label: 'a' },
          { ...SERVER, label: 'b', [col]: 'hunter2' },
        ]),
        's.json',
      );
      assert.deepEqual(json.profiles, [], col);
      assert.match(json.problems.join(' '), new RegExp(`s\\.json has a "${col}" \\(server "b"\\), which would hold a secret`), col);
    }
    const nested = JSON.stringify({ servers: [{ ...SERVER, tls: { mode: 'system', privateKey: 'K' } }] });
    assert.match(parseServersJson(nested, 't.json').problems[0]!, /has a "tls\.privateKey"/);
    assert.match(parseServersJson(JSON.stringify({ servers: [SERVER], apiToken: 'T' }), 'u.json').problems[0]!, /u\.json has a "apiToken"/);
    const known = [
      'label',
      'host',
      'service',
      'secure',
      'port',
      'username',
      'auth',
      'twoFactor',
      'groups',
      'tls',
      'fingerprint256',
      'caFile',
      'id',
      'mode',
    ];
    for (const name of [...known, 'notes', 'region', 'keyboard']) {
      assert.equal(isSecretName(name), false, name);
    }
  });

  it('ignores unknown columns that are not secrets, as before', () => {
    const { profiles, problems } = parseServersCsv(
      'label,host,service,username,auth,notes,region\na,a.example,whm,root,token,call Bob,eu\n',
      'n.csv',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      profiles.map((p) => [p.label, p.host]),
      [['a', 'a.example']],
    );
  });

  it('never takes an id from a file, and never writes one', () => {
    const json = parseServersJson(
      JSON.stringify([
        { ...SERVER, id: 'fleet-1', label: 'a' },
        { ...SERVER, id: 'fleet-1', label: 'b' },
      ]),
      'i.json',
    );
    assert.deepEqual(json.problems, []);
    assert.deepEqual(
      json.profiles.map((p) => [p.label, p.id]),
      [
        ['a', 'a'],
        ['b', 'b'],
      ],
      'named by label, whatever id the file says',
    );
    const csv = parseServersCsv('label,host,service,username,auth,id\na,a.example,whm,root,token,fleet-1\n', 'i.csv');
    assert.deepEqual(
      csv.profiles.map((p) => p.id),
      ['a'],
    );
    const out = [{ ...SERVER, id: '6f1c0de4-secret-store-key' }];
    assert.ok(!serversToCsv(out).includes('6f1c0de4') && !/(^|,)id(,|\r)/.test(serversToCsv(out).split('\r\n')[0]!), 'no id column');
    assert.ok(!serversToJson(out).includes('6f1c0de4') && !('id' in (JSON.parse(serversToJson(out)) as { servers: object[] }).servers[0]!));
  });

  it('gives back from its CSV export the same servers: formula-looking labels, groups and usernames, commas and quotes', () => {
    const mk = (label: string, over: Partial<ServerProfile> = {}): ServerProfile => ({ ...SERVER, id: label, label, ...over });
    const servers = [
      mk('=prod', { groups: ['-eu', 'shared'] }),
      mk('-eu', { groups: ['-x'] }),
      mk('@x', { username: '@bob' }),
      mk('+a', { username: '-root' }),
      mk("'quoted"),
      mk("'=x"),
      mk("''"),
      mk('-1'),
      mk('eu, "one"; two', { tls: { mode: 'pinned', fingerprint256: FP } }),
    ];
    const csv = serversToCsv(servers);
    // What a spreadsheet would run as a formula is neutralized in the file.
    for (const line of csv.split('\r\n').slice(1, -1)) assert.doesNotMatch(line, /^[=+@]|^-(?!1,)/, line);
    assert.match(csv, /\r\n'=prod,/);
    assert.match(csv, /,'-eu;shared,/);
    const back = parseServersCsv(csv, 'round.csv');
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.profiles, servers);
  });

  it('refuses a label with a line break or markup in a file, saying why', () => {
    const text = 'label,host,service,username,auth\n"two\nlines",a.example,whm,root,token\n"<b>x</b>",b.example,whm,root,token\n';
    const { problems } = parseServersCsv(text, 'l.csv');
    assert.match(problems[0]!, /Server "two\\u000Alines" in l\.csv: The label "two\\u000Alines" has a control character \(U\+000A\)/);
    assert.match(problems[1]!, /"<" or ">"/);
  });
});

describe('Import Servers: what a file may replace', () => {
  const ids = (): (() => string) => {
    let n = 0;
    return () => `new-${++n}`;
  };
  const existing = [
    { ...SERVER, id: 'id-prod', label: 'prod' },
    { ...SERVER, id: 'id-eu', label: 'eu', host: 'eu.example' },
  ];

  it('a new server always gets a fresh id, whatever the file says, so it has no credentials', () => {
    const file = [
      { ...SERVER, id: 'id-prod', label: 'evil', host: 'evil.example' },
      { ...SERVER, id: 'id-prod', label: 'evil-2' },
    ];
    const plan = planImport(existing, file, false, ids());
    assert.deepEqual(plan.writes, [
      { profile: { ...SERVER, id: 'new-1', label: 'evil', host: 'evil.example' } },
      { profile: { ...SERVER, id: 'new-2', label: 'evil-2' } },
    ]);
    assert.deepEqual([plan.retired, plan.notes, plan.kept], [[], [], 0]);
    // A fresh id never repeats one in use.
    const clashing = ['id-prod', 'id-eu', 'ok'];
    assert.equal(planImport(existing, [{ ...SERVER, label: 'n' }], false, () => clashing.shift()!).writes[0]!.profile.id, 'ok');
  });

  it('a server replaced by label keeps its id only when its credentials would go to the same place', () => {
    const plan = planImport(
      existing,
      [
        { ...SERVER, id: 'zzz', label: 'prod', auth: 'password', groups: ['a'] },
        { ...SERVER, id: 'id-prod', label: 'eu', host: 'evil.example' },
        { ...SERVER, label: 'new' },
      ],
      true,
      ids(),
    );
    assert.deepEqual(plan.writes, [
      { profile: { ...SERVER, id: 'id-prod', label: 'prod', auth: 'password', groups: ['a'] }, replaces: 'id-prod' },
      { profile: { ...SERVER, id: 'new-1', label: 'eu', host: 'evil.example' }, replaces: 'id-eu' },
      { profile: { ...SERVER, id: 'new-2', label: 'new' } },
    ]);
    assert.deepEqual(plan.retired, ['id-eu']);
    assert.deepEqual(plan.notes, ['eu: host changed, so its stored credentials were not carried over; set them with Set Credentials….']);
    for (const [over, says] of [
      [{ port: 2086 }, 'port'],
      [{ service: 'cpanel' }, 'service'],
      [{ secure: false }, 'connection (HTTPS or plain HTTP)'],
      [{ username: 'admin' }, 'username'],
      [{ tls: { mode: 'pinned', fingerprint256: FP } }, 'certificate trust (pin or CA file)'],
      [{ host: 'other.example', port: 1 }, 'host and port'],
    ] as const) {
      const p = planImport(existing, [{ ...existing[0]!, ...over } as ServerProfile], true, ids());
      assert.equal(p.writes[0]!.profile.id, 'new-1', says);
      assert.deepEqual(p.notes, [
        `prod: ${says} changed, so its stored credentials were not carried over; set them with Set Credentials….`,
      ]);
    }
    const upper = planImport(existing, [{ ...existing[0]!, host: 'H.EXAMPLE' }], true, ids());
    assert.equal(upper.writes[0]!.profile.id, 'id-prod', 'a host is the same in any case');
    assert.deepEqual(planImport(existing, [{ ...existing[0]! }], false, ids()), { writes: [], retired: [], notes: [], kept: 1 });
  });
});

describe('a fan-out as one table', () => {
  const p = (label: string): ServerProfile => ({
    id: label,
    label,
    host: 'h',
    service: 'whm',
    secure: true,
    port: 2087,
    username: 'root',
    auth: 'token',
    twoFactor: 'none',
    tls: { mode: 'system' },
  });
  const r = (over: Partial<ApiResult>): ApiResult => ({
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
    timings: { headersMs: 1, totalMs: 7 },
    request: { method: 'GET', url: '', family: 'whm', function: 'listaccts' },
    ...over,
  });
  it("puts server and account before each target's rows, and lists failures with their hint", () => {
    const s = combineFan([
      { target: { profile: p('eu-1') }, result: r({ data: { acct: [{ user: 'bob' }, { user: 'amy' }] } }) },
      { target: { profile: p('eu-2'), account: 'cptest' }, result: r({ data: { version: '11.138' } }) },
      {
        target: { profile: p('eu-3') },
        result: r({ ok: false, kind: 'network_error', status: 0, hint: 'Nothing is listening on 127.0.0.1:1.' }),
      },
    ]);
    assert.deepEqual(s.rows, [
      { server: 'eu-1', user: 'bob' },
      { server: 'eu-1', user: 'amy' },
      { server: 'eu-2', account: 'cptest', version: '11.138' },
    ]);
    assert.deepEqual([s.ok, s.failed], [2, 1]);
    assert.deepEqual(
      s.targets.map((t) => [t.server, t.verdict, t.rows, t.hint]),
      [
        ['eu-1', 'OK', 2, undefined],
        ['eu-2', 'OK', 1, undefined],
        ['eu-3', 'network_error', 0, 'Nothing is listening on 127.0.0.1:1.'],
      ],
    );
  });
});
