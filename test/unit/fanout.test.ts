import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ApiRequest } from '../../src/core/api/request';
import type { CpanelClient } from '../../src/core/client';
import { toFanResult, type FanTarget } from '../../src/core/fanout';
import { RequestPipeline } from '../../src/core/pipeline';
import type { ApiResult } from '../../src/core/result';
import { serializeSnippet } from '../../src/core/snippets';
import { Sandbox } from '../../src/sandbox/server';
import { cpapi } from '../helpers/cli';
import { CREDS } from '../helpers/sandbox';

describe('cpapi fanout: one call to many servers and accounts', () => {
  const fleet: Sandbox[] = [];
  let dir: string;
  let downPort: number;
  const env: Record<string, string> = {};
  before(async () => {
    const certificate = await Sandbox.certificate();
    for (let i = 0; i < 3; i++)
      fleet.push(await Sandbox.start({ listeners: [{ service: 'whm', secure: true }], certificate, extraAccounts: i === 0 ? 5 : 0 }));
    // A port where nothing listens: a server that is down.
    downPort = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    dir = mkdtempSync(join(tmpdir(), 'cpapi-fanout-'));
    const tls = { mode: 'pinned', fingerprint256: fleet[0]!.fingerprint256 };
    const server = (label: string, port: number, groups: string[]): object => ({
      label,
      host: '127.0.0.1',
      service: 'whm',
      port,
      username: 'root',
      auth: 'token',
      tls,
      groups,
    });
    writeFileSync(
      join(dir, 'servers.json'),
      JSON.stringify([
        server('eu-1', fleet[0]!.port('whm'), ['eu', 'shared']),
        server('eu-2', fleet[1]!.port('whm'), ['eu']),
        server('eu-down', downPort, ['eu']),
        server('us-1', fleet[2]!.port('whm'), ['us', 'shared']),
      ]),
    );
    for (const l of ['EU_1', 'EU_2', 'EU_DOWN', 'US_1']) env[`CPANEL_${l}_TOKEN`] = CREDS.root.whmToken;
  });
  after(async () => {
    for (const s of fleet) await s.stop();
  });
  beforeEach(() => {
    for (const s of fleet) {
      s.clearLog();
      s.resetConnectionStats();
    }
  });
  const run = (args: string[], e = env): ReturnType<typeof cpapi> => cpapi(['fanout', ...args, '--servers', 'servers.json'], e, dir);

  it('every server: a line per target, a summary, exit 1 when one is down; one connection per server', async () => {
    const r = await run(['whm', 'version']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.filter((l) => /^ok {4}ok/.test(l)).length, 3);
    assert.match(r.stdout, /^FAIL {2}network_error .*eu-down\n {6}Nothing is listening on 127\.0\.0\.1:\d+/m);
    assert.equal(lines.at(-1), '3 succeeded, 1 failed, 4 targets on 4 servers');
    for (const s of fleet) assert.equal(s.connectionStats().accepted, 1, 'one TLS connection per server');
  });

  it('--group and --label choose the servers; exit 0 when all succeed', async () => {
    const us = await run(['whm', 'version', '--group', 'us']);
    assert.equal(us.code, 0, us.stderr);
    assert.match(us.stdout, /1 succeeded, 0 failed, 1 target on 1 server/);
    const two = await run(['whm', 'version', '--label', 'eu-1', '--label', 'eu-2']);
    assert.equal(two.code, 0);
    assert.match(two.stdout, /2 succeeded, 0 failed, 2 targets on 2 servers/);
    const mixed = await run(['whm', 'version', '--group', 'shared', '--label', 'eu-2']);
    assert.match(mixed.stdout, /3 succeeded, 0 failed, 3 targets on 3 servers/);
  });

  it('--jsonl: one JSON object per target as it finishes, the summary on stderr', async () => {
    const r = await run(['whm', 'listaccts', '--group', 'eu', '--jsonl', '--concurrency', '2']);
    assert.equal(r.code, 1);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objects.length, 3);
    for (const o of objects) assert.deepEqual(Object.keys(o), ['server', 'account', 'ok', 'kind', 'status', 'data', 'errors', 'timeMs']);
    const eu1 = objects.find((o) => o.server === 'eu-1')!;
    assert.equal(eu1.ok, true);
    assert.equal((eu1.data as { acct: unknown[] }).acct.length, 7);
    assert.equal(objects.find((o) => o.server === 'eu-down')!.kind, 'network_error');
    assert.match(r.stderr, /2 succeeded, 1 failed, 3 targets on 3 servers/);
  });

  it('--accounts: UAPI on behalf of every account of a WHM server, from its listaccts', async () => {
    const r = await run(['uapi', 'Email/list_pops', '--label', 'eu-1', '--accounts', '--jsonl']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { account: string; ok: boolean });
    assert.deepEqual(objects.map((o) => o.account).sort(), ['acct0001', 'acct0002', 'acct0003', 'acct0004', 'acct0005', 'bob', 'cptest']);
    assert.equal(fleet[0]!.requests('/json-api/uapi_cpanel').length, 7);
    assert.equal(fleet[0]!.requests('listaccts').length, 1, 'the accounts are read once');
  });

  it('--timeout bounds each call', async () => {
    fleet[1]!.inject({ fault: { kind: 'slow-headers', ms: 3000 } });
    const r = await run(['whm', 'version', '--label', 'eu-1', '--label', 'eu-2', '--timeout', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL {2}timeout .*eu-2/m);
    assert.match(r.stdout, /^ok .*eu-1/m);
  });

  it('a destructive function is refused without --allow-destructive, naming how many targets; nothing is sent', async () => {
    const r = await run(['whm', 'suspendacct', 'user=bob', '--group', 'shared']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /suspendacct removes, suspends, revokes or resets something, and this would run it on 2 targets: add --allow-destructive/,
    );
    assert.equal(fleet[0]!.requests('suspendacct').length + fleet[2]!.requests('suspendacct').length, 0);
    const ok = await run(['whm', 'suspendacct', 'user=bob', '--label', 'eu-1', '--allow-destructive']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(fleet[0]!.requests('suspendacct').length, 1);
  });

  it('usage errors exit 2 and send nothing', async () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['whm', 'version', '--group', 'asia'], /--group asia: no server in servers\.json is in that group \(groups: eu, shared, us\)/],
      [['whm', 'version', '--label', 'nowhere'], /no server in servers\.json is labelled "nowhere"/],
      [['whm', 'version', '--concurrency', '0'], /--concurrency must be a number from 1 to 64/],
      [['whm', 'version', '--accounts'], /--accounts calls on behalf of each account: it goes with uapi or api2/],
      [['api2', 'Email/listpops'], /api2 is called on behalf of accounts: add --accounts/],
      [['whm', 'version'], /needs the CPANEL_EU_1_TOKEN environment variable/, {}],
    ];
    for (const [args, message, e] of cases) {
      const r = await run(args, e ?? env);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    assert.equal(
      fleet.reduce((n, s) => n + s.requests().length, 0),
      0,
    );
  });

  it('cpapi run --group runs each snippet on every server of the group', async () => {
    mkdirSync(join(dir, 'snips'), { recursive: true });
    writeFileSync(
      join(dir, 'snips', 'version.cpanel.json'),
      serializeSnippet({
        version: 1,
        server: 'eu-1',
        family: 'whm',
        function: 'version',
        method: 'GET',
        params: [],
        expect: [{ ok: true }],
      }),
    );
    const r = await cpapi(['run', 'snips', '--servers', 'servers.json', '--group', 'shared'], env, dir);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\(whm version on eu-1\)/);
    assert.match(r.stdout, /\(whm version on us-1\)/);
    assert.match(r.stdout, /2 passed, 0 failed/);
  });

  it('the core: at most N at once, results in target order, a cancel drops what has not started', async () => {
    let running = 0;
    let peak = 0;
    const targets: FanTarget[] = Array.from({ length: 20 }, (_, i) => ({
      profile: { label: `s${i}`, service: 'whm', host: '127.0.0.1', port: 2087, secure: true } as FanTarget['profile'],
    }));
    const ac = new AbortController();
    // A stand-in client: the pipeline's fan-out is what is measured here, not a server.
    const fake = (label: string): CpanelClient =>
      ({
        redactor: { learn: () => undefined },
        call: async (_req: ApiRequest, opts: { signal?: AbortSignal } = {}) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
          if (label === 's5') ac.abort();
          const aborted = opts.signal?.aborted === true;
          return {
            ok: !aborted,
            kind: aborted ? 'cancelled' : 'ok',
            status: 200,
            data: label,
            errors: [],
            warnings: [],
            messages: [],
            metadata: {},
            raw: '',
            contentType: '',
            timings: { headersMs: 1, totalMs: 20 },
            request: { method: 'GET', url: '', family: 'whm', function: 'x' },
          } as ApiResult;
        },
      }) as unknown as CpanelClient;
    const pipeline = new RequestPipeline({ client: (p) => fake(p.label) });
    const o = await pipeline.fanOut({ family: 'whm', function: 'version', params: [] }, targets, {
      concurrency: 3,
      signal: ac.signal,
      origin: 'cli',
      what: 'x',
    });
    assert.ok(o.sent);
    const results = o.parts.map((p) => toFanResult(p.target, p.result));
    assert.equal(peak, 3);
    assert.deepEqual(
      results.map((r) => r.server),
      targets.map((t) => t.profile.label),
    );
    assert.ok(results.slice(0, 3).every((r) => r.ok));
    const notStarted = results.filter((r) => r.errors[0] === 'Cancelled before it was sent.');
    assert.ok(notStarted.length >= 10, `${notStarted.length} were dropped before starting`);
  });
});
