import type * as Jmespath from '@jmespath-community/jmespath';
import { ExpressionFailure, JmespathPool, type EvalMode, type Evaluated, type ExpressionLimits } from './jmespathPool';
import { publicView, type ApiResult, type ResultKind } from './result';

export { truthy } from './jmespathValue';

/**
 * What a snippet checks in its answer (`expect`) and takes from it (`capture`), both on the
 * normalized answer {ok, kind, status, data, errors, warnings, messages, metadata}: the object
 * `cpapi call` prints, so an expression tried with `cpapi call … --query` means the same here.
 */

export type ExpectItem = { ok: boolean } | { kind: ResultKind } | { status: number } | { maxMs: number } | { jmespath: string };

export const EXPECT_KEYS = ['ok', 'kind', 'status', 'maxMs', 'jmespath'] as const;

export const RESULT_KINDS: readonly ResultKind[] = [
  'ok',
  'api_error',
  'auth_error',
  'http_error',
  'tls_error',
  'network_error',
  'timeout',
  'cancelled',
  'too_large',
  'malformed',
  'config_error',
  'locked_out',
];

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

/** Bounds of one evaluation; unset ones are the pool's defaults (2 s, 8 MiB of JSON, a 512 MiB heap). */
export type EvalOptions = Partial<ExpressionLimits>;

let pool: JmespathPool | undefined;

/** The worker every expression of this process is evaluated in (started with the first one). */
export function expressionPool(): JmespathPool {
  pool ??= new JmespathPool();
  return pool;
}

/** Stops the expression worker (the extension's deactivation, the end of a cpapi command); a later expression starts another. */
export async function closeExpressions(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.dispose();
}

/**
 * Evaluates an expression on an answer in the expression worker, within its bounds; throws a readable
 * error (an unknown function, a wrong argument type, too slow, too large).
 */
async function evaluateOn(expr: string, answer: Record<string, unknown>, mode: EvalMode, opts: EvalOptions): Promise<Evaluated> {
  try {
    return await expressionPool().evaluate(expr, answer, mode, opts);
  } catch (e) {
    const shown = JSON.stringify(expr.length > 100 ? `${expr.slice(0, 100)}…` : expr);
    if (e instanceof ExpressionFailure && (e.reason === 'time' || e.reason === 'size' || e.reason === 'memory')) {
      throw new Error(`JMESPath ${shown} ${e.message}: narrow the expression`, { cause: e });
    }
    throw new Error(`JMESPath ${shown} ${e instanceof ExpressionFailure ? e.message : `could not be evaluated: ${oneLine(e)}`}`, {
      cause: e,
    });
  }
}

/** Evaluates an expression on the normalized answer (see evaluateOn). */
export async function evaluate(expr: string, r: ApiResult, opts: EvalOptions = {}): Promise<unknown> {
  return (await evaluateOn(expr, normalizedAnswer(r), 'value', opts)).value;
}

/** The answer as expressions see it. */
export function normalizedAnswer(r: ApiResult): Record<string, unknown> {
  return publicView(r) as unknown as Record<string, unknown>;
}

export function labelOf(item: ExpectItem): string {
  const [k, v] = Object.entries(item)[0]!;
  return `${k}: ${typeof v === 'string' && k !== 'kind' ? v : JSON.stringify(v)}`;
}

/** Every item of `expect` against one result. */
export async function runChecks(items: readonly ExpectItem[], r: ApiResult, opts: EvalOptions = {}): Promise<CheckResult[]> {
  // One answer object for all of them: the worker is sent it once.
  const answer = normalizedAnswer(r);
  const out: CheckResult[] = [];
  for (const [index, item] of items.entries()) out.push(await checkOne(item, index, r, answer, opts));
  return out;
}

async function checkOne(
  item: ExpectItem,
  index: number,
  r: ApiResult,
  answer: Record<string, unknown>,
  opts: EvalOptions,
): Promise<CheckResult> {
  const label = labelOf(item);
  const fail = (message: string): CheckResult => ({ index, label, pass: false, message });
  if ('ok' in item)
    return r.ok === item.ok
      ? { index, label, pass: true }
      : fail(`expected ok to be ${item.ok}, but the call ${r.ok ? 'succeeded' : `failed (${r.kind}${r.hint ? `: ${r.hint}` : ''})`}`);
  if ('kind' in item)
    return r.kind === item.kind
      ? { index, label, pass: true }
      : fail(`expected kind ${item.kind}, got ${r.kind}${r.hint ? ` (${r.hint})` : ''}`);
  if ('status' in item)
    return r.status === item.status
      ? { index, label, pass: true }
      : fail(`expected HTTP status ${item.status}, got ${r.status || 'no answer'}`);
  if ('maxMs' in item) {
    return r.timings.totalMs <= item.maxMs
      ? { index, label, pass: true }
      : fail(`expected the call to take at most ${item.maxMs} ms, it took ${r.timings.totalMs} ms`);
  }
  let got: Evaluated;
  try {
    got = await evaluateOn(item.jmespath, answer, 'truthy', opts);
  } catch (e) {
    return fail(oneLine(e));
  }
  if (got.truthy) return { index, label, pass: true };
  return fail(`expected ${item.jmespath} to be true, it gave ${preview(got.value)}${await lookedAt(item.jmespath, answer, opts)}`);
}

/**
 * For a failed comparison (`data.acct[0].user == 'cptest'`), what each side came to: the value the
 * check looked at is what a person needs to see, not only "false".
 */
async function lookedAt(expr: string, answer: Record<string, unknown>, opts: EvalOptions): Promise<string> {
  const sides = comparisonSides(expr);
  if (!sides) return '';
  const shown: string[] = [];
  for (const side of sides) {
    // A literal says itself; only what reads the answer is worth showing.
    if (/^\s*(`[^`]*`|'[^']*'|-?\d+(\.\d+)?)\s*$/.test(side)) continue;
    try {
      shown.push(`${side.trim()} is ${preview((await evaluateOn(side, answer, 'value', opts)).value)}`);
    } catch {
      return '';
    }
  }
  return shown.length ? ` (${shown.join('; ')})` : '';
}

/** The two sides of an expression whose top level is one comparison, or undefined. */
export function comparisonSides(expr: string): [string, string] | undefined {
  let depth = 0;
  let quote: string | undefined;
  let found: { at: number; len: number } | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0) {
      if (c === '|' || (c === '&' && expr[i + 1] === '&')) return undefined;
      const two = expr.slice(i, i + 2);
      const len = ['==', '!=', '<=', '>='].includes(two) ? 2 : c === '<' || c === '>' ? 1 : 0;
      if (len) {
        if (found) return undefined;
        found = { at: i, len };
        i += len - 1;
      }
    }
  }
  if (!found) return undefined;
  const left = expr.slice(0, found.at);
  const right = expr.slice(found.at + found.len);
  return left.trim() && right.trim() ? [left, right] : undefined;
}

/** Values taken from an answer: each expression's result as text (strings as they are, others as JSON); null results are left out. */
export async function runCaptures(
  capture: Readonly<Record<string, string>>,
  r: ApiResult,
  opts: EvalOptions = {},
): Promise<{ values: Record<string, string>; problems: string[] }> {
  const answer = normalizedAnswer(r);
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, expr] of Object.entries(capture)) {
    let v: unknown;
    try {
      v = (await evaluateOn(expr, answer, 'value', opts)).value;
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
  const s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
