import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { redactProxy } from '../../src/core/proxy';
import type { Sandbox } from '../../src/sandbox/server';
import { deadPort } from '../helpers/ports';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

const CLI = resolve(__dirname, '../../../dist/cli.js');

/**
 * A real HTTP CONNECT proxy on 127.0.0.1: it opens tunnels (optionally only with its own
 * credentials) and records what it was asked and every byte it could read in the clear.
 */
class ConnectProxy {
  readonly tunnels: { target: string; headers: Record<string, string | string[] | undefined> }[] = [];
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly auth?: string) {}

  async start(): Promise<number> {
    this.server = createServer((_req, res) => res.writeHead(405).end('CONNECT only'));
    this.server.on('connect', (req, client: Socket, head: Buffer) => {
      this.sockets.add(client);
      this.tunnels.push({ target: req.url ?? '', headers: req.headers });
      if (this.auth && req.headers['proxy-authorization'] !== `Basic ${Buffer.from(this.auth).toString('base64')}`) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
        return;
      }
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const listPops = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };

describe('through an HTTP CONNECT proxy', () => {
  let sb: Sandbox;
  let open: ConnectProxy;
  let guarded: ConnectProxy;
  let openPort: number;
  let guardedPort: number;
  before(async () => {
    sb = await startSandbox();
    open = new ConnectProxy();
    openPort = await open.start();
    guarded = new ConnectProxy('proxyuser:proxy-pass-1');
    guardedPort = await guarded.start();
  });
  after(async () => {
    await closeAll();
    await open.stop();
    await guarded.stop();
    await sb.stop();
  });
  beforeEach(() => {
    open.tunnels.length = 0;
    guarded.tunnels.length = 0;
  });

  it('a pinned server is reached through the tunnel, its certificate checked inside it; the proxy sees only CONNECT', async () => {
    const c = client(
      profile(sb, 'cpanel', { auth: 'token' }),
      { token: CREDS.bob.cpanelToken },
      { proxy: { url: `http://127.0.0.1:${openPort}` } },
    );
    const r = await c.call(listPops);
    assert.equal(r.kind, 'ok', r.hint);
    assert.deepEqual(
      open.tunnels.map((t) => t.target),
      [`127.0.0.1:${sb.port('cpanel')}`],
    );
    const seen = JSON.stringify(open.tunnels);
    assert.ok(!seen.includes(CREDS.bob.cpanelToken) && !/authorization"/i.test(seen), 'no credential of the server reached the proxy');
    // Kept alive: a second call uses the same tunnel.
    assert.equal((await c.call(listPops)).kind, 'ok');
    assert.equal(open.tunnels.length, 1);
  });

  it('a wrong pin is refused through the tunnel as without one, and nothing is sent', async () => {
    const before = sb.requests('/execute/').length;
    const wrong = '00:'.repeat(31) + '00';
    const c = client(
      profile(sb, 'cpanel', { auth: 'token', tls: { mode: 'pinned', fingerprint256: wrong } }),
      { token: CREDS.bob.cpanelToken },
      { proxy: { url: `http://127.0.0.1:${openPort}` } },
    );
    const r = await c.call(listPops);
    assert.equal(r.kind, 'tls_error');
    assert.match(r.hint!, /The certificate of 127\.0\.0\.1:\d+ changed/);
    assert.equal(open.tunnels.length, 1, 'the tunnel was opened');
    assert.equal(sb.requests('/execute/').length, before, 'but no request went through it');
  });

  it('hosts in noProxy are reached directly; the proxy’s own credentials go to it and nowhere else', async () => {
    const direct = client(
      profile(sb, 'cpanel', { auth: 'token' }),
      { token: CREDS.bob.cpanelToken },
      { proxy: { url: `http://127.0.0.1:${openPort}`, noProxy: 'localhost,127.0.0.1' } },
    );
    assert.equal((await direct.call(listPops)).kind, 'ok');
    assert.equal(open.tunnels.length, 0);
    const withAuth = client(
      profile(sb, 'cpanel', { auth: 'token' }),
      { token: CREDS.bob.cpanelToken },
      { proxy: { url: `http://proxyuser:proxy-pass-1@127.0.0.1:${guardedPort}` } },
    );
    assert.equal((await withAuth.call(listPops)).kind, 'ok');
    assert.equal(
      guarded.tunnels.at(-1)!.headers['proxy-authorization'],
      `Basic ${Buffer.from('proxyuser:proxy-pass-1').toString('base64')}`,
    );
    const refused = client(
      profile(sb, 'cpanel', { auth: 'token' }),
      { token: CREDS.bob.cpanelToken },
      { proxy: { url: `http://proxyuser:wrong-pass@127.0.0.1:${guardedPort}` } },
    );
    const r = await refused.call(listPops);
    assert.equal(r.kind, 'network_error');
    assert.match(r.hint!, /The proxy refused to open a tunnel to 127\.0\.0\.1:\d+ \(HTTP 407: it wants credentials\)/);
    assert.ok(!r.hint!.includes('wrong-pass'));
    assert.equal(redactProxy('http://u:secret@p:3128'), 'http://u:[redacted]@p:3128');
  });

  it('a proxy that cannot be reached is named as the problem (host:port, no password), not the server', async () => {
    const closed = await deadPort();
    const proxy = { url: `http://proxyuser:proxy-pass-2@127.0.0.1:${closed}` };
    const c = client(profile(sb, 'cpanel', { auth: 'token' }), { token: CREDS.bob.cpanelToken }, { proxy });
    const r = await c.call(listPops);
    assert.equal(r.kind, 'network_error');
    const why = '\\(connection refused: nothing is listening there\\)';
    const server = `127\\.0\\.0\\.1:${sb.port('cpanel')}`;
    assert.match(
      r.hint!,
      new RegExp(`^The proxy 127\\.0\\.0\\.1:${closed} could not be reached ${why}, so nothing was sent to ${server}\\.`),
    );
    assert.match(r.hint!, /http\.proxy .*HTTPS_PROXY .*NO_PROXY/);
    assert.doesNotMatch(r.hint!, /Nothing is listening on|Check the port/);
    assert.ok(!r.hint!.includes('proxy-pass-2') && !r.hint!.includes('proxyuser'), 'the proxy is named without its credentials');
    // A server reached directly (no-proxy hosts) that is down is still the server's own problem.
    const down = await deadPort();
    const bypass = { url: `http://127.0.0.1:${closed}`, noProxy: '127.0.0.1' };
    const direct = client(profile(sb, 'cpanel', { auth: 'token', port: down }), { token: CREDS.bob.cpanelToken }, { proxy: bypass });
    assert.match(
      (await direct.call(listPops)).hint!,
      new RegExp(`^Nothing is listening on 127\\.0\\.0\\.1:${down} \\(connection refused\\)`),
    );
  });

  it('cpapi call honours HTTPS_PROXY and NO_PROXY', async () => {
    const run = (env: Record<string, string>): Promise<{ code: number; stderr: string }> =>
      new Promise((done) =>
        execFile(
          process.execPath,
          [
            CLI,
            'call',
            'uapi',
            'Email/list_pops',
            '--host',
            '127.0.0.1',
            '--service',
            'cpanel',
            '--port',
            String(sb.port('cpanel')),
            '--user',
            'bob',
            '--auth',
            'token',
            '--fingerprint',
            sb.fingerprint256,
          ],
          { env: { PATH: process.env.PATH ?? '', CPANEL_TOKEN: CREDS.bob.cpanelToken, ...env } },
          (err, _out, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
        ),
      );
    const through = await run({ HTTPS_PROXY: `http://127.0.0.1:${openPort}` });
    assert.equal(through.code, 0, through.stderr);
    assert.equal(open.tunnels.length, 1);
    const bypass = await run({ HTTPS_PROXY: `http://127.0.0.1:${openPort}`, NO_PROXY: '127.0.0.1' });
    assert.equal(bypass.code, 0, bypass.stderr);
    assert.equal(open.tunnels.length, 1, 'NO_PROXY went direct');
    const closed = await deadPort();
    const dead = await run({ HTTPS_PROXY: `http://127.0.0.1:${closed}` });
    assert.notEqual(dead.code, 0);
    assert.match(dead.stderr, new RegExp(`The proxy 127\\.0\\.0\\.1:${closed} could not be reached`));
  });
});
