import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyRetention,
  dayLabel,
  entryRequest,
  historyEntry,
  redactText,
  storedAnswer,
  withheldParams,
  type HistoryEntry,
} from '../../src/core/history';
import type { ServerProfile } from '../../src/core/servers';
import { withSecretPlaceholders, type Snippet } from '../../src/core/snippets';
import { parsePhases, phaseLine, phaseSteps } from '../../src/core/phases';
import { formatMs, parseResultMessage } from '../../src/shared/resultProtocol';
import { at, cellText, columnsOf, csvField, findTables, isNumericColumn, mainTable, rowsOf, toCsv } from '../../src/shared/tabular';
import { okResult } from '../helpers/results';

const result = okResult;

const profile: ServerProfile = {
  id: 'p1',
  label: 'prod',
  host: 'h',
  service: 'whm',
  secure: true,
  port: 2087,
  username: 'root',
  auth: 'token',
  twoFactor: 'none',
  tls: { mode: 'system' },
};

describe('answers as tables', () => {
  it("finds the list of each family's answer, shallowest first, and nested lists in the first row", () => {
    const whm = {
      acct: [
        { user: 'bob', domains: [{ d: 'a' }] },
        { user: 'cptest', domains: [] },
      ],
      total: 2,
    };
    const found = findTables(whm);
    assert.deepEqual(
      found.map((c) => [c.label, c.rows]),
      [
        ['data.acct', 2],
        ['data.acct[0].domains', 1],
      ],
    );
    assert.equal(found[mainTable(found)]!.label, 'data.acct');
    assert.deepEqual(at(whm, found[1]!.path), [{ d: 'a' }]);
    assert.deepEqual(
      findTables([{ email: 'a' }]).map((c) => c.label),
      ['data'],
    );
    assert.deepEqual(findTables({ version: '11.138' }), [], 'no list: nothing to tabulate');
    assert.deepEqual(
      findTables({ 'odd key': [1, 2] }).map((c) => c.label),
      ['data["odd key"]'],
    );
  });

  it('columns in order of appearance, scalars as one value column, cells as one line', () => {
    const rows = rowsOf([{ a: 1, b: { x: 1 } }, { c: null, a: 2 }, 'plain']);
    assert.deepEqual(columnsOf(rows), ['a', 'b', 'c', 'value']);
    assert.deepEqual(
      columnsOf([{ plan: 'p', suspended: 0, domain: 'd', user: 'u' }]),
      ['user', 'domain', 'plan', 'suspended'],
      'naming columns first',
    );
    assert.deepEqual([cellText(rows[0]!.b), cellText(null), cellText(true), cellText('x\ny')], ['{"x":1}', '', 'true', 'x\ny']);
    assert.equal(isNumericColumn(rowsOf([{ n: 10 }, { n: '9' }, { n: '' }]), 'n'), true);
    assert.equal(isNumericColumn(rowsOf([{ n: 10 }, { n: '10M' }]), 'n'), false);
  });

  it('CSV: RFC 4180 quoting, CRLF, and values a spreadsheet would run as formulas made inert', () => {
    assert.equal(
      toCsv(
        ['a', 'b'],
        [
          { a: 'x,y', b: 'say "hi"' },
          { a: '=HYPERLINK("http://evil")', b: -5 },
          { a: 'l1\nl2', b: '+1' },
        ],
      ),
      'a,b\r\n"x,y","say ""hi"""\r\n"\'=HYPERLINK(""http://evil"")",-5\r\n"l1\nl2",\'+1\r\n',
    );
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-12.5'), '-12.5');
  });
});

describe('the history keeps no secret', () => {
  it('withholds secret-looking parameter values and JSON body fields, and keeps the rest of the request', () => {
    const req = {
      family: 'uapi' as const,
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'a'],
        ['password', 's3cret'],
        ['quota', 10],
      ] as [string, string | number][],
      asUser: 'bob',
      body: { kind: 'json' as const, text: '{"names":["x"],"api_token":"T0K"}' },
    };
    const e = historyEntry(profile, req, result({ raw: 'x'.repeat(10) }), 'palette', 1_000, 5);
    assert.deepEqual(e.params, [
      ['email', 'a'],
      ['password', '[redacted]'],
      ['quota', '10'],
    ]);
    assert.deepEqual(e.body, { kind: 'json', text: '{"names":["x"],"api_token":"[redacted]"}' });
    assert.equal(e.answerKept, false, '10 bytes is over a 5-byte cap');
    assert.deepEqual(withheldParams(e), ['password']);
    assert.deepEqual(entryRequest(e, { password: 'typed' }).params, [
      ['email', 'a'],
      ['password', 'typed'],
      ['quota', '10'],
    ]);
    assert.equal(entryRequest(e).module, 'Email');
  });

  it('stores answers without the unredacted body, session links or secret-named values', () => {
    const r = result({
      raw: '{"data":{"url":"https://h:2083/cpsess1234567890/login/?session=root%3aabc","cp_security_token":"/cpsess1234567890","user":"bob"}}',
      rawUnredacted: 'SECRET',
      data: { url: 'https://h:2083/cpsess1234567890/login/?session=root%3aabc', cp_security_token: '/cpsess1234567890', user: 'bob' },
    });
    const s = storedAnswer(r);
    const text = JSON.stringify(s);
    assert.ok(!text.includes('cpsess1234567890') && !text.includes('root%3aabc') && !text.includes('SECRET'), text);
    assert.equal((s.data as { user: string }).user, 'bob');
    assert.equal(redactText('{"password": "p\\"w", "ok": "fine"}'), '{"password": "[redacted]", "ok": "fine"}');
  });

  it('retention keeps the newest within the count and the age', () => {
    const day = 86_400_000;
    const now = 100 * day;
    const e = (id: string, time: number): HistoryEntry => ({
      ...historyEntry(profile, { family: 'whm', function: 'x', params: [] }, result(), 'test', time, 1e6),
      id,
    });
    const { keep, drop } = applyRetention(
      [e('old', now - 40 * day), e('a', now - 1), e('b', now - 2), e('c', now - 3)],
      { maxEntries: 2, maxDays: 30 },
      now,
    );
    assert.deepEqual(
      keep.map((x) => x.id),
      ['a', 'b'],
    );
    assert.deepEqual(drop.map((x) => x.id).sort(), ['c', 'old']);
    const noon = new Date(2026, 11, 1, 12).getTime();
    assert.deepEqual([dayLabel(noon - 3600_000, noon), dayLabel(noon - day, noon)], ['Today', 'Yesterday']);
    assert.match(dayLabel(noon - 5 * day, noon), /2026/);
  });

  it('a snippet saved from a result holds ${env:…} placeholders, never the typed secret', () => {
    const s: Snippet = {
      version: 1,
      server: 'prod',
      family: 'uapi',
      function: 'Email/add_pop',
      method: 'GET',
      params: [
        { name: 'email', value: 'a' },
        { name: 'password', value: 'hunter2' },
        { name: 'passwd', value: '${env:MINE}' },
        { name: 'token', value: '' },
      ],
    };
    const { snippet, replaced } = withSecretPlaceholders(s);
    assert.deepEqual(snippet.params, [
      { name: 'email', value: 'a' },
      { name: 'password', value: '${env:CPANEL_PARAM_PASSWORD}' },
      { name: 'passwd', value: '${env:MINE}' },
      { name: 'token', value: '' },
    ]);
    assert.deepEqual(replaced, [{ name: 'password', env: 'CPANEL_PARAM_PASSWORD' }]);
  });
});

describe('result view messages', () => {
  it('accepts what the view sends and nothing else', () => {
    assert.deepEqual(parseResultMessage({ type: 'action', action: 'nextPage' }), { type: 'action', action: 'nextPage' });
    assert.deepEqual(parseResultMessage({ type: 'export', format: 'csv', table: 0, rows: [2, 0, 1], columns: ['user'] }), {
      type: 'export',
      format: 'csv',
      table: 0,
      rows: [2, 0, 1],
      columns: ['user'],
    });
    for (const bad of [
      { type: 'action', action: 'deleteEverything' },
      { type: 'export', format: 'xlsx', table: 0, rows: [], columns: [] },
      { type: 'export', format: 'csv', table: -1, rows: [], columns: [] },
      { type: 'export', format: 'csv', table: 0, rows: [1.5], columns: [] },
      { type: 'copyText', text: 5, what: 'x' },
      { type: 'openExternal', url: 'https://evil.example' },
      null,
      'ready',
    ])
      assert.equal(parseResultMessage(bad), undefined, JSON.stringify(bad));
  });
});

describe('where the time of a call went', () => {
  const fresh = {
    connection: 'new' as const,
    queueMs: 0,
    dnsMs: 12.3,
    connectMs: 0.4,
    tlsMs: 5.25,
    sendMs: 0.1,
    waitMs: 71.6,
    downloadMs: 2,
  };
  const reused = { connection: 'reused' as const, queueMs: 3, sendMs: 0, waitMs: 12, downloadMs: 0.2, loginMs: 140 };

  it('lists the phases in the order they happen, a connection’s set-up only when the call opened one', () => {
    assert.deepEqual(
      phaseSteps(fresh).map((s) => s.name),
      ['DNS', 'connect', 'TLS', 'send', 'wait', 'download'],
    );
    assert.deepEqual(
      phaseSteps(reused).map((s) => s.name),
      ['login', 'queued', 'send', 'wait', 'download'],
    );
    assert.deepEqual(
      phaseSteps({ ...fresh, tlsMs: 0 }).map((s) => s.name),
      ['DNS', 'connect', 'send', 'wait', 'download'],
      'plain HTTP has no TLS phase',
    );
  });

  it('says them as a person reads them: a tenth below 10 ms, whole above', () => {
    assert.equal(formatMs(0), '0 ms');
    assert.equal(formatMs(5.25), '5.3 ms');
    assert.equal(formatMs(71.6), '72 ms');
    assert.equal(formatMs(12_345), '12,345 ms');
    assert.equal(phaseLine(fresh), 'new connection: DNS 12 ms · connect 0.4 ms · TLS 5.3 ms · send 0.1 ms · wait 72 ms · download 2 ms');
    assert.equal(phaseLine(reused), 'reused connection: login 140 ms · queued 3 ms · send 0 ms · wait 12 ms · download 0.2 ms');
  });

  it('History keeps them with the entry, and reads back only well-formed ones', () => {
    const e = historyEntry(
      profile,
      { family: 'whm', function: 'x', params: [] },
      result({ timings: { headersMs: 80, totalMs: 90, phases: fresh } }),
      'palette',
      1_000,
      1e6,
    );
    assert.deepEqual(e.phases, fresh);
    assert.deepEqual(parsePhases(JSON.parse(JSON.stringify(e.phases))), fresh);
    assert.equal(historyEntry(profile, { family: 'whm', function: 'x', params: [] }, result(), 'palette', 1_000, 1e6).phases, undefined);
    for (const bad of [
      null,
      'x',
      { ...fresh, connection: 'old' },
      { ...fresh, waitMs: -1 },
      { ...fresh, tlsMs: '5' },
      { ...reused, sendMs: undefined },
    ])
      assert.equal(parsePhases(bad), undefined, JSON.stringify(bad));
  });
});
