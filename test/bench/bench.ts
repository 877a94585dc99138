import { readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { Agent, request } from 'undici';
import { Catalog, CATALOG_FILE } from '../../src/core/catalog';
import { CpanelClient } from '../../src/core/client';
import type { ServerProfile } from '../../src/core/servers';
import { render } from '../../src/extension/resultText';
import { SANDBOX_CREDENTIALS as C } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';

/**
 * `npm run bench`: figures are ratios against a baseline measured in the same run on the same
 * machine, so they compare across machines; absolute numbers are printed beside them.
 */

const ROOT = resolve(__dirname, '../../..');
const rows: [string, string, string, string][] = [];

function row(what: string, ours: string, baseline: string, ratio: number): void {
  rows.push([what, ours, baseline, `${ratio.toFixed(2)}×`]);
}

async function time(fn: () => Promise<unknown> | unknown, reps: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t) / reps;
}

async function main(): Promise<void> {
  const sb = await Sandbox.start({ rejectReusedLoginCodes: false });
  const base: ServerProfile = {
    id: 'bench',
    label: 'bench',
    host: '127.0.0.1',
    service: 'cpanel',
    secure: true,
    port: sb.port('cpanel'),
    username: 'bob',
    auth: 'token',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
  };
  const req = { family: 'uapi' as const, module: 'Email', function: 'list_pops', params: [] };
  const N = 400;

  // Baseline: raw undici with a kept-alive agent trusting the sandbox certificate.
  const raw = new Agent({ connect: { ca: sb.certPem } });
  const rawCall = async (): Promise<unknown> => {
    const r = await request(`https://127.0.0.1:${base.port}/execute/Email/list_pops`, { dispatcher: raw, headers: { authorization: `cpanel bob:${C.bob.cpanelToken}` } });
    return JSON.parse(await r.body.text());
  };
  const token = new CpanelClient(base, { token: C.bob.cpanelToken });
  const session = new CpanelClient({ ...base, auth: 'session' }, { password: C.bob.password });
  const header2fa = new CpanelClient({ ...base, username: 'cptest', auth: 'password', twoFactor: 'header' }, { password: C.cptest.password, totpSecret: C.cptest.tfaSecret });
  for (const warm of [rawCall, () => token.call(req), () => session.call(req), () => header2fa.call(req)]) await time(warm, 50);

  const rawMs = await time(rawCall, N);
  const tokenMs = await time(() => token.call(req), N);
  const sessionMs = await time(() => session.call(req), N);
  const tfaMs = await time(() => header2fa.call(req), N);
  const perSec = (ms: number): string => `${Math.round(1000 / ms)} calls/s`;
  row(`sequential calls, API token (${N}, one connection)`, perSec(tokenMs), `${perSec(rawMs)} raw undici`, rawMs / tokenMs);
  row('sequential calls, session login (cookie + cpsess)', perSec(sessionMs), `${perSec(rawMs)} raw undici`, rawMs / sessionMs);
  row('sequential calls, password + 2FA header (TOTP each)', perSec(tfaMs), `${perSec(rawMs)} raw undici`, rawMs / tfaMs);

  // Concurrency: 8 at a time.
  const conc = async (fn: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < N / 8; i++) await fn();
    }));
    return (performance.now() - t) / N;
  };
  const rawConc = await conc(rawCall);
  const tokenConc = await conc(() => token.call(req));
  row('8 concurrent callers, API token', perSec(tokenConc), `${perSec(rawConc)} raw undici`, rawConc / tokenConc);

  // A 20 MB answer: read, parse and normalize, against reading and parsing it raw.
  const big = async (fn: () => Promise<unknown>): Promise<number> => {
    sb.inject({ fault: { kind: 'huge', bytes: 20 * 1024 * 1024 } });
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const rawBig = Math.min(await big(rawCall), await big(rawCall));
  let bigResult = await token.call(req);
  const oursBig = Math.min(await big(async () => (bigResult = await token.call(req))), await big(async () => (bigResult = await token.call(req))));
  row('20 MB answer: read + parse + normalize', `${Math.round(oursBig)} ms`, `${Math.round(rawBig)} ms raw undici + JSON.parse`, rawBig / oursBig);

  // Rendering that answer as the result document, against plain pretty-printing of its data.
  const renderMs = await time(() => render(bigResult, 'bench'), 3);
  const stringifyMs = await time(() => JSON.stringify(bigResult.data, null, 2), 3);
  row('20 MB answer: result document text', `${Math.round(renderMs)} ms`, `${Math.round(stringifyMs)} ms JSON.stringify(data, null, 2)`, stringifyMs / renderMs);

  // The catalog: parse and index, against parsing alone; search speed.
  const catalogPath = join(ROOT, 'resources', CATALOG_FILE);
  const text = readFileSync(catalogPath, 'utf8');
  const loadMs = await time(() => Catalog.load(catalogPath), 20);
  const parseMs = await time(() => JSON.parse(text), 20);
  row('catalog load (1,282 functions, indexed)', `${loadMs.toFixed(1)} ms`, `${parseMs.toFixed(1)} ms JSON.parse`, parseMs / loadMs);
  const catalog = Catalog.load();
  const searchMs = await time(() => catalog.search('list email accounts'), 500);
  const scanMs = await time(() => catalog.functions.filter((f) => f.title.toLowerCase().includes('email')), 500);
  row('catalog search by title words', `${(searchMs * 1000).toFixed(0)} µs`, `${(scanMs * 1000).toFixed(0)} µs one substring scan`, scanMs / searchMs);

  // Bundle sizes, against undici bundled alone the same way.
  const dir = mkdtempSync(join(tmpdir(), 'cpapi-bench-'));
  await esbuild.build({ stdin: { contents: "module.exports = require('undici');", resolveDir: ROOT }, bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'undici.js'), logLevel: 'silent' });
  const undiciSize = statSync(join(dir, 'undici.js')).size;
  for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/webview/builder.js']) {
    const size = statSync(join(ROOT, f)).size;
    row(`bundle ${f}`, `${(size / 1024).toFixed(0)} KB`, `${(undiciSize / 1024).toFixed(0)} KB undici alone`, undiciSize / size);
  }

  await Promise.all([token.close(), session.close(), header2fa.close(), raw.close()]);
  await sb.stop();

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['what', 'ours', 'baseline', 'ratio'][i]!.length));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${line(['what', 'ours', 'baseline', 'ratio'])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write('\nratio: baseline time ÷ our time for speed (1.00× = as fast as the baseline), baseline size ÷ our size for bundles.\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
