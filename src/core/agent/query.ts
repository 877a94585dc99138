import { evaluate, expressionProblem } from '../checks';
import type { ApiResult } from '../result';

/**
 * The agent tools' one door to JMESPath (src/core/checks.ts), so that when evaluation moves off the
 * main thread only these two lines change.
 */

/** Why an expression is not JMESPath, or undefined. */
export function queryProblem(expr: string): string | undefined {
  return expressionProblem(expr);
}

/** What `expr` picks from the normalized answer; rejects with a readable error. */
export async function pick(expr: string, r: ApiResult): Promise<unknown> {
  return evaluate(expr, r);
}
