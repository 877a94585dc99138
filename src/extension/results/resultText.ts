import type { CheckResult } from '../../core/checks';
import type { ApiResult, ResultKind } from '../../core/result';

/** How a result reads in its editor tab. No vscode here, so it is benchmarked and tested in plain Node. */

const VERDICTS: Record<ResultKind, string> = {
  ok: 'OK',
  api_error: 'API error',
  auth_error: 'Authentication error',
  http_error: 'HTTP error',
  tls_error: 'TLS error',
  network_error: 'Network error',
  locked_out: 'Locked out (cPHulk)',
  timeout: 'Timed out',
  cancelled: 'Cancelled',
  too_large: 'Answer too large',
  malformed: 'Malformed answer',
  config_error: 'Configuration error',
};

export function verdictOf(kind: ResultKind): string {
  return VERDICTS[kind];
}

/** "2 of 3 checks passed", as the result and the CodeLens say it. */
export function checksSummary(checks: readonly CheckResult[]): string {
  const passed = checks.filter((c) => c.pass).length;
  return passed === checks.length
    ? `all ${checks.length} check${checks.length === 1 ? '' : 's'} passed`
    : `${checks.length - passed} of ${checks.length} check${checks.length === 1 ? '' : 's'} failed`;
}

/** The document a person reads: what happened first (and, for a snippet with expect, each check), then the data. */
export function render(r: ApiResult, server: string, checks?: readonly CheckResult[]): string {
  const head: Record<string, unknown> = {
    verdict: verdictOf(r.kind),
    kind: r.kind,
    ...(checks?.length
      ? {
          checks: checksSummary(checks),
          expect: checks.map((c) => ({
            [c.pass ? 'passed' : 'FAILED']: `expect[${c.index}] ${c.label}`,
            ...(c.message ? { why: c.message } : {}),
          })),
        }
      : {}),
    ...(r.hint ? { hint: r.hint } : {}),
    ...(r.errors.length ? { errors: r.errors } : {}),
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
    ...(r.messages.length ? { messages: r.messages } : {}),
    ...(r.certificate ? { certificate: r.certificate } : {}),
    status: r.status,
    server,
    request: r.request,
    timings: r.timings,
    metadata: r.metadata,
  };
  // Pretty-printing a multi-megabyte answer costs more than it helps; keep big data compact.
  const bigData = r.raw.length > 5 * 1024 * 1024;
  const headText = JSON.stringify(head, null, 2);
  const dataText = bigData ? JSON.stringify(r.data) : JSON.stringify(r.data, null, 2).replace(/\n/g, '\n  ');
  return `${headText.slice(0, -2)},\n  "data": ${dataText ?? 'null'}\n}\n`;
}
