import { CpanelClient } from '../core/client';
import { publicView, type ApiResult, type ResultKind } from '../core/result';
import { CALL_USAGE, parseCall, timeoutLimits, UsageError } from './args';
import { runSnippets } from './run';

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

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function runCall(argv: string[], io: Io): Promise<number> {
  const inv = parseCall(argv, io.env);
  const client = new CpanelClient(inv.profile, inv.secrets, { limits: timeoutLimits(inv.timeoutMs) });
  let result: ApiResult;
  try {
    result = await client.call(inv.request, { signal: io.signal, keepUnredacted: inv.unredacted });
  } finally {
    await client.close();
  }
  if (inv.raw) {
    const body = inv.unredacted ? (result.rawUnredacted ?? result.raw) : result.raw;
    if (body) io.out(body.endsWith('\n') ? body : `${body}\n`);
  } else {
    io.out(`${JSON.stringify(publicView(result), null, 2)}\n`);
  }
  if (!result.ok) io.err(`cpapi: ${result.hint ?? result.errors.join(' ')}\n`);
  return exitCode(result.kind);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'call':
        return await runCall(rest, io);
      case 'run':
        return await runSnippets(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        (command === undefined ? io.err : io.out)(CALL_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}": use "cpapi call" or "cpapi run".`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cpapi: ${e.message}\nRun "cpapi --help" for usage.\n`);
      return 2;
    }
    io.err(`cpapi: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  void main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    signal: ac.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
