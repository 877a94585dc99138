import { callsOnBehalf, functionNameProblem, isControlParam, paramNameProblem, type NamedParam, type Service } from './families';
import type { BuilderState, FunctionSummary } from './protocol';

/**
 * The rules a request is checked by before it is sent, wherever it is put together: the builder
 * (in the webview), the palette's quick picks, snippets. Pure, so both sides of the webview use them.
 */

type ParamSpec = FunctionSummary['params'][number];

/** Why a value does not fit what the catalog says of its parameter, or undefined. */
export function valueProblem(spec: Pick<ParamSpec, 'name' | 'type' | 'required'> | undefined, value: string): string | undefined {
  if (!spec) return undefined;
  if (spec.required && value === '') return `${spec.name} is required.`;
  if (spec.type === 'integer' && value !== '' && !/^-?\d+$/.test(value)) return `${spec.name} is an integer.`;
  if (spec.type === 'boolean' && value !== '' && value !== '0' && value !== '1') return `${spec.name} is 1 or 0.`;
  return undefined;
}

export interface Problem {
  /** The parameter row it belongs to; undefined for the form as a whole. */
  row?: number;
  message: string;
}

/** Every problem that keeps a builder state from being sent. */
export function stateProblems(state: BuilderState, service: Service | undefined, fn: FunctionSummary | undefined): Problem[] {
  const out: Problem[] = [];
  if (!service) out.push({ message: 'Choose a server.' });
  if (!state.functionName) out.push({ message: 'Choose a function.' });
  else {
    const p = functionNameProblem(state.family, state.functionName);
    if (p) out.push({ message: p });
  }
  if (service && callsOnBehalf(state.family, service) && !state.account) out.push({ message: 'Choose the account to call on behalf of.' });
  state.params.forEach((p, i) => {
    const problem = paramNameProblem(p.name.trim()) ?? valueProblem(fn?.params.find((x) => x.name === p.name), p.value);
    if (problem) out.push({ row: i, message: problem });
  });
  if (state.shaping.pageSize && !/^\d+$/.test(state.shaping.pageSize)) out.push({ message: 'The page size is a number.' });
  return out;
}

/** The parameters for a newly chosen function: its required ones (keeping values already typed), then other rows that have a value. */
export function paramsForFunction(current: readonly NamedParam[], fn: FunctionSummary): NamedParam[] {
  const keep = new Map(current.map((p) => [p.name, p.value]));
  const required = fn.params.filter((p) => p.required && !isControlParam(p.name)).map((p) => ({ name: p.name, value: keep.get(p.name) ?? '' }));
  const others = current.filter((p) => !fn.params.some((x) => x.required && x.name === p.name) && p.value !== '');
  return [...required, ...others];
}
