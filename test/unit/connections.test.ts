import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

const listPops = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };

describe('connections to one server', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });
  beforeEach(() => {
    sb.clearLog();
    sb.resetConnectionStats();
  });

  it('500 concurrent calls share at most 8 connections (the default cap), one login, none lost', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
    const results = await Promise.all(Array.from({ length: 500 }, () => c.call(listPops)));
    assert.equal(results.filter((r) => r.ok).length, 500, results.find((r) => !r.ok)?.hint);
    const stats = sb.connectionStats();
    assert.ok(stats.accepted <= 8, `${stats.accepted} connections were opened`);
    assert.ok(stats.peak <= 8, `${stats.peak} connections were open at once`);
    assert.equal(sb.requests('/login').length, 1);
    assert.equal(sb.requests('/execute/').length, 500, 'each call reached the server exactly once');
  });

  it('the cap is a setting of the client: 2 gives 2 connections', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken }, { limits: { maxConnections: 2 } });
    const results = await Promise.all(Array.from({ length: 40 }, () => c.call(listPops)));
    assert.ok(results.every((r) => r.ok));
    assert.equal(sb.connectionStats().accepted, 2);
  });

  it('calls one after another use one connection, and each says where its time went', async () => {
    const c = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await c.call(listPops));
    assert.ok(results.every((r) => r.ok));
    assert.equal(sb.connectionStats().accepted, 1, 'N calls in a row, one connection');
    const [first, second] = [results[0]!.timings, results[1]!.timings];
    // The first call opened the connection: its set-up is timed (no lookup for an IP address), TLS included.
    assert.equal(first.phases?.connection, 'new');
    assert.equal(first.phases?.dnsMs, 0);
    assert.ok((first.phases?.tlsMs ?? 0) > 0, 'a TLS handshake takes time');
    assert.equal(typeof first.phases?.connectMs, 'number');
    // The next reused it: no set-up to show.
    assert.equal(second.phases?.connection, 'reused');
    assert.equal(second.phases?.tlsMs, undefined);
    assert.equal(second.phases?.dnsMs, undefined);
    for (const t of [first, second]) {
      const p = t.phases!;
      const sum = p.queueMs + (p.dnsMs ?? 0) + (p.connectMs ?? 0) + (p.tlsMs ?? 0) + p.sendMs + p.waitMs + p.downloadMs;
      assert.ok(sum <= t.totalMs + 1, `the phases (${sum} ms) fit in the call (${t.totalMs} ms)`);
    }
  });

  it('the server’s time shows as the wait, a name as a lookup, a full pool as time queued, a login as its own phase', async () => {
    const c = client(
      profile(sb, 'cpanel', { auth: 'token', host: 'localhost' }),
      { token: CREDS.bob.cpanelToken },
      { limits: { maxConnections: 1 } },
    );
    const first = await c.call(listPops);
    assert.equal(typeof first.timings.phases?.dnsMs, 'number', 'localhost is looked up');
    // The token is accepted now, so the two calls go together (a credential not yet accepted is tried by one call first).
    sb.inject({ fault: { kind: 'slow-headers', ms: 150 } });
    const [slow, waiting] = await Promise.all([c.call(listPops), c.call(listPops)]);
    assert.ok(slow.ok && waiting.ok);
    assert.ok(slow.timings.phases!.waitMs >= 140, `the server took 150 ms: wait ${slow.timings.phases!.waitMs} ms`);
    assert.ok(waiting.timings.phases!.queueMs >= 140, `the second waited for the only connection: ${waiting.timings.phases!.queueMs} ms`);
    assert.equal(waiting.timings.phases?.connection, 'reused');
    // A credential not yet accepted is tried by one call first: the other waits, and its time says so.
    const fresh = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
    sb.inject({ fault: { kind: 'slow-headers', ms: 150 } });
    const [probe, after] = await Promise.all([fresh.call(listPops), fresh.call(listPops)]);
    assert.ok(probe.ok && after.ok);
    assert.ok(after.timings.phases!.queueMs >= 140, `the second waited for the first try: ${after.timings.phases!.queueMs} ms`);
    const plain = await client(profile(sb, 'cpanel', { auth: 'token', secure: false }), { token: CREDS.bob.cpanelToken }).call(listPops);
    assert.ok(plain.ok, plain.hint);
    assert.equal(plain.timings.phases?.connection, 'new');
    assert.equal(plain.timings.phases?.tlsMs, 0, 'plain HTTP has no TLS handshake');
    const session = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
    const r = await session.call(listPops);
    assert.ok(r.ok, r.hint);
    assert.ok((r.timings.phases?.loginMs ?? 0) > 0, 'the session login made for this call is its own phase');
    assert.equal(r.timings.phases?.connection, 'reused', 'the login opened the connection the call then used');
    assert.equal((await session.call(listPops)).timings.phases?.loginMs, undefined, 'the next call logs in no more');
  });
});
