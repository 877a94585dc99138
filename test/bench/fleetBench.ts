import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { CpanelClient } from '../../src/core/client';
import { requestFor, type FanTarget } from '../../src/core/fanout';
import { runBounded } from '../../src/core/data/rows';
import { RequestPipeline } from '../../src/core/pipeline';
import type { ServerProfile } from '../../src/core/servers';
import { SANDBOX_CREDENTIALS as C } from '../../src/sandbox/accounts';
import { interleave, type Round } from './ab';

/**
 * Fleets, measured: a simulated fleet of WHM servers in a process of its own (each answer takes
 * `latencyMs`, as a real server's work and a round trip do), and the fan-out in this one.
 */

interface Fleet {
  ports: number[];
  fingerprint256: string;
  stats(): Promise<{ connections: number; requests: number; logins: number }[]>;
  reset(): Promise<void>;
  stop(): void;
}

async function startFleet(root: string, n: number, latencyMs: number, accounts: number): Promise<Fleet> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(root, 'dist', 'sandbox.js')], {
    env: { ...process.env, SANDBOX_FLEET: String(n), SANDBOX_LATENCY_MS: String(latencyMs), SANDBOX_ACCOUNTS: String(accounts) },
  });
  let out = '';
  const waiters: { prefix: string; done: (line: string) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const i = waiters.findIndex((w) => line.startsWith(w.prefix));
      if (i >= 0) waiters.splice(i, 1)[0]!.done(line);
    }
  });
  const next = (prefix: string): Promise<string> => new Promise((done) => waiters.push({ prefix, done }));
  const info = JSON.parse((await next('SANDBOX_FLEET ')).slice('SANDBOX_FLEET '.length)) as { ports: number[]; fingerprint256: string };
  return {
    ...info,
    stats: async () => {
      const p = next('SANDBOX_STATS ');
      child.stdin.write('stats\n');
      return JSON.parse((await p).slice('SANDBOX_STATS '.length)) as { connections: number; requests: number; logins: number }[];
    },
    reset: async () => {
      const p = next('SANDBOX_RESET');
      child.stdin.write('reset\n');
      await p;
    },
    stop: () => child.stdin.end(),
  };
}

const profileFor = (port: number, fingerprint256: string, label: string): ServerProfile => ({
  id: label,
  label,
  host: '127.0.0.1',
  service: 'whm',
  secure: true,
  port,
  username: 'root',
  auth: 'token',
  twoFactor: 'none',
  tls: { mode: 'pinned', fingerprint256 },
});

export interface FleetFigures {
  servers: { rounds: Round[]; lost: number; duplicated: number; maxConnections: number; maxLogins: number; peakRssMb: number };
  accounts: { rounds: Round[]; lost: number; peakRssMb: number; connections: number };
  /** 2,000 rows to one server at concurrency 8: a data run's loop (runBounded, one pipeline send a row). */
  rows?: { rounds: Round[]; lost: number; peakRssMb: number; connections: number; logins: number };
}

/**
 * How far the JavaScript heap rose above where it was (after a collection) while `fn` ran, sampled
 * every 5 ms, in MB: what the fan-out itself holds (resident memory stays at its high-water mark).
 */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  try {
    const value = await fn();
    return { value, peakMb: (Math.max(peak, process.memoryUsage().heapUsed) - start) / 1024 / 1024 };
  } finally {
    clearInterval(t);
  }
}

export async function measureFleets(root: string): Promise<FleetFigures> {
  const N = 200;
  const CONCURRENCY = 16;
  const LATENCY = 40;
  const fleet = await startFleet(root, N, LATENCY, 2000);
  const version = { family: 'whm' as const, function: 'version', params: [] };
  try {
    const profiles = fleet.ports.map((p, i) => profileFor(p, fleet.fingerprint256, `s${i}`));
    // A: one call's time (a new client, so a new TLS connection, as each target of the fan-out has), × N ÷ concurrency.
    const oneCall = async (): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const c = new CpanelClient(profiles[i]!, { token: C.root.whmToken });
        const t = performance.now();
        await c.call(version);
        times.push(performance.now() - t);
        await c.close();
      }
      times.sort((a, b) => a - b);
      return (times[2]! * N) / CONCURRENCY;
    };
    let lost = 0;
    let duplicated = 0;
    let maxConnections = 0;
    let maxLogins = 0;
    let peakRssMb = 0;
    const fan = async (): Promise<number> => {
      await fleet.reset();
      const clients = profiles.map((p) => new CpanelClient(p, { token: C.root.whmToken }));
      const byLabel = new Map(clients.map((c) => [c.profile.label, c]));
      const t = performance.now();
      // The product's own path: the pipeline's fan-out, which cpapi fanout and the extension use.
      const pipeline = new RequestPipeline({ client: (p) => byLabel.get(p.label)! });
      const { value: results, peakMb } = await withPeakRss(async () => {
        const o = await pipeline.fanOut(
          version,
          profiles.map((profile) => ({ profile })),
          { concurrency: CONCURRENCY, origin: 'cli', what: 'fleet' },
        );
        return o.sent ? o.parts.map((x) => x.result) : [];
      });
      const ms = performance.now() - t;
      peakRssMb = Math.max(peakRssMb, peakMb);
      await Promise.all(clients.map((c) => c.close()));
      const stats = await fleet.stats();
      lost += results.filter((r) => !r.ok).length + stats.filter((s) => s.requests === 0).length;
      duplicated += stats.filter((s) => s.requests > 1).length;
      maxConnections = Math.max(maxConnections, ...stats.map((s) => s.connections));
      maxLogins = Math.max(maxLogins, ...stats.map((s) => s.logins));
      return ms;
    };
    const serverRounds = await interleave(5, oneCall, fan);

    // 2,000 accounts of one WHM server, UAPI on behalf of each, through one client.
    const whm = profiles[0]!;
    const list = new CpanelClient(whm, { token: C.root.whmToken });
    const accts = (
      (await list.call({ family: 'whm', function: 'listaccts', params: [['want', 'user']] })).data as { acct: { user: string }[] }
    ).acct.map((a) => a.user);
    await list.close();
    const targets: FanTarget[] = accts.map((account) => ({ profile: whm, account }));
    const pops = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };
    let acctLost = 0;
    let acctRss = 0;
    let acctConnections = 0;
    const oneAccountCall = async (): Promise<number> => {
      const c = new CpanelClient(whm, { token: C.root.whmToken });
      await c.call(requestFor(pops, targets[0]!));
      const t = performance.now();
      await c.call(requestFor(pops, targets[1]!));
      const ms = performance.now() - t;
      await c.close();
      return (ms * targets.length) / CONCURRENCY;
    };
    const fanAccounts = async (): Promise<number> => {
      await fleet.reset();
      const c = new CpanelClient(whm, { token: C.root.whmToken }, { limits: { maxConnections: CONCURRENCY } });
      const t = performance.now();
      const pipeline = new RequestPipeline({ client: () => c });
      const { value: results, peakMb } = await withPeakRss(async () => {
        const o = await pipeline.fanOut(pops, targets, { concurrency: CONCURRENCY, origin: 'cli', what: 'accounts' });
        return o.sent ? o.parts.map((x) => x.result) : [];
      });
      const ms = performance.now() - t;
      acctRss = Math.max(acctRss, peakMb);
      await c.close();
      acctLost += results.filter((r) => !r.ok).length;
      acctConnections = Math.max(acctConnections, (await fleet.stats())[0]!.connections);
      return ms;
    };
    const accountRounds = await interleave(5, oneAccountCall, fanAccounts);

    // A data run (cpapi run SNIPPET --data FILE --concurrency 8, Run for Each Row…) sends its rows as its loop
    // does: runBounded, at most 8 at once, one RequestPipeline.send a row (origin "data"), one client capped at
    // 8 connections; against (2,000 ÷ 8) × one call on a kept-alive connection. The row's parameters differ
    // per row, as a CSV's do.
    const ROWS = 2000;
    const ROW_CONCURRENCY = 8;
    const rowRequests = Array.from({ length: ROWS }, (_, i) => ({ ...version, params: [['row', String(i + 1)] as const] }));
    let rowLost = 0;
    let rowRss = 0;
    let rowConnections = 0;
    let rowLogins = 0;
    const oneRowCall = async (): Promise<number> => {
      const c = new CpanelClient(whm, { token: C.root.whmToken });
      await c.call(version);
      const t = performance.now();
      await c.call(version);
      const ms = performance.now() - t;
      await c.close();
      return (ms * ROWS) / ROW_CONCURRENCY;
    };
    const dataRun = async (): Promise<number> => {
      await fleet.reset();
      const c = new CpanelClient(whm, { token: C.root.whmToken }, { limits: { maxConnections: ROW_CONCURRENCY } });
      const pipeline = new RequestPipeline({ client: () => c });
      const t = performance.now();
      const { value: results, peakMb } = await withPeakRss(async () => {
        const runs = await runBounded(rowRequests, {
          concurrency: ROW_CONCURRENCY,
          send: (request) => pipeline.send({ profile: whm, request, origin: 'data' }),
          cancelled: () => undefined,
        });
        return runs.flatMap((r) => (r?.sent ? [r.result] : []));
      });
      const ms = performance.now() - t;
      rowRss = Math.max(rowRss, peakMb);
      await c.close();
      const st = (await fleet.stats())[0]!;
      rowLost += results.filter((r) => !r.ok).length + Math.max(0, ROWS - st.requests);
      rowConnections = Math.max(rowConnections, st.connections);
      rowLogins = Math.max(rowLogins, st.logins);
      return ms;
    };
    const rowRounds = await interleave(3, oneRowCall, dataRun);
    return {
      servers: { rounds: serverRounds, lost, duplicated, maxConnections, maxLogins, peakRssMb },
      accounts: { rounds: accountRounds, lost: acctLost, peakRssMb: acctRss, connections: acctConnections },
      rows: { rounds: rowRounds, lost: rowLost, peakRssMb: rowRss, connections: rowConnections, logins: rowLogins },
    };
  } finally {
    fleet.stop();
  }
}
