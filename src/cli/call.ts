import { CpanelClient } from '../core/client';
import { publicView, type ApiResult, type ResultKind } from '../core/result';
import { evaluate } from '../core/checks';
import { proxyFromEnv } from '../core/http';
import { parseCall, timeoutLimits } from './args';
import type { Io } from './main';

/** Exit codes are part of the CLI's contract: scripts branch on them. */
export function exitCode(kind: ResultKind): number {
  switch (kind) {
    case 'ok':
      return 0;
    case 'api_error':
    case 'http_error':
      return 1;
    case 'config_error':
      return 2;
    case 'auth_error':
      return 3;
    case 'tls_error':
    case 'network_error':
    case 'timeout':
    case 'cancelled':
      return 4;
    case 'malformed':
    case 'too_large':
      return 5;
  }
}

/** `cpapi call`: one request, the normalized result (or the raw body) on stdout. */
export async function runCall(argv: string[], io: Io): Promise<number> {
  const inv = parseCall(argv, io.env);
  const proxy = proxyFromEnv(io.env, inv.profile.secure);
  const client = new CpanelClient(inv.profile, inv.secrets, { limits: timeoutLimits(inv.timeoutMs), ...(proxy ? { proxy } : {}) });
  let result: ApiResult;
  try {
    result = await client.call(inv.request, { signal: io.signal, keepUnredacted: inv.unredacted });
  } finally {
    await client.close();
  }
  if (inv.query !== undefined) {
    let picked: unknown;
    try {
      picked = await evaluate(inv.query, result);
    } catch (e) {
      io.err(`cpapi: --query: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    io.out(`${JSON.stringify(picked ?? null, null, 2)}\n`);
  } else if (inv.raw) {
    const body = inv.unredacted ? (result.rawUnredacted ?? result.raw) : result.raw;
    // On a terminal the body is neutralized like all output; piped, it is byte-exact (io.exact).
    if (body) (io.exact ?? io.out)(body.endsWith('\n') ? body : `${body}\n`);
  } else {
    io.out(`${JSON.stringify(publicView(result), null, 2)}\n`);
  }
  if (!result.ok) io.err(`cpapi: ${result.hint ?? result.errors.join(' ')}\n`);
  return exitCode(result.kind);
}
