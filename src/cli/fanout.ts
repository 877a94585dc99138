import { effectOf } from '../core/api/effects';
import { functionName, splitFunction, type ApiRequest, type Family } from '../core/api/request';
import { LISTACCTS, readAccounts } from '../core/accounts';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, toFanResult, type FanResult, type FanTarget } from '../core/fanout';
import { notSentResult } from '../core/pipeline';
import { FAMILIES, FAMILY_IDS } from '../shared/families';
import { parseOptions, parseParams, parseTimeout, UsageError } from './args';
import { cliSending } from './pipeline';
import type { Io } from './io';
import { chooseServers, readServersFile } from './servers';

/**
 * `cpapi fanout API FUNCTION [name=value …] --servers SERVERS.json [--group G]… [--label L]…
 * [--accounts] [--concurrency N] [--jsonl] [--timeout S] [--allow-destructive]`: one call to many
 * servers, or to every account of WHM servers, a line (or a JSON object) per target as it finishes.
 */
export async function runFanout(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    servers: { type: 'string' },
    group: { type: 'string', multiple: true },
    label: { type: 'string', multiple: true },
    accounts: { type: 'boolean' },
    concurrency: { type: 'string' },
    jsonl: { type: 'boolean' },
    timeout: { type: 'string' },
    'allow-destructive': { type: 'boolean' },
    post: { type: 'boolean' },
  });
  const v = values as {
    servers?: string;
    group?: string[];
    label?: string[];
    accounts?: boolean;
    concurrency?: string;
    jsonl?: boolean;
    timeout?: string;
    'allow-destructive'?: boolean;
    post?: boolean;
  };
  const [api, fn, ...pairs] = positionals;
  if (!api || !(FAMILY_IDS as readonly string[]).includes(api))
    throw new UsageError(`The API (the first argument) must be one of ${FAMILY_IDS.join(', ')}.`);
  const family = api as Family;
  if (!fn) throw new UsageError('FUNCTION is missing: e.g. Email/list_pops (uapi, api2) or listaccts (whm).');
  if (!v.servers)
    throw new UsageError('--servers SERVERS.json is required: it names each server (host, service, auth, groups) by its label.');
  const concurrency = v.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(v.concurrency);
  if (!/^\d+$/.test(v.concurrency ?? '8') || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    throw new UsageError(`--concurrency must be a number from 1 to ${MAX_CONCURRENCY}, not "${v.concurrency}".`);
  const timeoutMs = parseTimeout(v.timeout);
  let parts;
  try {
    parts = splitFunction(family, fn);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const request: ApiRequest = { family, ...parts, params: parseParams(pairs), method: v.post ? 'POST' : 'GET' };
  if (v.accounts && !FAMILIES[family].throughWhm)
    throw new UsageError(`--accounts calls on behalf of each account: it goes with uapi or api2, not ${family}.`);
  if (!v.accounts && !FAMILIES[family].direct.length) throw new UsageError(`${family} is called on behalf of accounts: add --accounts.`);
  const servers = chooseServers(readServersFile(v.servers), v.group ?? [], v.label ?? [], v.servers);
  if (!servers.length) throw new UsageError('No server was chosen.');
  if (v.accounts) {
    const notWhm = servers.filter((p) => p.service !== 'whm');
    if (notWhm.length)
      throw new UsageError(
        `--accounts needs WHM servers; ${notWhm.map((p) => p.label).join(', ')} ${notWhm.length > 1 ? 'are' : 'is'} not.`,
      );
  }

  // One pool for the fan-out: servers that share a host and a credential share a refusal (a wrong password is tried once, not once per target).
  // A destructive call was allowed, or refused, before anything is sent (below); a change is the command line's own word.
  const sending = cliSending({ env: io.env, timeoutMs, maxConnections: Math.min(8, concurrency), allow: () => true });
  // Every secret is checked before anything is sent: a missing one is a usage error naming it.
  for (const p of servers) sending.secrets(p);

  try {
    let targets: FanTarget[] = servers.map((profile) => ({ profile }));
    const listFailures: FanResult[] = [];
    if (v.accounts) {
      targets = [];
      for (const p of servers) {
        const o = await sending.pipeline.send({
          profile: p,
          request: LISTACCTS,
          origin: 'cli',
          ...(io.signal ? { signal: io.signal } : {}),
        });
        const r = o.sent ? o.result : notSentResult(LISTACCTS, 'config_error', o.message);
        if (!r.ok) {
          listFailures.push({
            server: p.label,
            ok: false,
            kind: r.kind,
            status: r.status,
            data: null,
            errors: r.errors,
            ...(r.hint ? { hint: `listaccts: ${r.hint}` } : {}),
            timeMs: r.timings.totalMs,
          });
          continue;
        }
        for (const a of readAccounts(r.data)) targets.push({ profile: p, account: a.user });
      }
    }
    const total = targets.length + listFailures.length;
    if (effectOf(family, functionName(request)) === 'destructive' && !v['allow-destructive']) {
      throw new UsageError(
        `${functionName(request)} removes, suspends, revokes or resets something, and this would run it on ${total} target${total === 1 ? '' : 's'}: add --allow-destructive to do that.`,
      );
    }
    const print = (r: FanResult): void => {
      if (v.jsonl) {
        const { hint: _hint, ...line } = r;
        void _hint;
        io.out(
          `${JSON.stringify({ server: line.server, account: line.account ?? null, ok: line.ok, kind: line.kind, status: line.status, data: line.data, errors: line.errors, timeMs: line.timeMs })}\n`,
        );
      } else {
        io.out(
          `${r.ok ? 'ok  ' : 'FAIL'}  ${r.kind.padEnd(13)} ${String(r.timeMs).padStart(6)} ms  ${r.server}${r.account !== undefined ? `  ${r.account}` : ''}${r.ok ? '' : `\n      ${r.hint ?? r.errors.join(' ')}`}\n`,
        );
      }
    };
    for (const f of listFailures) print(f);
    const o = await sending.pipeline.fanOut(request, targets, {
      concurrency,
      origin: 'cli',
      what: `${total} targets`,
      ...(io.signal ? { signal: io.signal } : {}),
      onResult: (part) => print(toFanResult(part.target, part.result)),
    });
    if (!o.sent) throw new UsageError(o.message);
    const results = o.parts.map((part) => toFanResult(part.target, part.result));
    // Targets a cancel dropped before they started are reported too.
    for (const r of results) if (r.kind === 'cancelled' && r.timeMs === 0) print(r);
    const failed = results.filter((r) => !r.ok).length + listFailures.length;
    const summary = `${total - failed} succeeded, ${failed} failed, ${total} target${total === 1 ? '' : 's'} on ${servers.length} server${servers.length === 1 ? '' : 's'}\n`;
    if (v.jsonl) io.err(summary);
    else io.out(summary);
    return failed ? 1 : 0;
  } finally {
    await sending.close();
  }
}
