import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiRequest } from '../../src/core/api/request';
import type { CpanelClient } from '../../src/core/client';
import { readTokenList, tokenValueOf } from '../../src/core/tokens/tokens';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

/** The sandbox's API token functions, as cPanel documents them, through the real client over HTTPS. */
describe('sandbox API tokens', () => {
  let sb: Sandbox;
  let now = Date.now();
  let root: CpanelClient;
  before(async () => {
    sb = await startSandbox({ now: () => now });
    root = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken });
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });
  const whm = (fn: string, params: [string, string][] = []): ApiRequest => ({ family: 'whm', function: fn, params, method: 'POST' });
  /** A client signing in as root with `token`. */
  const as = (token: string): CpanelClient => client(profile(sb, 'whm', { auth: 'token', id: `t-${token.slice(0, 6)}` }), { token });
  /** Creates a token and returns its value (read from the raw answer, as only a test may). */
  async function create(params: [string, string][], by = root): Promise<string> {
    let value = '';
    const r = await by.call(whm('api_token_create', params), { secretsInAnswer: (a) => [(value = tokenValueOf(a) ?? '')] });
    assert.ok(r.ok, r.hint);
    assert.doesNotMatch(JSON.stringify(r), new RegExp(value), 'the client scrubbed the value it learnt');
    return value;
  }

  it("keeps the sandbox's own tokens working with full access, and lists them", async () => {
    const r = await root.call(whm('api_token_list'));
    assert.ok(r.ok);
    const list = readTokenList('whm', r.data);
    assert.deepEqual(
      list.map((t) => [t.name, t.acls]),
      [['sandbox', 'all']],
    );
    assert.ok(list[0]!.lastUsed, 'last use recorded');
    const apps = await root.call(whm('applist'));
    assert.ok((apps.data as { app: string[] }).app.includes('removeacct'));
  });

  it('refuses a bad name, "all" for a caller without it, and an unknown or unheld privilege', async () => {
    for (const [params, reason] of [
      [[['token_name', 'bad name']], /may only contain letters/],
      [[['token_name', 'x'.repeat(51)]], /50 characters/],
      [[['token_name', 'sandbox']], /already exists/],
      [
        [
          ['token_name', 'ok'],
          ['acl-0', 'no-such-acl'],
        ],
        /Unknown privilege/,
      ],
      [
        [
          ['token_name', 'ok'],
          ['expires_at', String(Math.floor(now / 1000) - 10)],
        ],
        /in the future/,
      ],
      [
        [
          ['token_name', 'ok'],
          ['whitelist_ip-0', '300.1.1.1'],
        ],
        /not a valid IP/,
      ],
    ] as [[string, string][], RegExp][]) {
      const r = await root.call(whm('api_token_create', params));
      assert.equal(r.ok, false);
      assert.match(r.errors.join(' ') + r.hint, reason);
    }
    const limited = as(
      await create([
        ['token_name', 'limited'],
        ['acl-0', 'list-accts'],
        ['acl-1', 'manage-api-tokens'],
      ]),
    );
    const all = await limited.call(
      whm('api_token_create', [
        ['token_name', 'more'],
        ['acl', 'all'],
      ]),
    );
    assert.match(all.hint ?? '', /cannot assign the “all” privilege/);
    const unheld = await limited.call(
      whm('api_token_create', [
        ['token_name', 'more'],
        ['acl-0', 'kill-acct'],
      ]),
    );
    assert.match(unheld.hint ?? '', /do not have: kill-acct/);
  });

  it("a token's ACLs limit applist and the calls it may make", async () => {
    const t = as(
      await create([
        ['token_name', 'lister'],
        ['acl-0', 'list-accts'],
      ]),
    );
    const apps = (await t.call(whm('applist'))).data as { app: string[] };
    assert.ok(apps.app.includes('listaccts') && apps.app.includes('version'));
    assert.ok(!apps.app.includes('removeacct') && !apps.app.includes('listpkgs'));
    assert.ok((await t.call(whm('listaccts'))).ok);
    const refused = await t.call(whm('listpkgs'));
    assert.match(refused.errors.join(' '), /Unknown app/);
    const privs = (await t.call(whm('myprivs'))).data as { privileges: Record<string, number>[] };
    assert.equal(privs.privileges[0]!['list-accts'], 1);
    assert.equal(privs.privileges[0]!.all, 0);
  });

  it('honours expires_at (kept and refused once past), the IP allow-list, and revocation', async () => {
    const soon = as(
      await create([
        ['token_name', 'soon'],
        ['expires_at', String(Math.floor(now / 1000) + 60)],
      ]),
    );
    assert.ok((await soon.call(whm('version'))).ok);
    now += 61_000;
    assert.equal((await soon.call(whm('version'))).kind, 'auth_error');
    const listed = readTokenList('whm', (await root.call(whm('api_token_list'))).data);
    assert.ok(
      listed.some((x) => x.name === 'soon'),
      'an expired token is not deleted',
    );

    const elsewhere = as(
      await create([
        ['token_name', 'elsewhere'],
        ['whitelist_ip-0', '192.0.2.0/24'],
      ]),
    );
    assert.equal((await elsewhere.call(whm('version'))).kind, 'auth_error', 'not from 127.0.0.1');
    const here = as(
      await create([
        ['token_name', 'here'],
        ['whitelist_ip-0', '127.0.0.0/8'],
      ]),
    );
    assert.ok((await here.call(whm('version'))).ok);

    const gone = as(await create([['token_name', 'gone']]));
    assert.ok((await gone.call(whm('version'))).ok);
    assert.ok((await root.call(whm('api_token_revoke', [['token_name', 'gone']]))).ok);
    assert.equal((await gone.call(whm('version'))).kind, 'auth_error');
  });

  it('updates name, ACLs, expiry and IPs, and reports details by value', async () => {
    const value = await create([
      ['token_name', 'upd'],
      ['acl-0', 'list-accts'],
    ]);
    const r = await root.call(
      whm('api_token_update', [
        ['token_name', 'upd'],
        ['new_name', 'upd2'],
        ['acl-0', 'list-pkgs'],
        ['whitelist_ip-0', '127.0.0.1'],
      ]),
    );
    assert.ok(r.ok, r.hint);
    const t = readTokenList('whm', (await root.call(whm('api_token_list'))).data).find((x) => x.name === 'upd2');
    assert.deepEqual([t?.acls, t?.whitelistIps], [['list-pkgs'], ['127.0.0.1']]);
    const details = await root.call({ ...whm('api_token_get_details', [['token', value]]) });
    assert.equal((details.data as { name: string }).name, 'upd2');
    assert.ok(!sb.requests('api_token_get_details').some((q) => q.path.includes(value)), 'the value went in the body');
  });

  it('cPanel tokens: create (read-only where asked), list, rename, revoke; a read-only token only reads', async () => {
    const bob = client(profile(sb, 'cpanel', { auth: 'token', id: 'bob-t' }), { token: CREDS.bob.cpanelToken });
    const uapi = (fn: string, params: [string, string][] = []): ApiRequest => ({
      family: 'uapi',
      module: 'Tokens',
      function: fn,
      params,
      method: 'POST',
    });
    let value = '';
    const c = await bob.call(
      uapi('create_full_access', [
        ['name', 'ro'],
        ['readonly', '1'],
      ]),
      { secretsInAnswer: (a) => [(value = tokenValueOf(a) ?? '')] },
    );
    assert.ok(c.ok, c.hint);
    assert.equal((c.data as { readonly?: number }).readonly, 1);
    const ro = client(profile(sb, 'cpanel', { auth: 'token', id: 'bob-ro' }), { token: value });
    assert.ok((await ro.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [] })).ok);
    const write = await ro.call({
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'x'],
        ['password', 'Pw-123456789'],
      ],
    });
    assert.match(write.errors.join(' '), /read-only/);
    assert.ok(
      (
        await bob.call(
          uapi('rename', [
            ['name', 'ro'],
            ['new_name', 'ro2'],
          ]),
        )
      ).ok,
    );
    assert.deepEqual(
      readTokenList('cpanel', (await bob.call(uapi('list'))).data).map((t) => t.name),
      ['ro2', 'sandbox'],
    );
    assert.ok((await bob.call(uapi('revoke', [['name', 'ro2']]))).ok);
    assert.equal((await ro.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [] })).kind, 'auth_error');
  });
});
