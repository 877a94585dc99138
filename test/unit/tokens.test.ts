import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { narrow, NarrowPlan, usedWhmFunctions } from '../../src/core/tokens/narrow';
import {
  createRequest,
  describeExpiry,
  expiresAtFor,
  expiryDateProblem,
  expiryState,
  generatedTokenName,
  parseExpiryDate,
  parseIpList,
  readAclLists,
  readMyPrivs,
  readTokenList,
  rotatedExpiry,
  rotatedTokenName,
  tokenNameProblem,
  updateRequest,
} from '../../src/core/tokens/tokens';

const NOW = Date.UTC(2025, 0, 31, 14, 5, 0);
const DAY = 86_400;

describe('API token rules', () => {
  it('a name is letters, digits, "-" and "_", at most 50, and not taken', () => {
    assert.equal(tokenNameProblem('deploy_2025-01'), undefined);
    assert.equal(tokenNameProblem('a'.repeat(50)), undefined);
    assert.match(tokenNameProblem('a'.repeat(51)) ?? '', /at most 50 characters \(this one has 51\)/);
    assert.match(tokenNameProblem('my token') ?? '', /not " "/);
    assert.match(tokenNameProblem('é') ?? '', /letters, digits/);
    assert.match(tokenNameProblem('') ?? '', /Give the token a name/);
    assert.match(tokenNameProblem('deploy', ['deploy']) ?? '', /already has a token named deploy/);
  });

  it('a generated name says what made it and when, fits the rule and avoids taken names', () => {
    const n = generatedTokenName('cpanel-api-explorer', NOW);
    assert.equal(n, 'cpanel-api-explorer-20250131-1405');
    assert.equal(generatedTokenName('cpanel-api-explorer', NOW, [n]), `${n}-2`);
    const long = generatedTokenName('x'.repeat(80), NOW, ['x'.repeat(50)]);
    assert.equal(tokenNameProblem(long), undefined);
    assert.equal(rotatedTokenName('deploy-20240101-0000', NOW), 'deploy-20250131-1405');
    assert.equal(rotatedTokenName('deploy', NOW), 'deploy-20250131-1405');
  });

  it('expiry choices: never, 30/90/365 days, a date (end of that day, UTC)', () => {
    const now = Math.floor(NOW / 1000);
    assert.equal(expiresAtFor({ kind: 'never' }, NOW), undefined);
    assert.equal(expiresAtFor({ kind: 'days', days: 30 }, NOW), now + 30 * DAY);
    assert.equal(expiresAtFor({ kind: 'date', date: '2025-12-31' }, NOW), Date.UTC(2025, 11, 31, 23, 59, 59) / 1000);
    assert.equal(parseExpiryDate('2025-02-30'), undefined, 'no such day');
    assert.match(expiryDateProblem('31/12/2025', NOW) ?? '', /YYYY-MM-DD/);
    assert.match(expiryDateProblem('2025-01-30', NOW) ?? '', /has passed/);
    assert.equal(expiryDateProblem('2025-01-31', NOW), undefined, 'today still counts until its end');
    assert.throws(() => expiresAtFor({ kind: 'date', date: 'soon' }, NOW));
  });

  it('marks expired and soon-to-expire tokens, with the number of days', () => {
    const now = Math.floor(NOW / 1000);
    assert.equal(expiryState({}, NOW, 14), 'never');
    assert.equal(expiryState({ expiresAt: now - 1 }, NOW, 14), 'expired');
    assert.equal(expiryState({ expiresAt: now + 5 * DAY }, NOW, 14), 'soon');
    assert.equal(expiryState({ expiresAt: now + 5 * DAY }, NOW, 3), 'ok');
    assert.equal(expiryState({ expiresAt: now + 30 * DAY }, NOW, 14), 'ok');
    assert.equal(describeExpiry({ expiresAt: now + 5 * DAY }, NOW), 'expires in 5 days (2025-02-05)');
    assert.equal(describeExpiry({ expiresAt: now - 2 * DAY }, NOW), 'expired 2 days ago (2025-01-29)');
    assert.equal(describeExpiry({}, NOW), 'never expires');
  });

  it('a rotated token keeps its lifetime', () => {
    const created = Math.floor(NOW / 1000) - 80 * DAY;
    assert.equal(
      rotatedExpiry({ name: 'a', acls: 'all', whitelistIps: [], created, expiresAt: created + 90 * DAY }, NOW),
      Math.floor(NOW / 1000) + 90 * DAY,
    );
    assert.equal(rotatedExpiry({ name: 'a', acls: 'all', whitelistIps: [] }, NOW), undefined);
  });

  it('IP allow-lists: addresses and CIDR ranges, v4 and v6', () => {
    assert.deepEqual(parseIpList('192.0.2.1, 198.51.100.0/24 2001:db8::/32'), { ips: ['192.0.2.1', '198.51.100.0/24', '2001:db8::/32'] });
    assert.deepEqual(parseIpList(''), { ips: [] });
    assert.match((parseIpList('192.0.2.0/33') as { problem: string }).problem, /0 to 32/);
    assert.match((parseIpList('example.com') as { problem: string }).problem, /not an IPv4 or IPv6 address/);
  });

  it('builds the documented requests: acl-N or acl=all, expires_at, whitelist_ip-N; readonly for cPanel', () => {
    const w = createRequest('whm', {
      name: 'ci',
      acls: ['list-accts', 'suspend-acct'],
      expiresAt: 1_800_000_000,
      whitelistIps: ['192.0.2.1'],
    });
    assert.deepEqual(w.params, [
      ['token_name', 'ci'],
      ['acl-0', 'list-accts'],
      ['acl-1', 'suspend-acct'],
      ['expires_at', '1800000000'],
      ['whitelist_ip-0', '192.0.2.1'],
    ]);
    assert.deepEqual(createRequest('whm', { name: 'ci', acls: 'all' }).params, [
      ['token_name', 'ci'],
      ['acl', 'all'],
    ]);
    assert.deepEqual(createRequest('whm', { name: 'ci' }).params, [['token_name', 'ci']], "no acl: all of the caller's privileges");
    const c = createRequest('cpanel', { name: 'ci', readonly: true });
    assert.deepEqual(
      [c.module, c.function, c.params],
      [
        'Tokens',
        'create_full_access',
        [
          ['name', 'ci'],
          ['readonly', '1'],
        ],
      ],
    );
    assert.deepEqual(updateRequest('ci', { expiresAt: 0, whitelistIps: [] }).params, [
      ['token_name', 'ci'],
      ['expires_at', '0'],
      ['whitelist_ip', ''],
    ]);
  });

  it('reads both documented list forms and privilege maps', () => {
    const whm = readTokenList('whm', {
      tokens: {
        b: { name: 'b', acls: { 'list-accts': 1, 'kill-acct': 0 }, create_time: 1500503835, expires_at: 0 },
        a: {
          name: 'a',
          acls: ['all'],
          create_time: '1500503835',
          expires_at: 1609372800,
          whitelist_ips: ['192.0.2.1'],
          last_used: 1600000000,
        },
      },
    });
    assert.deepEqual(whm, [
      { name: 'a', acls: 'all', whitelistIps: ['192.0.2.1'], expiresAt: 1609372800, created: 1500503835, lastUsed: 1600000000 },
      { name: 'b', acls: ['list-accts'], whitelistIps: [], created: 1500503835 },
    ]);
    assert.deepEqual(readTokenList('cpanel', [{ name: 'deploy', create_time: 1, has_full_access: 1, expires_at: null }]), [
      { name: 'deploy', acls: 'all', whitelistIps: [], created: 1 },
    ]);
    assert.deepEqual(readMyPrivs({ privileges: [{ all: 0, 'list-accts': 1, passwd: 0 }] }), {
      known: ['all', 'list-accts', 'passwd'],
      held: ['list-accts'],
      all: false,
    });
    assert.deepEqual(readAclLists({ acl: [{ name: 'ro', privileges: { 'list-accts': 1, passwd: 0 } }] }), [
      { name: 'ro', acls: ['list-accts'] },
    ]);
    assert.deepEqual(readAclLists({ acls: { ro: { 'list-accts': 1 } } }), [{ name: 'ro', acls: ['list-accts'] }]);
  });
});

describe("narrowing a token's privileges by trying", () => {
  /** A server's hidden table: which ACL grants which function (some need two). */
  const GRANTS: Record<string, string[]> = { a: ['f1'], b: ['f2'], c: ['f3'], d: [], e: [], f: ['f1'], g: [], h: [] };
  const granted = (acls: string[]): Set<string> => new Set(acls.flatMap((a) => GRANTS[a] ?? []));
  const check =
    (need: string[]) =>
    async (acls: string[]): Promise<boolean> =>
      need.every((f) => granted(acls).has(f));

  it('finds a minimal set, with fewer checks than one per privilege when few are needed', async () => {
    const start = [...Object.keys(GRANTS), ...Array.from({ length: 24 }, (_, i) => `z${i}`)];
    const r = await narrow(start, check(['f2', 'f3']));
    assert.deepEqual(r.acls, ['b', 'c']);
    assert.equal(r.complete, true);
    assert.ok(r.checks < start.length, `${r.checks} checks`);
    // Minimal: no privilege left can go.
    for (const a of r.acls) assert.equal(await check(['f2', 'f3'])(r.acls.filter((x) => x !== a)), false, a);
  });

  it('of two privileges that grant the same function, keeps one', async () => {
    const r = await narrow(Object.keys(GRANTS), check(['f1']));
    assert.equal(r.acls.length, 1);
    assert.ok(['a', 'f'].includes(r.acls[0]!));
  });

  it('never proposes an empty set, and says what it kept undecided', async () => {
    const r = await narrow(['d', 'e'], check([]));
    assert.equal(r.acls.length, 1);
    assert.deepEqual(r.undecided, r.acls);
  });

  it('is bounded: at the bound it keeps what it has not decided and says it is not complete', async () => {
    const r = await narrow(Object.keys(GRANTS), check(['f1', 'f2', 'f3']), 2);
    assert.equal(r.checks, 2);
    assert.equal(r.complete, false);
    for (const f of ['f1', 'f2', 'f3']) assert.ok(granted(r.acls).has(f), 'what it proposes still grants everything');
  });

  it('asks for one verdict at a time', () => {
    const plan = new NarrowPlan(['a', 'b']);
    assert.ok(plan.next());
    assert.throws(() => plan.next(), /report/);
  });

  it('counts the WHM functions used, including those behind calls on behalf of an account', () => {
    assert.deepEqual(
      usedWhmFunctions([
        { family: 'whm', function: 'listaccts' },
        { family: 'whm', function: 'listaccts' },
        { family: 'uapi', function: 'Email/list_pops', account: 'bob' },
        { family: 'api2', function: 'Email/listpops', account: 'bob' },
        { family: 'uapi', function: 'Email/list_pops' },
      ]),
      ['cpanel', 'listaccts', 'uapi_cpanel'],
    );
  });
});
