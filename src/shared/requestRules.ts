import { callsOnBehalf, FAMILIES, functionNameProblem, isControlParam, paramNameProblem, type NamedParam, type Service } from './families';
import type { BuilderState, FunctionSummary } from './protocol';
import { shapingProblems } from './shaping';

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
    const problem =
      paramNameProblem(p.name.trim()) ??
      valueProblem(
        fn?.params.find((x) => x.name === p.name),
        p.value,
      );
    if (problem) out.push({ row: i, message: problem });
  });
  if (FAMILIES[state.family].shaping) for (const m of shapingProblems(state.family, state.shaping)) out.push({ message: m });
  const body = state.body ?? { kind: 'none' };
  if (body.kind !== 'none' && service && callsOnBehalf(state.family, service))
    out.push({
      message: 'A JSON body or a file upload goes to the server that runs the function: not through WHM on behalf of an account.',
    });
  if (body.kind === 'json') {
    try {
      JSON.parse(body.text);
    } catch (e) {
      out.push({ message: `The JSON body is not valid JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}).` });
    }
  }
  if (body.kind === 'files') {
    if (!body.files.length) out.push({ message: 'Add a file to upload, or choose no body.' });
    body.files.forEach((f, i) => {
      const p = paramNameProblem(f.name.trim());
      if (p) out.push({ message: `File ${i + 1}: ${p}` });
      if (!f.path) out.push({ message: `File ${i + 1}: choose the file to upload.` });
    });
  }
  return out;
}

/** The body a function takes, from its catalog facts: a JSON skeleton of its body fields, or its file fields. */
export function bodyForFunction(fn: FunctionSummary): BuilderState['body'] {
  const json = fn.params.filter((p) => p.body === 'json');
  if (json.length)
    return {
      kind: 'json',
      text: `{\n${json.map((p) => `  ${JSON.stringify(p.name)}: ${p.type === 'array' ? '[]' : p.type === 'object' ? '{}' : '""'}`).join(',\n')}\n}`,
    };
  const files = fn.params.filter((p) => p.body === 'file');
  if (files.length) return { kind: 'files', files: files.map((p) => ({ name: p.name, path: '' })) };
  return { kind: 'none' };
}

/** The parameters for a newly chosen function: its required ones (keeping values already typed), then other rows that have a value. */
export function paramsForFunction(current: readonly NamedParam[], fn: FunctionSummary): NamedParam[] {
  const keep = new Map(current.map((p) => [p.name, p.value]));
  // Body fields are in the body, not parameter rows.
  const required = fn.params
    .filter((p) => p.required && !p.body && !isControlParam(p.name))
    .map((p) => ({ name: p.name, value: keep.get(p.name) ?? '' }));
  const others = current.filter((p) => !fn.params.some((x) => x.required && x.name === p.name) && p.value !== '');
  return [...required, ...others];
}
