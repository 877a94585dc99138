import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox, VirtualClock } from '../helpers/sandbox';

const listPops = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };
const listAccts = { family: 'whm' as const, function: 'listaccts', params: [] };

describe('authentication against the sandbox over HTTPS', () => {
  let sb: Sandbox;
  const clock = new VirtualClock();
  before(async () => {
    sb = await startSandbox({ now: () => clock.now(), sessionIdleSeconds: 60 });
  });
  beforeEach(() => {
    sb.clearLog();
    sb.clearFaults();
    clock.setIntoStep(5);
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  it('username and password: HTTP Basic', async () => {
    const r = await client(profile(sb, 'cpanel'), { password: CREDS.bob.password }).call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
    assert.deepEqual(
      (r.data as { email: string }[]).map((x) => x.email),
      ['admin@bob.example'],
    );
    const h = sb.requests('/execute/')[0]!.headers.authorization;
    assert.equal(h, `Basic ${Buffer.from(`bob:${CREDS.bob.password}`).toString('base64')}`);
  });

  it('cPanel API token: "cpanel USER:TOKEN"', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken }).call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
    assert.equal(sb.requests('/execute/')[0]!.headers.authorization, `cpanel bob:${CREDS.bob.cpanelToken}`);
  });

  it('WHM API token: "whm USER:TOKEN"', async () => {
    const r = await client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken }).call(listAccts);
    assert.equal(r.kind, 'ok', r.hint);
    assert.equal(sb.requests('/json-api/')[0]!.headers.authorization, `whm root:${CREDS.root.whmToken}`);
  });

  it('access hash: line breaks removed before sending', async () => {
    assert.ok(CREDS.root.accessHash.includes('\n'));
    const r = await client(profile(sb, 'whm', { auth: 'accesshash' }), { accessHash: CREDS.root.accessHash.replace(/\n/g, '\r\n') }).call(
      listAccts,
    );
    assert.equal(r.kind, 'ok', r.hint);
    const sent = sb.requests('/json-api/')[0]!.headers.authorization ?? '';
    assert.equal(sent, `WHM root:${CREDS.root.accessHash.replace(/\n/g, '')}`);
    assert.ok(!/[\r\n]/.test(sent));
  });

  it('wrong password: an auth error that names the fix and hides the secret', async () => {
    const c = client(profile(sb, 'cpanel'), { password: 'wrong-password-123' });
    const r = await c.call(listPops);
    assert.equal(r.kind, 'auth_error');
    assert.equal(r.status, 403);
    assert.match(r.hint ?? '', /refused the username or password for bob/);
    assert.ok(!JSON.stringify(r).includes('wrong-password-123'));
    assert.equal(c.state, 'error');
  });

  it('wrong token and wrong access hash are auth errors', async () => {
    const t = await client(profile(sb, 'whm', { auth: 'token' }), { token: 'NOTATOKEN' }).call(listAccts);
    assert.equal(t.kind, 'auth_error');
    assert.match(t.hint ?? '', /API token/);
    const h = await client(profile(sb, 'whm', { auth: 'accesshash' }), { accessHash: 'abc\ndef' }).call(listAccts);
    assert.equal(h.kind, 'auth_error');
    assert.match(h.hint ?? '', /access hash/);
  });

  it('missing secrets are a config error before anything is sent', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token' }), {}).call(listPops);
    assert.equal(r.kind, 'config_error');
    assert.match(r.hint ?? '', /API token for sandbox-cpanel is not stored/);
    assert.equal(sb.log.length, 0);
  });

  describe('session login', () => {
    it('logs in once with POST /login, then calls under /cpsessNNNN with the cookie', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
      assert.equal((await c.call(listPops)).kind, 'ok');
      assert.equal((await c.call(listPops)).kind, 'ok');
      const logins = sb.requests('/login');
      assert.equal(logins.length, 1);
      assert.equal(logins[0]!.method, 'POST');
      assert.match(logins[0]!.body, /user=bob&pass=/);
      const calls = sb.requests('/execute/');
      assert.equal(calls.length, 2);
      for (const call of calls) {
        assert.match(call.path, /^\/cpsess\d{10}\/execute\/Email\/list_pops$/);
        assert.match(String(call.headers.cookie), /cpsession=bob%3a/);
        assert.equal(call.headers.authorization, undefined, 'no credentials travel with session calls');
      }
      assert.equal(c.state, 'signed_in');
      assert.equal(c.loginCount, 1);
    });

    it('works on WHM and Webmail too, whatever the cookie is called', async () => {
      const w = await client(profile(sb, 'whm', { auth: 'session' }), { password: CREDS.root.password }).call(listAccts);
      assert.equal(w.kind, 'ok', w.hint);
      assert.match(String(sb.requests('/json-api/')[0]!.headers.cookie), /^whostmgrsession=/);
      const m = await client(profile(sb, 'webmail', { auth: 'session' }), { password: CREDS.bob.password }).call(listPops);
      assert.equal(m.kind, 'ok', m.hint);
      assert.match(String(sb.requests('/execute/')[0]!.headers.cookie), /^webmailsession=/);
    });

    it('wrong password at login: an auth error, no call sent', async () => {
      const r = await client(profile(sb, 'cpanel', { auth: 'session' }), { password: 'nope-nope' }).call(listPops);
      assert.equal(r.kind, 'auth_error');
      assert.match(r.hint ?? '', /refused the username or password/);
      assert.equal(sb.requests('/execute/').length, 0);
    });

    it('an expired session causes exactly one re-login and one retry', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password }, { clock });
      assert.equal((await c.call(listPops)).kind, 'ok');
      clock.advance(61_000); // past the sandbox's 60 s idle limit
      const r = await c.call(listPops);
      assert.equal(r.kind, 'ok', r.hint);
      assert.equal(sb.requests('/login').length, 2);
      const calls = sb.requests('/execute/');
      assert.deepEqual(
        calls.map((x) => x.status),
        [200, 401, 200],
      );
      assert.notEqual(calls[1]!.path.slice(0, 18), calls[2]!.path.slice(0, 18), 'the retry uses the new token');
    });

    it('never loops: when even a fresh session is refused, it stops with an auth error', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
      assert.equal((await c.call(listPops)).kind, 'ok');
      sb.clearLog();
      // Every session the server hands out is dead on arrival.
      const original = sb.options.sessionIdleSeconds;
      (sb.options as { sessionIdleSeconds: number }).sessionIdleSeconds = -1;
      try {
        const r = await c.call(listPops);
        assert.equal(r.kind, 'auth_error');
        assert.match(r.hint ?? '', /refused a new session/);
        assert.equal(sb.requests('/login').length, 1, 'one re-login');
        assert.equal(sb.requests('/execute/').length, 2, 'the call and one retry');
      } finally {
        (sb.options as { sessionIdleSeconds: number }).sessionIdleSeconds = original;
      }
    });

    it('single-flight: concurrent calls share one login, and one re-login after expiry', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password }, { clock });
      const first = await Promise.all(Array.from({ length: 10 }, () => c.call(listPops)));
      assert.ok(first.every((r) => r.ok));
      assert.equal(sb.requests('/login').length, 1);
      sb.expireAllSessions();
      const second = await Promise.all(Array.from({ length: 10 }, () => c.call(listPops)));
      assert.ok(
        second.every((r) => r.ok),
        second.map((r) => r.hint).join(),
      );
      assert.equal(sb.requests('/login').length, 2, 'ten refused calls share one re-login');
    });

    it('signing out ends the session on the server', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'session' }), { password: CREDS.bob.password });
      await c.call(listPops);
      const before = sb.sessionCount();
      await c.signOut();
      assert.equal(sb.sessionCount(), before - 1);
      assert.equal(c.state, 'signed_out');
      assert.equal(sb.requests('/logout').length, 1);
    });
  });

  describe('two-factor authentication', () => {
    it('header mode: a fresh code in X-CPANEL-OTP on every request', async () => {
      const c = client(
        profile(sb, 'cpanel', { username: 'cptest', twoFactor: 'header' }),
        { password: CREDS.cptest.password, totpSecret: CREDS.cptest.tfaSecret },
        { clock },
      );
      assert.equal((await c.call(listPops)).kind, 'ok');
      clock.advance(30_000);
      assert.equal((await c.call(listPops)).kind, 'ok');
      const codes = sb.requests('/execute/').map((r) => r.headers['x-cpanel-otp']);
      assert.equal(codes.length, 2);
      assert.ok(codes.every((x) => typeof x === 'string' && /^\d{6}$/.test(x)));
      assert.notEqual(codes[0], codes[1], 'each step has its own code');
    });

    it("header mode with a WHM token (as in cPanel's own example)", async () => {
      const c = client(
        profile(sb, 'whm', { username: 'reseller', auth: 'token', twoFactor: 'header' }),
        { token: CREDS.reseller.whmToken, totpSecret: CREDS.reseller.tfaSecret },
        { clock },
      );
      const r = await c.call({ family: 'whm', function: 'applist', params: [] });
      assert.equal(r.kind, 'ok', r.hint);
      assert.match(String(sb.requests('/json-api/')[0]!.headers['x-cpanel-otp']), /^\d{6}$/);
    });

    it('header mode near the end of a step waits for the next code', async () => {
      const c = client(
        profile(sb, 'cpanel', { username: 'cptest', twoFactor: 'header' }),
        { password: CREDS.cptest.password, totpSecret: CREDS.cptest.tfaSecret },
        { clock },
      );
      clock.setIntoStep(29);
      const sleepsBefore = clock.sleeps.length;
      const r = await c.call(listPops);
      assert.equal(r.kind, 'ok', r.hint);
      assert.equal(clock.sleeps.length, sleepsBefore + 1);
    });

    it('a 2FA account without a code: says 2FA is needed', async () => {
      const r = await client(profile(sb, 'cpanel', { username: 'cptest' }), { password: CREDS.cptest.password }).call(listPops);
      assert.equal(r.kind, 'auth_error');
      assert.match(r.hint ?? '', /cptest has two-factor authentication/);
    });

    it('header mode with the wrong secret: says the code was refused', async () => {
      const r = await client(
        profile(sb, 'cpanel', { username: 'cptest', twoFactor: 'header' }),
        { password: CREDS.cptest.password, totpSecret: 'AAAAAAAAAAAAAAAA' },
        { clock },
      ).call(listPops);
      assert.equal(r.kind, 'auth_error');
      assert.match(r.hint ?? '', /refused the two-factor code/);
      assert.ok(!JSON.stringify(r).includes('AAAAAAAAAAAAAAAA'));
    });

    it('session mode: the code goes once in tfa_token at login', async () => {
      const c = client(
        profile(sb, 'cpanel', { username: 'cptest', auth: 'session', twoFactor: 'session' }),
        { password: CREDS.cptest.password, totpSecret: CREDS.cptest.tfaSecret },
        { clock },
      );
      assert.equal((await c.call(listPops)).kind, 'ok');
      assert.equal((await c.call(listPops)).kind, 'ok');
      const login = sb.requests('/login');
      assert.equal(login.length, 1);
      assert.equal(new URLSearchParams(login[0]!.body).get('tfa_token'), sb.totp('cptest'));
      assert.ok(sb.requests('/execute/').every((r) => r.headers['x-cpanel-otp'] === undefined));
    });

    it('session mode with the wrong secret: says the code was refused', async () => {
      const r = await client(
        profile(sb, 'cpanel', { username: 'cptest', auth: 'session', twoFactor: 'session' }),
        { password: CREDS.cptest.password, totpSecret: 'AAAAAAAAAAAAAAAA' },
        { clock },
      ).call(listPops);
      assert.equal(r.kind, 'auth_error');
      assert.match(r.hint ?? '', /refused the two-factor code for cptest/);
    });

    it('a 2FA account logging in without a code: says so', async () => {
      const r = await client(profile(sb, 'cpanel', { username: 'cptest', auth: 'session' }), { password: CREDS.cptest.password }).call(
        listPops,
      );
      assert.equal(r.kind, 'auth_error');
      assert.match(r.hint ?? '', /has two-factor authentication: set the two-factor mode to "at session login"/);
    });

    it('re-login after expiry never reuses the code of the first login', async () => {
      const strict = await startSandbox({ now: () => clock.now(), sessionIdleSeconds: 60, rejectReusedLoginCodes: true });
      try {
        const c = client(
          profile(strict, 'cpanel', { username: 'cptest', auth: 'session', twoFactor: 'session' }),
          { password: CREDS.cptest.password, totpSecret: CREDS.cptest.tfaSecret },
          { clock },
        );
        clock.setIntoStep(5);
        assert.equal((await c.call(listPops)).kind, 'ok');
        strict.expireAllSessions(); // within the same 30 s step
        const sleeps = clock.sleeps.length;
        const r = await c.call(listPops);
        assert.equal(r.kind, 'ok', r.hint);
        assert.equal(clock.sleeps.length, sleeps + 1, 'waited for the next step');
        const codes = strict.requests('/login').map((x) => new URLSearchParams(x.body).get('tfa_token'));
        assert.equal(codes.length, 2);
        assert.notEqual(codes[0], codes[1]);
      } finally {
        await strict.stop();
      }
    });
  });

  describe('single sign on', () => {
    it("a WHM user calls cPanel's port as an account through create_user_session", async () => {
      const whm = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken }, { clock });
      const acct = await whm.accountClient('bob');
      try {
        const r = await acct.call(listPops);
        assert.equal(r.kind, 'ok', r.hint);
        assert.equal(acct.profile.port, sb.port('cpanel'));
        assert.equal(sb.requests('create_user_session').length, 1);
        const redeem = sb.requests('/login/?session=');
        assert.equal(redeem.length, 1);
        assert.equal(redeem[0]!.service, 'cpanel');
        // The session ends: a new create_user_session and one retry.
        sb.expireAllSessions();
        const again = await acct.call(listPops);
        assert.equal(again.kind, 'ok', again.hint);
        assert.equal(sb.requests('create_user_session').length, 2);
        assert.ok(!JSON.stringify(again).includes(redeem[0]!.path.split('session=')[1]!));
      } finally {
        await acct.close();
      }
    });

    it('Webmail: a webmaild session opens on the Webmail port and the link logs in there', async () => {
      const whm = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken }, { clock });
      const us = await whm.createUserSession('cptest', 'webmaild');
      const url = new URL(us.url);
      assert.equal(Number(url.port), sb.port('webmail'));
      assert.equal(new URLSearchParams(sb.requests('create_user_session').at(-1)!.path.split('?')[1]).get('service'), 'webmaild');
      // What the browser does with the link: the server answers with the session cookie.
      const undici = await import('undici');
      const agent = new undici.Agent({ connect: { ca: sb.certPem } });
      try {
        const res = await undici.request(us.url, { dispatcher: agent });
        await res.body.text();
        assert.equal(res.statusCode, 302);
        assert.match(String(res.headers['set-cookie'] ?? ''), /=/);
      } finally {
        await agent.close();
      }
    });

    it('create_user_session for an account the reseller does not own fails clearly', async () => {
      const whm = client(
        profile(sb, 'whm', { username: 'reseller', auth: 'token', twoFactor: 'header' }),
        { token: CREDS.reseller.whmToken, totpSecret: CREDS.reseller.tfaSecret },
        { clock },
      );
      await assert.rejects(whm.createUserSession('bob', 'cpaneld'), /WHM could not open a session for bob/);
      const us = await whm.createUserSession('cptest', 'cpaneld');
      assert.match(us.url, /\/cpsess\d{10}\/login\/\?session=/);
    });
  });

  describe('connections', () => {
    it('keep-alive: sequential calls reuse one connection', async () => {
      const c = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken });
      for (let i = 0; i < 5; i++) assert.equal((await c.call(listPops)).kind, 'ok');
      const ports = new Set(sb.requests('/execute/').map((r) => r.remotePort));
      assert.equal(ports.size, 1);
    });
  });
});
