import type * as Jmespath from '@jmespath-community/jmespath';
import { publicView, type ApiResult, type ResultKind } from './result';

/**
 * What a snippet checks in its answer (`expect`) and takes from it (`capture`), both on the
 * normalized answer {ok, kind, status, data, errors, warnings, messages, metadata}: the object
 * `cpapi call` prints, so an expression tried with `cpapi call … --query` means the same here.
 */

export type ExpectItem = { ok: boolean } | { kind: ResultKind } | { status: number } | { maxMs: number } | { jmespath: string };

export const EXPECT_KEYS = ['ok', 'kind', 'status', 'maxMs', 'jmespath'] as const;

export const RESULT_KINDS: readonly ResultKind[] = ['ok', 'api_error', 'auth_error', 'http_error', 'tls_error', 'network_error', 'timeout', 'cancelled', 'too_large', 'malformed', 'config_error', 'locked_out'];

export interface CheckResult {
  /** Position in `expect`. */
  index: number;
  /** The item as written, e.g. `status: 200` or `jmespath: length(data) > \`0\``. */
  label: string;
  pass: boolean;
  /** For a failure: what was expected and what the answer held. */
  message?: string;
}

let library: typeof Jmespath | undefined;

/** The JMESPath implementation, loaded with the first expression (a bundle of its own in dist/). */
function jmespath(): typeof Jmespath {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  library ??= require('@jmespath-community/jmespath') as typeof Jmespath;
  return library;
}

/** Why an expression is not JMESPath, in one line, or undefined when it compiles. */
export function expressionProblem(expr: string): string | undefined {
  if (!expr.trim()) return 'the expression is empty';
  try {
    jmespath().compile(expr);
    return undefined;
  } catch (e) {
    return `it is not a valid JMESPath expression (${oneLine(e)})`;
  }
}

/** Evaluates an expression on the normalized answer; throws a readable error (an unknown function, a wrong argument type). */
export function evaluate(expr: string, r: ApiResult): unknown {
  try {
    return jmespath().search(normalizedAnswer(r) as Jmespath.JSONValue, expr);
  } catch (e) {
    throw new Error(`JMESPath ${JSON.stringify(expr)} could not be evaluated: ${oneLine(e)}`, { cause: e });
  }
}

/** The answer as expressions see it. */
export function normalizedAnswer(r: ApiResult): Record<string, unknown> {
  return publicView(r) as unknown as Record<string, unknown>;
}

/** JMESPath's own truthiness: false, null, "", [] and {} are false; every number, 0 too, is true. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

export function labelOf(item: ExpectItem): string {
  const [k, v] = Object.entries(item)[0]!;
  return `${k}: ${typeof v === 'string' && k !== 'kind' ? v : JSON.stringify(v)}`;
}

/** Every item of `expect` against one result. */
export function runChecks(items: readonly ExpectItem[], r: ApiResult): CheckResult[] {
  return items.map((item, index) => {
    const label = labelOf(item);
    const fail = (message: string): CheckResult => ({ index, label, pass: false, message });
    if ('ok' in item) return r.ok === item.ok ? { index, label, pass: true } : fail(`expected ok to be ${item.ok}, but the call ${r.ok ? 'succeeded' : `failed (${r.kind}${r.hint ? `: ${r.hint}` : ''})`}`);
    if ('kind' in item) return r.kind === item.kind ? { index, label, pass: true } : fail(`expected kind ${item.kind}, got ${r.kind}${r.hint ? ` (${r.hint})` : ''}`);
    if ('status' in item) return r.status === item.status ? { index, label, pass: true } : fail(`expected HTTP status ${item.status}, got ${r.status || 'no answer'}`);
    if ('maxMs' in item) {
      return r.timings.totalMs <= item.maxMs ? { index, label, pass: true } : fail(`expected the call to take at most ${item.maxMs} ms, it took ${r.timings.totalMs} ms`);
    }
    let value: unknown;
    try {
      value = evaluate(item.jmespath, r);
    } catch (e) {
      return fail(oneLine(e));
    }
    return truthy(value) ? { index, label, pass: true } : fail(`expected ${item.jmespath} to be true, it gave ${preview(value)}`);
  });
}

/** Values taken from an answer: each expression's result as text (strings as they are, others as JSON); null results are left out. */
export function runCaptures(capture: Readonly<Record<string, string>>, r: ApiResult): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, expr] of Object.entries(capture)) {
    let v: unknown;
    try {
      v = evaluate(expr, r);
    } catch (e) {
      problems.push(`capture "${name}": ${oneLine(e)}`);
      continue;
    }
    if (v === null || v === undefined) {
      problems.push(`capture "${name}": ${expr} found nothing in the answer`);
      continue;
    }
    values[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { values, problems };
}

/** A value as a failure message shows it: short, on one line. */
export function preview(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
