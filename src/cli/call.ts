import { secretNames } from '../core/api/request';
import { notSentResult } from '../core/pipeline';
import { publicView, type ApiResult, type ResultKind } from '../core/result';
import { evaluate } from '../core/checks';
import { parseCall } from './args';
import { cliSending } from './pipeline';
import type { Io } from './io';

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
    case 'locked_out':
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
  const inUrl = inv.request.secretInUrl ? secretNames(inv.request) : [];
  if (inUrl.length) {
    io.err(
      `cpapi: warning: --get puts ${inUrl.join(', ')} into the URL, which cPanel writes to its access log (and proxies log too); without --get it would go in a POST body.\n`,
    );
  }
  // The command line is the person's own word: what it names is sent without a question.
  const sending = cliSending({ env: io.env, timeoutMs: inv.timeoutMs, secrets: () => inv.secrets, allow: () => true });
  let result: ApiResult;
  try {
    const o = await sending.pipeline.send({
      profile: inv.profile,
      request: inv.request,
      origin: 'cli',
      keepUnredacted: inv.unredacted,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    result = o.sent ? o.result : notSentResult(inv.request, 'config_error', o.message);
  } finally {
    await sending.close();
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
  // The hint says to pin the certificate; on the command line that is --fingerprint.
  const pin =
    result.kind === 'tls_error' && result.certificate && !result.certificate.trusted
      ? ` With cpapi, pin it with --fingerprint ${result.certificate.fingerprint256}`
      : '';
  if (!result.ok) io.err(`cpapi: ${result.hint ?? result.errors.join(' ')}${pin}\n`);
  return exitCode(result.kind);
}
