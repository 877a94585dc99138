import { FAMILIES, FAMILY_IDS, functionNameProblem, isFamily, isSecretParam, paramNameProblem, type Family } from '../shared/families';
import { splitFunction, type ApiRequest } from './api/request';
import { jsonErrorOffset } from './jsonPosition';

/**
 * One saved request per file (*.cpanel.json): which server (by label, never host or credentials),
 * which function, and its parameters in order. Values may be ${env:NAME} placeholders, resolved
 * when the snippet runs, so that a password parameter never has to be written into the repository.
 */
export interface Snippet {
  version: 1;
  server: string;
  family: Family;
  /** "Email/list_pops" (UAPI, API 2) or "listaccts" (WHM API 1). */
  function: string;
  /** UAPI or API 2 on behalf of this account, through a WHM server. */
  account?: string;
  method: 'GET' | 'POST';
  params: { name: string; value: string }[];
  note?: string;
}

export const SNIPPET_SUFFIX = '.cpanel.json';

export interface SnippetProblem {
  message: string;
  /** Zero-based position of the problem in the text, when known. */
  offset?: number;
  severity: 'error' | 'warning';
}

export type ParsedSnippet = { ok: true; snippet: Snippet; warnings: SnippetProblem[] } | { ok: false; problems: SnippetProblem[] };

const KEYS = new Set(['$schema', 'version', 'server', 'family', 'function', 'account', 'method', 'params', 'note']);
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Reads a snippet file's text; every problem is a sentence that says what to change. */
export function parseSnippet(input: string): ParsedSnippet {
  // Some Windows editors start UTF-8 files with a byte-order mark; JSON.parse does not skip it.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const bom = text === input ? 0 : 1;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Say where, never what: the file may not be a snippet at all (a key, a token file) and must not be echoed.
    const offset = jsonErrorOffset(text) ?? 0;
    const { line, column } = lineColumn(text, offset);
    const what = offset >= text.trimEnd().length ? 'it ends before the JSON is complete' : 'the JSON is not valid there';
    return { ok: false, problems: [{ message: `This is not a valid snippet: ${what} (line ${line}, column ${column}).`, offset: offset + bom, severity: 'error' }] };
  }
  const problems: SnippetProblem[] = [];
  const err = (message: string, key?: string): void => {
    const at = key ? offsetOfKey(text, key) : undefined;
    problems.push({ message, offset: at === undefined ? undefined : at + bom, severity: 'error' });
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problems: [{ message: 'A snippet is a JSON object with server, family, function and params.', offset: 0, severity: 'error' }] };
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) err(`Unknown property "${k}": a snippet has version, server, family, function, account, method, params and note.`, k);
  if (o.version !== 1) err('"version" must be 1.', 'version');
  if (typeof o.server !== 'string' || !o.server.trim()) err('"server" must name a configured server by its label.', 'server');
  const family = o.family;
  if (!isFamily(family)) err(`"family" must be ${FAMILY_IDS.map((f) => `"${f}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}.`, 'family');
  const fn = o.function;
  if (typeof fn !== 'string') err(`"function" must be a string such as "${FAMILIES.uapi.example}" or "${FAMILIES.whm.example}".`, 'function');
  else if (isFamily(family)) {
    const problem = functionNameProblem(family, fn);
    if (problem) err(problem, 'function');
  }
  if (o.account !== undefined && (typeof o.account !== 'string' || !/^[a-z0-9_.-]+$/.test(o.account))) err('"account" must be a cPanel username.', 'account');
  if (isFamily(family) && !FAMILIES[family].direct.length && o.account === undefined) {
    err(`${FAMILIES[family].name} snippets need "account": it is called through WHM on behalf of an account.`, 'family');
  }
  if (isFamily(family) && !FAMILIES[family].throughWhm && o.account !== undefined) {
    err(`${FAMILIES[family].name} functions are not called on behalf of an account: remove "account".`, 'account');
  }
  if (o.method !== undefined && o.method !== 'GET' && o.method !== 'POST') err('"method" must be "GET" or "POST".', 'method');
  if (o.note !== undefined && typeof o.note !== 'string') err('"note" must be a string.', 'note');
  const params: { name: string; value: string }[] = [];
  const warnings: SnippetProblem[] = [];
  if (!Array.isArray(o.params)) err('"params" must be a list of {"name": …, "value": …} pairs.', 'params');
  else {
    o.params.forEach((p, i) => {
      const pr = p as { name?: unknown; value?: unknown };
      if (!p || typeof p !== 'object' || typeof pr.name !== 'string' || !pr.name || !['string', 'number', 'boolean'].includes(typeof pr.value)) {
        err(`params[${i}] must be {"name": "…", "value": "…"} with a non-empty name.`, 'params');
        return;
      }
      const nameProblem = paramNameProblem(pr.name);
      if (nameProblem) {
        err(`params[${i}]: ${nameProblem}`, 'params');
        return;
      }
      const value = typeof pr.value === 'boolean' ? (pr.value ? '1' : '0') : String(pr.value);
      if (isSecretParam(pr.name) && value && !/^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(value)) {
        warnings.push({
          message: `"${pr.name}" holds a secret written into the file: use a placeholder such as "\${env:CPANEL_PARAM_${pr.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}}" and keep the value out of the repository.`,
          offset: (offsetOfKey(text, 'params') ?? 0) + bom,
          severity: 'warning',
        });
      }
      params.push({ name: pr.name, value });
    });
  }
  if (problems.length) return { ok: false, problems: [...problems, ...warnings] };
  return {
    ok: true,
    warnings,
    snippet: {
      version: 1,
      server: (o.server as string).trim(),
      family: family as Family,
      function: fn as string,
      ...(o.account !== undefined ? { account: o.account as string } : {}),
      method: (o.method as 'GET' | 'POST' | undefined) ?? 'GET',
      params,
      ...(o.note !== undefined ? { note: o.note as string } : {}),
    },
  };
}

/** Stable, readable JSON: the same snippet always writes the same bytes. */
export function serializeSnippet(s: Snippet): string {
  const out: Record<string, unknown> = { version: 1, server: s.server, family: s.family, function: s.function };
  if (s.account !== undefined) out.account = s.account;
  out.method = s.method;
  out.params = s.params.map((p) => ({ name: p.name, value: p.value }));
  if (s.note !== undefined && s.note !== '') out.note = s.note;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The environment variables a snippet's placeholders name. */
export function envRefs(s: Snippet): string[] {
  const names = new Set<string>();
  for (const p of s.params) for (const m of p.value.matchAll(ENV_REF)) names.add(m[1]!);
  return [...names];
}

/** Builds the request, resolving ${env:NAME} placeholders with `lookup`; throws naming a missing one. */
export function snippetRequest(s: Snippet, lookup: (name: string) => string | undefined): ApiRequest {
  const params = s.params.map(({ name, value }) => {
    const resolved = value.replace(ENV_REF, (_m, env: string) => {
      const v = lookup(env);
      if (v === undefined) throw new Error(`The snippet needs the environment variable ${env} (for the parameter "${name}").`);
      return v;
    });
    return [name, resolved] as const;
  });
  return {
    family: s.family,
    ...splitFunction(s.family, s.function),
    params,
    method: s.method,
    ...(s.account !== undefined ? { asUser: s.account } : {}),
  };
}

/** The inverse: a request as a snippet for a server label. */
export function requestToSnippet(server: string, req: ApiRequest, note?: string): Snippet {
  return {
    version: 1,
    server,
    family: req.family,
    function: req.family === 'whm' ? req.function : `${req.module ?? ''}/${req.function}`,
    ...(req.asUser !== undefined ? { account: req.asUser } : {}),
    method: req.method ?? 'GET',
    params: req.params.map(([name, value]) => ({ name, value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value) })),
    ...(note ? { note } : {}),
  };
}

/** A file name for a snippet: "whm-listaccts.cpanel.json". */
export function snippetFileName(s: Pick<Snippet, 'family' | 'function'>): string {
  return `${s.family}-${s.function.replace(/[^A-Za-z0-9_]+/g, '-')}${SNIPPET_SUFFIX}`;
}

/** 1-based line and column of an offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function offsetOfKey(text: string, key: string): number | undefined {
  const i = text.indexOf(`"${key}"`);
  return i >= 0 ? i : undefined;
}
