import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineFan } from '../../src/core/fanout';
import type { ApiResult } from '../../src/core/result';
import { parseServersCsv, serversToCsv } from '../../src/core/serverCsv';
import { groupsOf, parseServersJson, serversToJson } from '../../src/core/serverFile';
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
    assert.deepEqual(profiles.map((p) => [p.label, p.host, p.service, p.port, p.auth, p.twoFactor, p.groups, p.tls.mode]), [
      ['eu, one', 'eu1.example.net', 'whm', 2087, 'token', 'none', ['eu', 'shared'], 'pinned'],
      ['us-1', 'us1.example.net', 'cpanel', 2083, 'password', 'header', ['us'], 'system'],
    ]);
    const again = parseServersCsv(serversToCsv(profiles), 'again.csv');
    assert.deepEqual(again.profiles, profiles);
    assert.deepEqual(parseServersJson(serversToJson(profiles), 'x.json').profiles, profiles);
    assert.deepEqual([...groupsOf(profiles)].map(([g, ps]) => [g, ps.map((p) => p.label)]), [['eu', ['eu, one']], ['shared', ['eu, one']], ['us', ['us-1']]]);
  });

  it('refuses a file with a secret in it, bad rows and duplicate labels, naming each', () => {
    assert.match(parseServersCsv('label,host,service,username,auth,password\nx,h,whm,root,token,hunter2\n', 'a.csv').problems[0]!, /Server "x" in a\.csv has a "password": secrets never go in the servers file/);
    assert.match(parseServersJson('{"servers":[{"label":"x","host":"h","apiToken":"T"}]}', 'b.json').problems[0]!, /"apiToken"/);
    assert.match(parseServersCsv('label,host\n"unterminated,h\n', 'c.csv').problems[0]!, /c\.csv is not valid CSV/);
    assert.match(parseServersCsv('label,host,service,username,auth,port\nx,h,whm,root,token,port-ish\n', 'd.csv').problems[0]!, /Server "x" in d\.csv: "port" must be a number/);
    assert.match(parseServersJson('[{"label":"x","host":"a","service":"whm","username":"root","auth":"token"},{"label":"x","host":"b","service":"whm","username":"root","auth":"token"}]', 'e.json').problems[0]!, /Two servers in e\.json are labelled "x"/);
    assert.match(parseServersJson('{"nope":1}', 'f.json').problems[0]!, /must hold a list of servers/);
  });
});

describe('a fan-out as one table', () => {
  const p = (label: string): ServerProfile => ({ id: label, label, host: 'h', service: 'whm', secure: true, port: 2087, username: 'root', auth: 'token', twoFactor: 'none', tls: { mode: 'system' } });
  const r = (over: Partial<ApiResult>): ApiResult => ({ ok: true, kind: 'ok', status: 200, data: null, errors: [], warnings: [], messages: [], metadata: {}, raw: '', contentType: '', timings: { headersMs: 1, totalMs: 7 }, request: { method: 'GET', url: '', family: 'whm', function: 'listaccts' }, ...over });
  it('puts server and account before each target\'s rows, and lists failures with their hint', () => {
    const s = combineFan([
      { target: { profile: p('eu-1') }, result: r({ data: { acct: [{ user: 'bob' }, { user: 'amy' }] } }) },
      { target: { profile: p('eu-2'), account: 'cptest' }, result: r({ data: { version: '11.138' } }) },
      { target: { profile: p('eu-3') }, result: r({ ok: false, kind: 'network_error', status: 0, hint: 'Nothing is listening on 127.0.0.1:1.' }) },
    ]);
    assert.deepEqual(s.rows, [{ server: 'eu-1', user: 'bob' }, { server: 'eu-1', user: 'amy' }, { server: 'eu-2', account: 'cptest', version: '11.138' }]);
    assert.deepEqual([s.ok, s.failed], [2, 1]);
    assert.deepEqual(s.targets.map((t) => [t.server, t.verdict, t.rows, t.hint]), [['eu-1', 'OK', 2, undefined], ['eu-2', 'OK', 1, undefined], ['eu-3', 'network_error', 0, 'Nothing is listening on 127.0.0.1:1.']]);
  });
});
