import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ServerProfile } from '../../src/core/servers';
import { makeCertificate } from '../../src/sandbox/cert';
import type { Sandbox } from '../../src/sandbox/server';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

const listPops = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };
const WRONG = 'AA:'.repeat(31) + 'AA';

describe('TLS policy', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  beforeEach(() => sb.clearLog());
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  it('the right pin: the self-signed certificate is accepted', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken }).call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
  });

  it('the pin accepts the lowercase plain-hex form too', async () => {
    const fp = sb.fingerprint256.replace(/:/g, '').toLowerCase();
    const r = await client(profile(sb, 'cpanel', { auth: 'token', tls: { mode: 'pinned', fingerprint256: fp } }), {
      token: CREDS.bob.cpanelToken,
    }).call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
  });

  it('a wrong pin: a TLS error naming both fingerprints, and nothing sent', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token', tls: { mode: 'pinned', fingerprint256: WRONG } }), {
      token: CREDS.bob.cpanelToken,
    }).call(listPops);
    assert.equal(r.kind, 'tls_error');
    assert.ok(r.hint?.includes(sb.fingerprint256), r.hint);
    assert.ok(r.hint?.includes(WRONG));
    assert.match(r.hint ?? '', /Nothing was sent/);
    assert.equal(r.certificate?.trustError, 'PIN_MISMATCH');
    assert.equal(r.certificate?.fingerprint256, sb.fingerprint256, 'the result carries what the server presented');
    assert.equal(sb.log.length, 0, 'the server never saw a request, so the token never left');
  });

  it('no pin and a self-signed certificate: a TLS error that shows the fingerprint to pin', async () => {
    const r = await client(profile(sb, 'cpanel', { auth: 'token', tls: { mode: 'system' } }), { token: CREDS.bob.cpanelToken }).call(
      listPops,
    );
    assert.equal(r.kind, 'tls_error');
    assert.equal(r.certificate?.fingerprint256, sb.fingerprint256);
    assert.equal(r.certificate?.trusted, false);
    assert.match(r.certificate?.subject ?? '', /CN=sandbox\.cpanel\.test/);
    assert.match(r.hint ?? '', /not trusted.*pin it/s);
    assert.equal(sb.log.length, 0);
  });

  it('a changed certificate is refused on the next connection', async () => {
    const own = await startSandbox();
    try {
      const pinned = own.fingerprint256;
      const p = profile(own, 'cpanel', { auth: 'token' });
      const first = client(p, { token: CREDS.bob.cpanelToken });
      assert.equal((await first.call(listPops)).kind, 'ok');
      await own.rotateCertificate();
      const r = await client(p, { token: CREDS.bob.cpanelToken }).call(listPops);
      assert.equal(r.kind, 'tls_error');
      assert.ok(r.hint?.includes(pinned) && r.hint.includes(own.fingerprint256), r.hint);
      assert.deepEqual([r.certificate?.trustError, r.certificate?.fingerprint256], ['PIN_MISMATCH', own.fingerprint256]);
    } finally {
      await own.stop();
    }
  });

  it('a CA file: verified against it, hostname included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpapi-ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, sb.certPem);
    const r = await client(profile(sb, 'cpanel', { auth: 'token', tls: { mode: 'ca', caFile: ca } }), {
      token: CREDS.bob.cpanelToken,
    }).call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
    const missing = await client(profile(sb, 'cpanel', { auth: 'token', tls: { mode: 'ca', caFile: join(dir, 'nope.pem') } }), {
      token: CREDS.bob.cpanelToken,
    }).call(listPops);
    assert.equal(missing.kind, 'config_error');
    assert.match(missing.hint ?? '', /CA file .* cannot be read/);
  });

  it('inspects a certificate without sending anything', async () => {
    const info = await client(profile(sb, 'whm', { tls: { mode: 'system' } }), {}).certificate();
    assert.equal(info.fingerprint256, sb.fingerprint256);
    assert.equal(info.trusted, false);
    assert.equal(info.trustError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.ok(Date.parse(info.validTo) > Date.now());
    assert.equal(sb.log.length, 0);
  });

  it('plain HTTP works on the plain ports', async () => {
    const r = await client(profile(sb, 'cpanel', { secure: false, auth: 'token' }), { token: CREDS.bob.cpanelToken }).call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
    assert.match(r.request.url, /^http:\/\//);
  });
});

describe('what the pinned connection offers', () => {
  it('only HTTP/1.1 in ALPN, never h2', async () => {
    const cert = await makeCertificate();
    const offered: string[][] = [];
    const server = https.createServer(
      {
        key: cert.key,
        cert: cert.cert,
        ALPNCallback: ({ protocols }) => {
          offered.push(protocols);
          return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
        },
      },
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 1, errors: null, data: [], metadata: {} }));
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const p: ServerProfile = {
        id: 'alpn',
        label: 'alpn',
        host: '127.0.0.1',
        service: 'cpanel',
        secure: true,
        port,
        username: 'bob',
        auth: 'token',
        twoFactor: 'none',
        tls: { mode: 'pinned', fingerprint256: cert.fingerprint256 },
      };
      const r = await client(p, { token: 'T0KEN0123456789ABCDEF' }).call(listPops);
      assert.equal(r.kind, 'ok', r.hint);
      assert.deepEqual(offered, [['http/1.1']]);
    } finally {
      await closeAll();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
