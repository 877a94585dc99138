import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseDataTable, shapeChange, withRowsFrom } from '../../src/core/data/table';
import { serializeSnippet, type Snippet } from '../../src/core/snippets';
import type { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { addMailboxSnippet } from '../helpers/snippets';
import { CREDS, startSandbox } from '../helpers/sandbox';

/** Every flag and exit code of `cpapi run SNIPPET --data FILE`, against the sandbox. */
describe('cpapi run --data', () => {
  let sb: Sandbox;
  let dir: string;
  const env = (): Record<string, string> => ({
    CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken,
    CPANEL_BOB_CPANEL_TOKEN: CREDS.bob.cpanelToken!,
  });
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const snippet = (name: string, s: Omit<Snippet, 'version'>): string => write(name, serializeSnippet({ version: 1, ...s }));
  const run = (args: string[], e = env()): ReturnType<typeof cpapi> => cpapi(['run', ...args, '--servers', 'servers.json'], e, dir);
  const decoded = (body: string): URLSearchParams => new URLSearchParams(body);

  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'cpapi-data-'));
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    write(
      'servers.json',
      JSON.stringify({
        servers: [
          { label: 'prod-whm', host: '127.0.0.1', service: 'whm', port: sb.port('whm'), username: 'root', auth: 'token', tls },
          { label: 'bob-cpanel', host: '127.0.0.1', service: 'cpanel', port: sb.port('cpanel'), username: 'bob', auth: 'token', tls },
        ],
      }),
    );
    snippet('echo.cpanel.json', {
      server: 'bob-cpanel',
      family: 'uapi',
      function: 'Notes/echo',
      method: 'GET',
      params: [
        { name: 'text', value: '${row.text}' },
        { name: 'n', value: '${row.n}' },
      ],
    });
    write('add.cpanel.json', serializeSnippet(addMailboxSnippet('prod-whm')));
  });
  after(async () => {
    await sb.stop();
  });
  beforeEach(() => sb.clearLog());

  it('reads CSV (quoted fields, a BOM, a comma, a quote and a line break in a value), JSON arrays and JSON Lines', () => {
    const t = parseDataTable('\ufefftext,n\r\n"a, ""b""\nc",1\r\nplain,2\r\n', 'x.csv');
    assert.deepEqual(t.columns, ['text', 'n']);
    assert.deepEqual(t.rows, [
      { text: 'a, "b"\nc', n: '1' },
      { text: 'plain', n: '2' },
    ]);
    assert.deepEqual(parseDataTable('[{"a":1,"b":true},{"a":"x","c":null}]', 'x.json').rows, [
      { a: '1', b: '1', c: '' },
      { a: 'x', b: '', c: '' },
    ]);
    assert.deepEqual(parseDataTable('{"a":"1"}\n\n{"a":"2"}\n', 'x.jsonl').rows, [{ a: '1' }, { a: '2' }]);
    assert.throws(() => parseDataTable('a,a\n1,2\n', 'dup.csv'), /column "a" appears twice/);
    assert.throws(() => parseDataTable('a\n', 'empty.csv'), /has no rows/);
  });

  it('sends one call per row, the CSV value exactly as written; --results has a line per row without the answer unless asked', async () => {
    write('echo.csv', 'text,n\n"a, ""b""\nc",1\nplain,2\n');
    const r = await run(['echo.cpanel.json', '--data', 'echo.csv', '--results', 'echo.jsonl', '--results-data']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.filter((l) => /^ok {4}row [12]\s+ok\s+\d+ ms {2}text=/.test(l)).length, 2, r.stdout);
    assert.match(lines.at(-1)!, /^2 succeeded, 0 failed, 2 rows sent in \d+ ms$/);
    const sent = sb
      .requests('Notes/echo')
      .map((q) => new URL(q.path, 'https://x').searchParams.get('text'))
      .sort();
    assert.deepEqual(sent, ['a, "b"\nc', 'plain']);
    const results = readFileSync(join(dir, 'echo.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            row: number;
            ok: boolean;
            kind: string;
            status: number;
            errors: string[];
            timeMs: number;
            data: { text: string };
          },
      );
    assert.deepEqual(results.map((x) => [x.row, x.ok, x.kind, x.status]).sort(), [
      [1, true, 'ok', 200],
      [2, true, 'ok', 200],
    ]);
    assert.equal(results.find((x) => x.row === 1)!.data.text, 'a, "b"\nc');
    await run(['echo.cpanel.json', '--data', 'echo.csv', '--results', 'plain.jsonl']);
    const plain = JSON.parse(readFileSync(join(dir, 'plain.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plain), ['row', 'ok', 'kind', 'status', 'errors', 'timeMs'], 'no answer unless asked');
  });

  it('a failed row makes the exit 1; --resume sends only the rows that did not succeed (the sandbox log shows it)', async () => {
    // info@cptest.example exists already: row 2 fails.
    write('boxes.csv', 'email,password\nbulk1,Bulk-Pass-0001\ninfo,Bulk-Pass-0002\nbulk3,Bulk-Pass-0003\n');
    const first = await run(['add.cpanel.json', '--data', 'boxes.csv', '--results', 'boxes.jsonl']);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /FAIL {2}row 2 .*api_error[\s\S]*already exists/);
    assert.match(first.stdout, /2 succeeded, 1 failed, 3 rows sent/);
    for (const secret of ['Bulk-Pass-0001', 'Bulk-Pass-0002', CREDS.root.whmToken]) {
      assert.ok(
        !first.stdout.includes(secret) && !readFileSync(join(dir, 'boxes.jsonl'), 'utf8').includes(secret),
        'a secret-named column is redacted',
      );
    }
    // The password column is secret-named: it went in a POST body, never in a URL.
    assert.equal(sb.requests('uapi_cpanel').length, 3);
    for (const q of sb.requests('uapi_cpanel')) {
      assert.equal(q.method, 'POST');
      assert.ok(!q.path.includes('Bulk-Pass'));
    }
    sb.mail = sb.mail.filter((m) => m.email !== 'info@cptest.example');
    sb.clearLog();
    const again = await run(['add.cpanel.json', '--data', 'boxes.csv', '--resume', 'boxes.jsonl', '--results', 'boxes.jsonl']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const sent = sb.requests('uapi_cpanel');
    assert.equal(sent.length, 1, 'only the failed row was sent again');
    assert.equal(decoded(sent[0]!.body).get('email'), 'info');
    assert.match(again.stdout, /1 succeeded, 0 failed, 1 row sent \(2 that succeeded before not sent again\)/);
    const merged = readFileSync(join(dir, 'boxes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; ok: boolean });
    assert.deepEqual(
      merged.map((x) => [x.row, x.ok]).sort(),
      [
        [1, true],
        [2, true],
        [3, true],
      ],
      'the results file tells the whole run',
    );
  });

  it('--dry-run prints each request (method, URL, body, secrets redacted) and sends nothing', async () => {
    write('dry.csv', 'email,password\ndry1,Dry-Secret-111\n');
    const r = await run(['add.cpanel.json', '--data', 'dry.csv', '--dry-run']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^row 1 {2}POST https:\/\/127\.0\.0\.1:\d+\/json-api\/uapi_cpanel\n/);
    assert.match(r.stdout, /\n {6}email=dry1\n {6}password=\[redacted\]/);
    assert.match(r.stdout, /dry run: 1 request would be sent, 0 rows cannot be; nothing was sent\./);
    assert.ok(!r.stdout.includes('Dry-Secret-111'));
    assert.equal(sb.log.length, 0);
  });

  it('a ${row.X} that is not a column is a usage error naming it (exit 2) before anything is sent', async () => {
    write('nocol.csv', 'email\nx1\n');
    const r = await run(['add.cpanel.json', '--data', 'nocol.csv']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /The snippet uses \$\{row\.password\}, but nocol\.csv has no column "password" \(its columns: email\)\. Nothing was sent\./,
    );
    assert.equal(sb.log.length, 0);
    const plain = await cpapi(['run', 'add.cpanel.json', '--servers', 'servers.json'], env(), dir);
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /\$\{row\.email\} .*is filled only when it runs for each row of a data file \(cpapi run --data FILE\)/);
  });

  it('a destructive snippet needs --allow-destructive with the number of rows; the wrong number is refused, naming the right one', async () => {
    snippet('suspend.cpanel.json', {
      server: 'prod-whm',
      family: 'whm',
      function: 'suspendacct',
      method: 'GET',
      params: [{ name: 'user', value: '${row.user}' }],
    });
    write('users.json', '[{"user": "bob"}, {"user": "cptest"}]');
    const none = await run(['suspend.cpanel.json', '--data', 'users.json']);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /suspendacct .*removes, suspends, revokes or resets something, and this run sends 2 rows: add --allow-destructive 2 to do that\. Nothing was sent\./,
    );
    const wrong = await run(['suspend.cpanel.json', '--data', 'users.json', '--allow-destructive', '200']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /\(--allow-destructive 200 does not match\): add --allow-destructive 2/);
    assert.equal(sb.log.length, 0);
    const right = await run(['suspend.cpanel.json', '--data', 'users.json', '--allow-destructive', '2']);
    assert.equal(right.code, 0, right.stdout + right.stderr);
    assert.equal(sb.requests('suspendacct').length, 2);
    for (const a of sb.accounts) a.suspended = false;
  });

  it('--concurrency bounds the rows at once (1 to 64); JSON Lines rows', async () => {
    write('many.jsonl', Array.from({ length: 12 }, (_, i) => JSON.stringify({ text: `t${i}`, n: i })).join('\n'));
    const r = await run(['echo.cpanel.json', '--data', 'many.jsonl', '--concurrency', '3']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(sb.requests('Notes/echo').length, 12);
    assert.match(r.stdout, /12 succeeded, 0 failed, 12 rows sent/);
    for (const bad of ['0', '65', 'x']) {
      const u = await run(['echo.cpanel.json', '--data', 'many.jsonl', '--concurrency', bad]);
      assert.equal(u.code, 2, bad);
      assert.match(u.stderr, /--concurrency must be a number from 1 to 64/);
    }
  });

  it('a refused credential is tried once, not once per row; a missing secret is a usage error before anything is sent', async () => {
    write('three.csv', 'text,n\na,1\nb,2\nc,3\n');
    const r = await run(['echo.cpanel.json', '--data', 'three.csv', '--concurrency', '1'], {
      ...env(),
      CPANEL_BOB_CPANEL_TOKEN: 'WRONGTOKEN000000000000000000000X',
    });
    assert.equal(r.code, 1);
    assert.equal(sb.requests('Notes/echo').length, 1, r.stdout);
    assert.match(r.stdout, /0 succeeded, 3 failed/);
    assert.ok(!r.stdout.includes('WRONGTOKEN'));
    sb.clearLog();
    const missing = await run(['echo.cpanel.json', '--data', 'three.csv'], { CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /CPANEL_BOB_CPANEL_TOKEN/);
    assert.equal(sb.log.length, 0);
  });

  it('a row whose request cannot be built fails alone; a row value is never read as a placeholder', async () => {
    snippet('as.cpanel.json', {
      server: 'prod-whm',
      family: 'uapi',
      function: 'Notes/echo',
      account: '${row.account}',
      method: 'GET',
      params: [{ name: 'text', value: '${row.text}' }],
    });
    write('as.csv', 'account,text\nBad User,x\nbob,${env:CPANEL_PROD_WHM_TOKEN}\n');
    const r = await run(['as.cpanel.json', '--data', 'as.csv']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL {2}row 1 .*config_error[\s\S]*not a cPanel username/);
    const sent = sb.requests('uapi_cpanel');
    assert.equal(sent.length, 1, JSON.stringify(sent));
    assert.equal(
      new URL(sent[0]!.path, 'https://x').searchParams.get('text'),
      '${env:CPANEL_PROD_WHM_TOKEN}',
      'sent as written, not filled from the environment',
    );
  });
});

/** Retry Failed Rows reads the file again: what it may take from it, and what it must say first. */
describe('a data file read again', () => {
  const first = parseDataTable('email,password\nrow1,Pass-One\nrow2,Pass-Two\nrow3,Pass-Three\n', 'boxes.csv');

  it('with the same shape, gives the failed rows their current values and keeps the others as first read', () => {
    const now = parseDataTable('email,password\nrow1-edited,Pass-One\nrow2-fixed,Pass-Two\nrow3,Pass-Three\n', 'boxes.csv');
    assert.equal(shapeChange(first, now), undefined);
    const { table, changed } = withRowsFrom(first, now, [2, 3]);
    assert.deepEqual(
      table.rows.map((r) => r.email),
      ['row1', 'row2-fixed', 'row3'],
      'row 1 succeeded: sent as it was',
    );
    assert.equal(changed, 1);
    // Columns in another order are the same columns.
    assert.equal(shapeChange(first, parseDataTable('password,email\na,b\nc,d\ne,f\n', 'boxes.csv')), undefined);
  });

  it('says what changed in the header and the number of rows, naming no value', () => {
    const now = parseDataTable('mail,password,domain\nrow1,Pass-One,x\nrow2,Pass-Two,x\n', 'boxes.csv');
    const said = shapeChange(first, now);
    assert.equal(said, 'the column "email" is gone; the columns "mail", "domain" are new; it has 2 rows, not 3');
    assert.ok(!/Pass-/.test(said!));
    assert.equal(shapeChange(first, parseDataTable('email,password\nrow1,Pass-One\n', 'boxes.csv')), 'it has 1 row, not 3');
  });
});
