import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CpanelClient } from '../../src/core/client';
import { normalize } from '../../src/core/api/normalize';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

describe('API families and their answers', () => {
  let sb: Sandbox;
  let whm: CpanelClient;
  let cp: CpanelClient;
  before(async () => {
    sb = await startSandbox();
    whm = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken });
    cp = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
  });
  beforeEach(() => sb.clearLog());
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  it('UAPI: data, metadata and the request described without secrets', async () => {
    const r = await cp.call({ family: 'uapi', module: 'DomainInfo', function: 'list_domains', params: [] });
    assert.equal(r.kind, 'ok');
    assert.equal((r.data as { main_domain: string }).main_domain, 'bob.example');
    assert.equal(r.request.function, 'DomainInfo/list_domains');
    assert.match(r.request.url, /\/execute\/DomainInfo\/list_domains$/);
    assert.ok(r.timings.totalMs >= r.timings.headersMs);
    assert.match(r.contentType, /application\/json/);
  });

  it("UAPI failure: api_error with the API's own errors", async () => {
    const r = await cp.call({ family: 'uapi', module: 'Email', function: 'add_pop', params: [['email', 'x']] });
    assert.equal(r.kind, 'api_error');
    assert.deepEqual(r.errors, ['You must specify the “password” parameter.']);
    assert.match(r.hint ?? '', /Email\/add_pop failed/);
  });

  it('UAPI: unknown function and unknown module', async () => {
    const f = await cp.call({ family: 'uapi', module: 'Email', function: 'nope', params: [] });
    assert.equal(f.kind, 'api_error');
    assert.match(f.hint ?? '', /no UAPI function Email\/nope/);
    const m = await cp.call({ family: 'uapi', module: 'Nope', function: 'x', params: [] });
    assert.match(m.hint ?? '', /no UAPI function Nope\/x/);
  });

  it('POST with repeated keys reaches the server as a form', async () => {
    const r = await cp.call({
      family: 'uapi',
      module: 'Notes',
      function: 'echo',
      params: [
        ['a', '1'],
        ['a', '2'],
        ['flag', true],
      ],
      method: 'POST',
    });
    assert.equal(r.kind, 'ok');
    const req = sb.requests('/execute/Notes/echo')[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.body, 'a=1&a=2&flag=1');
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  it('WHM API 1: always api.version=1, data and metadata', async () => {
    const r = await whm.call({ family: 'whm', function: 'listaccts', params: [] });
    assert.equal(r.kind, 'ok');
    assert.deepEqual((r.data as { acct: { user: string }[] }).acct.map((a) => a.user).sort(), ['bob', 'cptest']);
    assert.equal(r.metadata.command, 'listaccts');
    assert.match(sb.requests('listaccts')[0]!.path, /api\.version=1/);
  });

  it('WHM API 1: messages and warnings from metadata.output', async () => {
    const c = await whm.call({
      family: 'whm',
      function: 'createacct',
      params: [
        ['username', 'newacct'],
        ['domain', 'new.example'],
      ],
    });
    assert.equal(c.kind, 'ok', c.hint);
    assert.deepEqual(c.messages, ['Account newacct created.']);
    const r = await whm.call({ family: 'whm', function: 'removeacct', params: [['user', 'newacct']] });
    assert.deepEqual(r.warnings, ['Account removal is simulated.']);
  });

  it('WHM API 1 failure and unknown function', async () => {
    const f = await whm.call({ family: 'whm', function: 'createacct', params: [['username', 'x1']] });
    assert.equal(f.kind, 'api_error');
    assert.deepEqual(f.errors, ['You must specify a domain name.']);
    const u = await whm.call({ family: 'whm', function: 'nosuchfn', params: [] });
    assert.equal(u.kind, 'api_error');
    assert.match(u.hint ?? '', /WHM has no function named nosuchfn/);
  });

  it('WHM output shaping: filter, sort, chunk and columns', async () => {
    const r = await whm.call({
      family: 'whm',
      function: 'listaccts',
      params: [
        ['api.sort.enable', 1],
        ['api.sort.a.field', 'user'],
        ['api.sort.a.method', 'lexicographic'],
        ['api.sort.a.reverse', 1],
        ['api.chunk.enable', 1],
        ['api.chunk.size', 1],
        ['api.columns.enable', 1],
        ['api.columns.a', 'user'],
      ],
    });
    assert.deepEqual((r.data as { acct: unknown[] }).acct, [{ user: 'cptest' }]);
    assert.deepEqual(r.metadata.chunk, { records: 2, start: 1, size: 1, current: 1 });
  });

  it('UAPI on behalf of an account through WHM', async () => {
    const r = await whm.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [], asUser: 'cptest' });
    assert.equal(r.kind, 'ok', r.hint);
    assert.equal((r.data as unknown[]).length, 2);
    assert.equal((r.metadata.whm as { command: string }).command, 'uapi_cpanel');
    assert.match(
      sb.requests('/json-api/uapi_cpanel').at(-1)!.path,
      /api\.version=1&cpanel\.user=cptest&cpanel\.module=Email&cpanel\.function=list_pops/,
    );
  });

  it('UAPI pagination through WHM reports metadata.paginate', async () => {
    const r = await whm.call({
      family: 'uapi',
      module: 'Email',
      function: 'list_pops',
      params: [
        ['api.paginate', 1],
        ['api.paginate_size', 1],
        ['api.sort', 1],
        ['api.sort_column', 'email'],
      ],
      asUser: 'cptest',
    });
    assert.deepEqual(
      (r.data as { email: string }[]).map((x) => x.email),
      ['info@cptest.example'],
    );
    assert.equal((r.metadata.paginate as { total_results: number }).total_results, 2);
  });

  it('cPanel API 2 on behalf of an account through WHM', async () => {
    const r = await whm.call({ family: 'api2', module: 'Cron', function: 'listcron', params: [], asUser: 'bob' });
    assert.equal(r.kind, 'ok', r.hint);
    assert.equal((r.data as unknown[]).length, 1);
    assert.match(sb.requests('/json-api/cpanel')[0]!.path, /cpanel_jsonapi_apiversion=2/);
    const bad = await whm.call({ family: 'api2', module: 'Cron', function: 'nope', params: [], asUser: 'bob' });
    assert.equal(bad.kind, 'api_error');
  });

  it('an account that does not exist', async () => {
    const r = await whm.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [], asUser: 'ghost' });
    assert.equal(r.kind, 'api_error');
    assert.match(r.hint ?? '', /"ghost" does not exist on this server/);
  });

  it('uapi_cpanel: its controls are refused as parameters (nothing is sent); its envelope is read for the UAPI verdict', async () => {
    const before = sb.requests('/json-api/uapi_cpanel').length;
    const r = await whm.call({
      family: 'whm',
      function: 'uapi_cpanel',
      params: [
        ['cpanel.user', 'bob'],
        ['cpanel.module', 'Email'],
        ['cpanel.function', 'add_pop'],
      ],
    });
    assert.equal(r.kind, 'config_error');
    assert.match(r.hint ?? '', /"cpanel\.user" is set by the request itself/);
    assert.equal(sb.requests('/json-api/uapi_cpanel').length, before, 'nothing sent');
    const v = normalize('whm', {
      metadata: { result: 1, reason: 'OK', version: 1, command: 'uapi_cpanel' },
      data: {
        uapi: { status: 0, errors: ['You must specify the “email” parameter.'], data: null, messages: null, warnings: null, metadata: {} },
      },
    });
    assert.equal(v?.ok, false);
    assert.deepEqual(v?.errors, ['You must specify the “email” parameter.']);
  });

  it("a reseller's function outside its privileges", async () => {
    const c = client(profile(sb, 'whm', { username: 'reseller', auth: 'token' }), { token: CREDS.reseller.whmToken });
    const r = await c.call({ family: 'whm', function: 'removeacct', params: [['user', 'cptest']] });
    assert.equal(r.kind, 'api_error');
    // WHM answers a function the user's privileges do not grant as if it did not exist; the extension,
    // which has the applist, says "not granted" (tested in the extension host).
    assert.match(r.errors[0] ?? '', /Unknown app \(“removeacct”\)/);
    const apps = await c.call({ family: 'whm', function: 'applist', params: [] });
    assert.ok(!(apps.data as { app: string[] }).app.includes('removeacct'));
  });

  it('Webmail: UAPI as the account', async () => {
    const c = client(profile(sb, 'webmail'), { password: CREDS.bob.password });
    const r = await c.call({ family: 'uapi', module: 'Ftp', function: 'list_ftp', params: [] });
    assert.equal(r.kind, 'ok', r.hint);
  });

  describe('wrong port and wrong service', () => {
    it('WHM function on a cPanel profile: refused before sending', async () => {
      const r = await cp.call({ family: 'whm', function: 'listaccts', params: [] });
      assert.equal(r.kind, 'config_error');
      assert.match(r.hint ?? '', /WHM API 1 function: it runs only on WHM \(port 2087/);
      assert.equal(sb.log.length, 0);
    });

    it('a WHM profile pointed at cPanel\'s port: "Permission denied" explained', async () => {
      const c = client(profile(sb, 'whm', { auth: 'token', port: sb.port('cpanel') }), { token: CREDS.root.whmToken });
      const r = await c.call({ family: 'whm', function: 'listaccts', params: [] });
      assert.equal(r.kind, 'api_error');
      assert.match(r.hint ?? '', /listaccts is a WHM function: WHM API 1 answers on port 2087 .* answered "Permission denied"/);
    });

    it('a cPanel profile pointed at WHM\'s port: "Function not found" explained', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'token', port: sb.port('whm') }), { token: CREDS.bob.cpanelToken });
      const r = await c.call({ family: 'uapi', module: 'Email', function: 'list_pops', params: [] });
      assert.equal(r.kind, 'api_error');
      assert.match(r.hint ?? '', /is a cPanel function: UAPI answers on port 2083/);
    });
  });
});
