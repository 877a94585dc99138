import { carriesSecret, FAMILIES, isSecretParam } from './families';
import type { BuilderParam, BuilderState, FunctionSummary } from './protocol';
import type { Problem } from './requestRules';

/**
 * What each section of the request builder shows, worked out from the form's state: pure, so the rules
 * (which problems are shown where and when, what the buttons do during a send, which method a secret
 * takes) are unit-tested, and the page only puts the answers into its DOM.
 */

/** The method line: a secret goes in a POST body, never the URL (cPanel logs query strings), unless GET is chosen for it. */
export interface MethodView {
  /** A parameter holds a secret (and there is no other body). */
  secret: boolean;
  /** The method the request goes out with. */
  shown: 'GET' | 'POST';
  /** " (carries a secret)", " (documented as GET)" or "". */
  note: string;
  /** Said when GET was chosen although a secret would then be in the URL. */
  warning?: string;
}

export function methodView(state: BuilderState, fn: FunctionSummary | undefined): MethodView {
  const secret = state.body.kind === 'none' && carriesSecret(state.params.map((p) => [p.name, p.value] as const));
  const forcedPost = secret && state.method === 'GET' && !state.secretInUrl;
  const shown = forcedPost ? 'POST' : state.method;
  const note = forcedPost ? ' (carries a secret)' : fn && state.method !== fn.method ? ` (documented as ${fn.method})` : '';
  if (!(secret && state.method === 'GET' && state.secretInUrl)) return { secret, shown, note };
  const names = [...new Set(state.params.filter((p) => p.value !== '' && isSecretParam(p.name)).map((p) => p.name))].join(', ');
  const warning = `GET puts ${names} into the URL, which cPanel writes to its access log (and proxies log). Choose POST to send it in the body.`;
  return { secret, shown, note, warning };
}

/**
 * Catalog functions a typed name may mean: `add_pop` is `Email/add_pop`, `list pops` or words of a
 * title match too, across every module; the exact name first.
 */
export function functionMatches(
  functions: readonly FunctionSummary[],
  family: 'uapi' | 'whm' | undefined,
  typed: string,
): FunctionSummary[] {
  const q = typed.trim().toLowerCase();
  if (!family || !q) return [];
  const words = q.split(/[\s/]+/).filter(Boolean);
  const inFam = functions.filter((f) => f.family === family);
  const byName = inFam.filter((f) => f.name.toLowerCase() === q || f.name.toLowerCase().endsWith(`/${q}`));
  if (byName.length) return byName;
  return inFam.filter((f) => words.every((w) => f.name.toLowerCase().includes(w) || f.title.toLowerCase().includes(w))).slice(0, 8);
}

/** The line under the function: what it is, or which functions a partial name may mean, or that it is not in the catalog. */
export type FunctionInfo =
  | { kind: 'none' }
  | { kind: 'function'; title: string; family: string; method: string; docs: string }
  | { kind: 'suggestions'; names: { name: string; title: string }[] }
  | { kind: 'unknown' };

export function functionInfo(state: BuilderState, fn: FunctionSummary | undefined, functions: readonly FunctionSummary[]): FunctionInfo {
  if (fn) {
    const m = methodView(state, fn);
    return { kind: 'function', title: fn.title, family: FAMILIES[fn.family].name, method: `${m.shown}${m.note}`, docs: fn.docs };
  }
  const family = FAMILIES[state.family].catalog;
  if (!state.functionName || !family) return { kind: 'none' };
  const matches = functionMatches(functions, family, state.functionName);
  return matches.length ? { kind: 'suggestions', names: matches.map((x) => ({ name: x.name, title: x.title })) } : { kind: 'unknown' };
}

/** The catalog's optional parameters of a function that are not rows yet. */
export function optionalParams(fn: FunctionSummary | undefined, params: readonly BuilderParam[]): FunctionSummary['params'] {
  return (fn?.params ?? []).filter((x) => !x.required && !x.body && !params.some((p) => p.name === x.name));
}

/**
 * Where problems are shown. A row's own problems show at the row once the person has changed that
 * row or tried to send ("quiet until first change or send", field by field), and go the moment the
 * value is fixed; the form's problems are in one line, in the quiet colour until then.
 */
export interface ProblemsView {
  /** The messages shown at each row (by index). */
  rows: string[][];
  /** The form's own problems. */
  form: string[];
  /** The form line is an error (not a quiet note). */
  loud: boolean;
  /** Rows whose problems are not shown yet: their names, said quietly so a disabled Send is explained. */
  pending: string[];
}

export function problemsView(
  problems: readonly Problem[],
  rowCount: number,
  rowShown: (row: number) => boolean,
  touched: boolean,
  attempted: boolean,
): ProblemsView {
  const rows: string[][] = Array.from({ length: rowCount }, () => []);
  const pending: string[] = [];
  for (const p of problems) {
    if (p.row === undefined || p.row >= rowCount) continue;
    if (attempted || rowShown(p.row)) rows[p.row]!.push(p.message);
    else pending.push(p.message);
  }
  return { rows, form: problems.filter((p) => p.row === undefined).map((p) => p.message), loud: touched || attempted, pending };
}

/** The buttons: while a send runs, Send shows it (and Cancel stops it); nothing that reads the form starts meanwhile. */
export interface ActionsView {
  send: { disabled: boolean; label: string; icon: string };
  cancel: { shown: boolean };
  sendGroup: { disabled: boolean };
  save: { disabled: boolean };
  copy: { disabled: boolean };
}

export function actionsView(sending: boolean, problemCount: number): ActionsView {
  const blocked = sending || problemCount > 0;
  return {
    send: { disabled: blocked, label: sending ? 'Sending…' : 'Send', icon: sending ? 'loading' : 'play' },
    cancel: { shown: sending },
    sendGroup: { disabled: blocked },
    save: { disabled: blocked },
    copy: { disabled: blocked },
  };
}

/**
 * A closed `<select>` changes its value (and fires `change`) on every arrow key or letter; a list of
 * things to add must not add on each. The gate tells a choice to apply (Enter, a pick in the open list,
 * a test's selectOption) from one that is only being browsed to with the keyboard.
 */
export class ChoiceGate {
  private browsing = false;

  /** A key went down on the select: Enter applies the choice; other keys only browse. */
  keydown(key: string, modified = false): 'apply' | 'browse' | 'none' {
    if (key === 'Enter' && !modified) return 'apply';
    if (key === 'Tab' || key === 'Escape' || modified) return 'none';
    this.browsing = true;
    return 'browse';
  }

  /** The key's own effects are over (the next task): a later change is a pick again. */
  settle(): void {
    this.browsing = false;
  }

  /** The select's value changed: apply it, or wait (it was browsed to). */
  change(): 'apply' | 'wait' {
    if (this.browsing) return 'wait';
    return 'apply';
  }
}
