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
});
