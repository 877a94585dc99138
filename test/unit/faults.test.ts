import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CpanelClient } from '../../src/core/client';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

const listPops = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };

describe('faults: every failure is a clear, typed result', () => {
  let sb: Sandbox;
  let cp: CpanelClient;
  before(async () => {
    sb = await startSandbox();
    cp = client(
      profile(sb, 'cpanel', { auth: 'token' }),
      { token: CREDS.bob.cpanelToken },
      { limits: { headersTimeoutMs: 400, bodyTimeoutMs: 400 } },
    );
  });
  beforeEach(() => {
    sb.clearLog();
    sb.clearFaults();
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  function noSecret(r: object): void {
    assert.ok(!JSON.stringify(r).includes(CREDS.bob.cpanelToken), 'the token never appears in a result');
  }

  it('slow headers: timeout', async () => {
    sb.inject({ fault: { kind: 'slow-headers', ms: 1500 } });
    const r = await cp.call(listPops);
    assert.equal(r.kind, 'timeout');
    assert.match(r.hint ?? '', /did not answer in time/);
    noSecret(r);
  });

  it("a per-call timeout overrides the client's", async () => {
    const slow = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
    sb.inject({ fault: { kind: 'slow-headers', ms: 1000 } });
    const r = await slow.call(listPops, { timeoutMs: 200 });
    assert.equal(r.kind, 'timeout');
  });

  it('deadlines of calls in flight together: each call ends at its own, a shorter one started later included', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
    assert.equal((await c.call(listPops)).kind, 'ok');
    sb.inject({ fault: { kind: 'slow-headers', ms: 1500 }, count: 3 });
    const t0 = performance.now();
    const ended = (p: Promise<{ kind: string }>): Promise<{ kind: string; ms: number }> =>
      p.then((r) => ({ kind: r.kind, ms: performance.now() - t0 }));
    const [long, short, middle] = await Promise.all([
      ended(c.call(listPops, { timeoutMs: 1000 })),
      ended(c.call(listPops, { timeoutMs: 150 })),
      ended(c.call(listPops, { timeoutMs: 500 })),
    ]);
    // Each timed out (the server answers only at 1.5 s), not before its own deadline, in the order of their deadlines.
    for (const r of [long, short, middle]) assert.equal(r.kind, 'timeout');
    assert.ok(short.ms >= 145, `the 150 ms call ended at ${Math.round(short.ms)} ms`);
    assert.ok(middle.ms >= 495, `the 500 ms call ended at ${Math.round(middle.ms)} ms`);
    assert.ok(long.ms >= 995, `the 1 s call ended at ${Math.round(long.ms)} ms`);
    assert.ok(short.ms < middle.ms && middle.ms < long.ms, 'the shorter deadline, started later, ended first');
  });

  it('dropped connection: network error', async () => {
    sb.inject({ fault: { kind: 'drop' } });
    const r = await cp.call(listPops);
    assert.equal(r.kind, 'network_error');
    assert.match(r.hint ?? '', /closed before an answer arrived/);
  });

  it('a kept-alive connection the server closed under a request: a read goes once more on a new one, a POST or a GET that changes something is not sent twice', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
    assert.equal((await c.call(listPops)).kind, 'ok');
    sb.clearLog();
    sb.inject({ fault: { kind: 'drop' } });
    const again = await c.call(listPops);
    assert.equal(again.kind, 'ok', again.hint);
    assert.equal(sb.requests('list_pops').length, 2, 'the dropped GET and its one repeat');
    assert.equal(again.timings.phases?.connection, 'new');
    assert.equal((await c.call(listPops)).kind, 'ok');
    sb.clearLog();
    sb.inject({ fault: { kind: 'drop' } });
    const post = await c.call({ ...listPops, method: 'POST' });
    assert.equal(post.kind, 'network_error');
    assert.match(post.hint ?? '', /closed before an answer arrived/);
    assert.equal(sb.requests('list_pops').length, 1, 'a POST is never sent twice');
    // A call that changes something is a GET too, unless it has a body or a secret: it is not sent twice either.
    assert.equal((await c.call(listPops)).kind, 'ok');
    sb.clearLog();
    sb.inject({ fault: { kind: 'drop' } });
    const del = await c.call({ family: 'uapi', module: 'Email', function: 'delete_pop', params: [['email', 'gone@bob.example']] });
    assert.equal(del.request.method, 'GET');
    assert.equal(del.kind, 'network_error');
    assert.equal(sb.requests('delete_pop').length, 1, 'a GET that changes something is never sent twice');
  });

  it('dropped mid-answer: network error that says the answer is incomplete', async () => {
    sb.inject({ fault: { kind: 'drop-mid-body' } });
    const r = await cp.call(listPops);
    assert.equal(r.kind, 'network_error');
    assert.match(r.hint ?? '', /incomplete|closed/);
  });

  it('an HTML page where JSON was expected: malformed, first lines shown', async () => {
    sb.inject({ fault: { kind: 'html' } });
    const r = await cp.call(listPops);
    assert.equal(r.kind, 'malformed');
    assert.match(r.hint ?? '', /an HTML page where JSON was expected \(HTTP 200\)/);
    assert.match(r.hint ?? '', /<title>Proxy Error<\/title>/);
    assert.match(r.raw, /Bad Gateway/);
  });

  it('HTTP 500 with a page: http_error', async () => {
    sb.inject({ fault: { kind: 'status500' } });
    const r = await cp.call(listPops);
    assert.equal(r.kind, 'http_error');
    assert.equal(r.status, 500);
  });

  it('truncated JSON: malformed, says it was cut off', async () => {
    sb.inject({ fault: { kind: 'truncated' } });
    const r = await cp.call(listPops);
    assert.equal(r.kind, 'malformed');
    assert.match(r.hint ?? '', /not complete JSON.*cut off/);
  });

  it('a huge answer over the limit: too_large, read no further', async () => {
    const small = client(
      profile(sb, 'cpanel', { auth: 'token' }),
      { token: CREDS.bob.cpanelToken },
      { limits: { maxResponseBytes: 1024 * 1024 } },
    );
    sb.inject({ fault: { kind: 'huge', bytes: 8 * 1024 * 1024 } });
    const r = await small.call(listPops);
    assert.equal(r.kind, 'too_large');
    assert.match(r.hint ?? '', /larger than the 1 MB limit/);
    // The client is still usable afterwards.
    assert.equal((await small.call(listPops)).kind, 'ok');
  });

  it('a 20 MB answer within the limit is read whole', async () => {
    sb.inject({ fault: { kind: 'huge', bytes: 20 * 1024 * 1024 } });
    const r = await cp.call(listPops, { timeoutMs: 30_000 });
    assert.equal(r.kind, 'ok', r.hint);
    assert.ok((r.data as unknown[]).length > 100_000);
  });

  it('cancellation: cancelled', async () => {
    sb.inject({ fault: { kind: 'slow-headers', ms: 1000 } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken }).call(listPops, {
      signal: ac.signal,
    });
    assert.equal(r.kind, 'cancelled');
  });

  it('nothing listening: network error naming the port to use', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const r = await client(profile(sb, 'cpanel', { auth: 'token', port }), { token: CREDS.bob.cpanelToken }).call(listPops);
    assert.equal(r.kind, 'network_error');
    assert.match(r.hint ?? '', /connection refused.*port 2083/);
  });

  it('a server that answered and then went away: unreachable, and no wrong-port advice for a port that worked', async () => {
    const other = await startSandbox();
    const c = client(profile(other, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
    assert.equal((await c.call(listPops)).kind, 'ok');
    assert.equal(c.state, 'signed_in');
    await other.stop();
    const r = await c.call(listPops);
    assert.equal(r.kind, 'network_error');
    assert.equal(c.state, 'unreachable');
    assert.match(
      r.hint ?? '',
      /connection refused\)\. sandbox-cpanel answered on this port before: the server \(cpsrvd\) may be down or restarting, or a firewall now blocks it\./,
    );
    assert.doesNotMatch(r.hint ?? '', /Check the port/);
  });

  it('HTTPS to a plain-HTTP port: says the port does not speak HTTPS', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token', port: sb.port('cpanel', false) }), { token: CREDS.bob.cpanelToken }).call(
      listPops,
    );
    assert.equal(r.kind, 'tls_error');
    assert.match(r.hint ?? '', /does not speak HTTPS/);
  });

  it('plain HTTP to an HTTPS port: says to turn on secure', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token', secure: false, port: sb.port('cpanel', true) }), {
      token: CREDS.bob.cpanelToken,
    }).call(listPops);
    assert.ok(['network_error', 'malformed', 'http_error'].includes(r.kind), r.kind);
    assert.match(r.hint ?? '', /secure|HTTPS|JSON/);
  });

  it('an expired session answered with an HTML login page is re-established, not a crash', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
    assert.equal((await c.call(listPops)).kind, 'ok');
    sb.expireAllSessions();
    const r = await c.call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
  });

  it('a login answered by a dropped connection: network error, and the next call logs in', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
    sb.inject({ fault: { kind: 'drop' }, includeLogin: true });
    const r = await c.call(listPops);
    assert.equal(r.kind, 'network_error');
    assert.equal((await c.call(listPops)).kind, 'ok');
  });
});
