import { FAMILIES, FAMILY_IDS, functionNameProblem, isFamily, isSecretParam, paramNameProblem, type Family } from '../shared/families';
import { resolve as resolvePath } from 'node:path';
import { functionName, splitFunction, type ApiRequest } from './api/request';
import { EXPECT_KEYS, expressionProblem, RESULT_KINDS, type ExpectItem } from './checks';
import { jsonErrorOffset } from './jsonPosition';

/**
 * One saved request per file (*.cpanel.json): which server (by label, never host or credentials),
 * which function, and its parameters in order. Values may be ${env:NAME} placeholders, resolved
 * when the snippet runs, so that a password parameter never has to be written into the repository,
 * and ${name} variables (from the active environment, or captured by a snippet that ran before it)
 * in the server, function, account and parameter values. `capture` takes values from the answer
 * for the snippets after it; `expect` lists what must hold for the snippet to pass.
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
  /** Variable name → JMESPath expression on the normalized answer. */
  capture?: Record<string, string>;
  /** Every item must hold; without it the snippet passes when the call succeeds. */
  expect?: ExpectItem[];
  /** A JSON body, or files to upload (paths relative to the workspace folder, never outside it, links resolved: see confinedUpload). */
  body?: SnippetBody;
}

export type SnippetBody = { json: unknown } | { files: { name: string; path: string }[] };

export const SNIPPET_SUFFIX = '.cpanel.json';

export interface SnippetProblem {
  message: string;
  /** Zero-based position of the problem in the text, when known. */
  offset?: number;
  severity: 'error' | 'warning';
}

export type ParsedSnippet = { ok: true; snippet: Snippet; warnings: SnippetProblem[] } | { ok: false; problems: SnippetProblem[] };

const KEYS = new Set([
  '$schema',
  'version',
  'server',
  'family',
  'function',
  'account',
  'method',
  'params',
  'note',
  'capture',
  'expect',
  'body',
]);
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/**
 * ${env:NAME}, ${name} or ${row.COLUMN}: the one placeholder syntax of snippets. A row's column (a data
 * run, `cpapi run --data`) is named with letters, digits, "_", "." and "-".
 */
const PLACEHOLDER = /\$\{(?:(env:)([A-Za-z_][A-Za-z0-9_]*)|(row\.)([A-Za-z0-9_][A-Za-z0-9_.-]*)|([A-Za-z_][A-Za-z0-9_]*))\}/g;
const ROW_REF = /\$\{row\.([A-Za-z0-9_][A-Za-z0-9_.-]*)\}/g;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const hasPlaceholder = (v: string): boolean => /\$\{((env:)?[A-Za-z_][A-Za-z0-9_]*|row\.[A-Za-z0-9_][A-Za-z0-9_.-]*)\}/.test(v);
/** A value that is one placeholder and nothing else (a secret parameter's proper value). */
const ONLY_PLACEHOLDER = /^\$\{((env:)?[A-Za-z_][A-Za-z0-9_]*|row\.[A-Za-z0-9_][A-Za-z0-9_.-]*)\}$/;

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
    return {
      ok: false,
      problems: [
        { message: `This is not a valid snippet: ${what} (line ${line}, column ${column}).`, offset: offset + bom, severity: 'error' },
      ],
    };
  }
  const problems: SnippetProblem[] = [];
  const err = (message: string, key?: string): void => {
    const at = key ? offsetOfKey(text, key) : undefined;
    problems.push({ message, offset: at === undefined ? undefined : at + bom, severity: 'error' });
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return {
      ok: false,
      problems: [{ message: 'A snippet is a JSON object with server, family, function and params.', offset: 0, severity: 'error' }],
    };
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEYS.has(k))
      err(
        `Unknown property "${k}": a snippet has version, server, family, function, account, method, params, note, capture, expect and body.`,
        k,
      );
  if (o.version !== 1) err('"version" must be 1.', 'version');
  if (typeof o.server !== 'string' || !o.server.trim()) err('"server" must name a configured server by its label.', 'server');
  const family = o.family;
  if (!isFamily(family))
    err(
      `"family" must be ${FAMILY_IDS.map((f) => `"${f}"`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}.`,
      'family',
    );
  const fn = o.function;
  if (typeof fn !== 'string')
    err(`"function" must be a string such as "${FAMILIES.uapi.example}" or "${FAMILIES.whm.example}".`, 'function');
  else if (isFamily(family) && !hasPlaceholder(fn)) {
    const problem = functionNameProblem(family, fn);
    if (problem) err(problem, 'function');
  }
  if (o.account !== undefined && (typeof o.account !== 'string' || !(/^[a-z0-9_.-]+$/.test(o.account) || hasPlaceholder(o.account))))
    err('"account" must be a cPanel username.', 'account');
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
      if (
        !p ||
        typeof p !== 'object' ||
        typeof pr.name !== 'string' ||
        !pr.name ||
        !['string', 'number', 'boolean'].includes(typeof pr.value)
      ) {
        err(`params[${i}] must be {"name": "…", "value": "…"} with a non-empty name.`, 'params');
        return;
      }
      const nameProblem = paramNameProblem(pr.name);
      if (nameProblem) {
        err(`params[${i}]: ${nameProblem}`, 'params');
        return;
      }
      const value = typeof pr.value === 'boolean' ? (pr.value ? '1' : '0') : String(pr.value);
      if (isSecretParam(pr.name) && value && !ONLY_PLACEHOLDER.test(value)) {
        warnings.push({
          message: `"${pr.name}" holds a secret written into the file: use a placeholder such as "\${env:CPANEL_PARAM_${pr.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}}" and keep the value out of the repository.`,
          offset: (offsetOfKey(text, 'params') ?? 0) + bom,
          severity: 'warning',
        });
      }
      params.push({ name: pr.name, value });
    });
  }
  const capture = readCapture(o.capture, err);
  const expect = readExpect(o.expect, err);
  const body = readBody(o.body, err);
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
      ...(capture ? { capture } : {}),
      ...(expect ? { expect } : {}),
      ...(body ? { body } : {}),
    },
  };
}

/** A relative path that stays inside the folder it is read from: no absolute path, no "..", no "~". */
export function workspacePathProblem(path: string): string | undefined {
  if (!path.trim()) return 'the path is empty';
  if (/^([A-Za-z]:)?[\\/]/.test(path) || path.startsWith('~'))
    return `"${path}" is absolute: write a path relative to the workspace folder`;
  if (path.split(/[\\/]/).includes('..')) return `"${path}" leaves the workspace folder ("..")`;
  return undefined;
}

function readBody(v: unknown, err: (message: string, key?: string) => void): SnippetBody | undefined {
  if (v === undefined) return undefined;
  const o = v as Record<string, unknown>;
  const keys = v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(o) : [];
  if (keys.length !== 1 || (keys[0] !== 'json' && keys[0] !== 'files')) {
    err('"body" must be {"json": …} (a JSON body) or {"files": [{"name": "…", "path": "…"}]} (an upload).', 'body');
    return undefined;
  }
  if (keys[0] === 'json') return { json: o.json };
  if (!Array.isArray(o.files) || !o.files.length) {
    err('"body.files" must be a list of {"name": "…", "path": "…"}.', 'body');
    return undefined;
  }
  const files: { name: string; path: string }[] = [];
  o.files.forEach((f: unknown, i) => {
    const x = f as { name?: unknown; path?: unknown };
    if (!f || typeof f !== 'object' || typeof x.name !== 'string' || typeof x.path !== 'string')
      return err(`body.files[${i}] must be {"name": "…", "path": "…"}.`, 'body');
    const nameProblem = paramNameProblem(x.name);
    if (nameProblem) return err(`body.files[${i}]: ${nameProblem}`, 'body');
    const pathProblem = workspacePathProblem(x.path);
    if (pathProblem) return err(`body.files[${i}]: ${pathProblem}.`, 'body');
    files.push({ name: x.name, path: x.path });
  });
  return { files };
}

function readCapture(v: unknown, err: (message: string, key?: string) => void): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    err('"capture" must be an object: {"variable": "JMESPath expression", …}.', 'capture');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, expr] of Object.entries(v)) {
    if (!VARIABLE_NAME.test(name))
      err(`capture "${name}": a variable name is letters, digits and _ and does not start with a digit.`, 'capture');
    else if (typeof expr !== 'string')
      err(`capture "${name}": the value must be a JMESPath expression (a string), such as "data[0].email".`, 'capture');
    else {
      const problem = expressionProblem(expr);
      if (problem) err(`capture "${name}": ${problem}.`, 'capture');
      else out[name] = expr;
    }
  }
  return out;
}

const EXPECT_SHAPE = '{"ok": true}, {"kind": "api_error"}, {"status": 200}, {"maxMs": 500} or {"jmespath": "EXPR"}';

function readExpect(v: unknown, err: (message: string, key?: string) => void): ExpectItem[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    err(`"expect" must be a list of checks, each one of ${EXPECT_SHAPE}.`, 'expect');
    return undefined;
  }
  const out: ExpectItem[] = [];
  v.forEach((item: unknown, i) => {
    const at = `expect[${i}]`;
    const keys = item && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item) : [];
    if (keys.length !== 1 || !(EXPECT_KEYS as readonly string[]).includes(keys[0]!)) {
      err(`${at} must be exactly one of ${EXPECT_SHAPE}.`, 'expect');
      return;
    }
    const key = keys[0] as (typeof EXPECT_KEYS)[number];
    const value = (item as Record<string, unknown>)[key];
    switch (key) {
      case 'ok':
        if (typeof value !== 'boolean') return err(`${at}.ok must be true or false.`, 'expect');
        out.push({ ok: value });
        return;
      case 'kind':
        if (typeof value !== 'string' || !(RESULT_KINDS as readonly string[]).includes(value))
          return err(`${at}.kind must be one of ${RESULT_KINDS.join(', ')}.`, 'expect');
        out.push({ kind: value as (typeof RESULT_KINDS)[number] });
        return;
      case 'status':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599)
          return err(`${at}.status must be an HTTP status code from 100 to 599.`, 'expect');
        out.push({ status: value });
        return;
      case 'maxMs':
        if (typeof value !== 'number' || !(value > 0)) return err(`${at}.maxMs must be a number of milliseconds above 0.`, 'expect');
        out.push({ maxMs: value });
        return;
      case 'jmespath': {
        if (typeof value !== 'string') return err(`${at}.jmespath must be a JMESPath expression (a string).`, 'expect');
        const problem = expressionProblem(value);
        if (problem) return err(`${at}.jmespath: ${problem}.`, 'expect');
        out.push({ jmespath: value });
        return;
      }
    }
  });
  return out;
}

/** Stable, readable JSON: the same snippet always writes the same bytes. */
export function serializeSnippet(s: Snippet): string {
  const out: Record<string, unknown> = { version: 1, server: s.server, family: s.family, function: s.function };
  if (s.account !== undefined) out.account = s.account;
  out.method = s.method;
  out.params = s.params.map((p) => ({ name: p.name, value: p.value }));
  if (s.note !== undefined && s.note !== '') out.note = s.note;
  if (s.capture && Object.keys(s.capture).length) out.capture = s.capture;
  if (s.expect?.length) out.expect = s.expect;
  if (s.body) out.body = s.body;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The fields in which placeholders are replaced, with a name for messages. */
function placeholderFields(s: Snippet): [string, string][] {
  return [
    ['server', s.server],
    ['function', s.function],
    ...(s.account !== undefined ? [['account', s.account] as [string, string]] : []),
    ...s.params.map((p) => [`the parameter "${p.name}"`, p.value] as [string, string]),
    ...Object.entries(s.capture ?? {}).map(([k, e]) => [`capture "${k}"`, e] as [string, string]),
    ...(s.expect ?? []).flatMap((item, i) => ('jmespath' in item ? [[`expect[${i}].jmespath`, item.jmespath] as [string, string]] : [])),
    ...(s.body
      ? 'json' in s.body
        ? jsonStrings(s.body.json).map((t) => ['body.json', t] as [string, string])
        : s.body.files.map((f) => ['body.files', f.path] as [string, string])
      : []),
  ];
}

function jsonStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(jsonStrings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(jsonStrings);
  return [];
}

/** The environment variables a snippet's ${env:NAME} placeholders name. */
export function envRefs(s: Snippet): string[] {
  const names = new Set<string>();
  for (const [, value] of placeholderFields(s)) for (const m of value.matchAll(ENV_REF)) names.add(m[1]!);
  return [...names];
}

/** The ${name} variables a snippet uses (not ${env:…}). */
export function variableRefs(s: Snippet): string[] {
  const names = new Set<string>();
  for (const [, value] of placeholderFields(s)) for (const m of value.matchAll(PLACEHOLDER)) if (m[5]) names.add(m[5]);
  return [...names];
}

/** The columns a snippet's ${row.COLUMN} placeholders name, in the order they first appear. */
export function rowRefs(s: Snippet): string[] {
  const names = new Set<string>();
  for (const [, value] of placeholderFields(s)) for (const m of value.matchAll(ROW_REF)) names.add(m[1]!);
  return [...names];
}

/** Looks up ${name} variables; `missing` says why one is not there (which environment, which captures). */
export interface VariableSource {
  get(name: string): string | undefined;
  missing?(name: string): string;
  /** Whether the value of `name` came from the environment or a secret store: it is then never shown. */
  isSecret?(name: string): boolean;
  /** The value of a column of the row a data run is sending (${row.COLUMN}); absent outside data runs. */
  row?(column: string): string | undefined;
}

const NO_VARIABLES: VariableSource = { get: () => undefined };

/**
 * The snippet with every placeholder replaced: ${env:NAME} from `env`, ${name} from `vars`. Throws
 * naming the first one missing and where it is used.
 */
export function resolvePlaceholders(s: Snippet, env: (name: string) => string | undefined, vars: VariableSource = NO_VARIABLES): Snippet {
  const fill = (value: string, where: string): string =>
    // One pass: a value filled in (from a row of a data file, say) is never read for placeholders again.
    value.replace(
      PLACEHOLDER,
      (
        _m,
        isEnv: string | undefined,
        envName: string | undefined,
        isRow: string | undefined,
        column: string | undefined,
        variable: string | undefined,
      ) => {
        if (isRow) {
          if (!vars.row)
            throw new Error(
              `The snippet uses \${row.${column}} (in ${where}), which is filled only when it runs for each row of a data file (cpapi run --data FILE).`,
            );
          const v = vars.row(column!);
          if (v !== undefined) return v;
          throw new Error(`The snippet uses \${row.${column}} (in ${where}), but the data file has no column "${column}".`);
        }
        const name = (isEnv ? envName : variable)!;
        const v = isEnv ? env(name) : vars.get(name);
        if (v !== undefined) return v;
        if (isEnv) throw new Error(`The snippet needs the environment variable ${name} (for ${where}).`);
        throw new Error(
          `The snippet uses \${${name}} (in ${where}), which is not defined${vars.missing ? `: ${vars.missing(name)}` : ''}.`,
        );
      },
    );
  const out: Snippet = {
    ...s,
    server: fill(s.server, 'server').trim(),
    function: fill(s.function, 'function'),
    ...(s.account !== undefined ? { account: fill(s.account, 'account') } : {}),
    params: s.params.map((p) => ({ name: p.name, value: fill(p.value, `the parameter "${p.name}"`) })),
    ...(s.capture ? { capture: Object.fromEntries(Object.entries(s.capture).map(([k, e]) => [k, fill(e, `capture "${k}"`)])) } : {}),
    ...(s.expect
      ? { expect: s.expect.map((item, i) => ('jmespath' in item ? { jmespath: fill(item.jmespath, `expect[${i}].jmespath`) } : item)) }
      : {}),
    ...(s.body
      ? {
          body:
            'json' in s.body
              ? { json: fillJson(s.body.json, (t) => fill(t, 'body.json')) }
              : { files: s.body.files.map((f) => ({ name: f.name, path: fill(f.path, 'body.files') })) },
        }
      : {}),
  };
  const escaped = out.body && 'files' in out.body ? out.body.files.map((f) => workspacePathProblem(f.path)).find(Boolean) : undefined;
  if (escaped) throw new Error(`With its variables filled in, ${escaped}.`);
  if (out.function !== s.function) {
    const problem = functionNameProblem(s.family, out.function);
    if (problem) throw new Error(`With its variables filled in: ${problem}`);
  }
  if (out.account !== undefined && out.account !== s.account && !/^[a-z0-9_.-]+$/.test(out.account)) {
    throw new Error(`With its variables filled in, "account" is "${out.account}", which is not a cPanel username.`);
  }
  return out;
}

/** Placeholders in a JSON body are filled in its strings only, so the JSON stays JSON. */
function fillJson(v: unknown, fill: (s: string) => string): unknown {
  if (typeof v === 'string') return fill(v);
  if (Array.isArray(v)) return v.map((x) => fillJson(x, fill));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillJson(x, fill)]));
  return v;
}

/**
 * Builds the request, resolving placeholders (see resolvePlaceholders); throws naming a missing one.
 * Upload paths are resolved against `fileBase` (the workspace folder; the current folder for cpapi).
 */
export function snippetRequest(
  s: Snippet,
  lookup: (name: string) => string | undefined,
  vars?: VariableSource,
  fileBase = '.',
): ApiRequest {
  return filledRequest(resolvePlaceholders(s, lookup, vars), fileBase);
}

/**
 * The request of a snippet whose placeholders are already filled in (resolvePlaceholders), read as it
 * is: a filled-in value (from a row, a captured answer, the environment) is never read for placeholders again.
 */
export function filledRequest(r: Snippet, fileBase = '.'): ApiRequest {
  return {
    family: r.family,
    ...splitFunction(r.family, r.function),
    params: r.params.map(({ name, value }) => [name, value] as const),
    method: r.body ? 'POST' : r.method,
    ...(r.account !== undefined ? { asUser: r.account } : {}),
    ...(r.body
      ? {
          body:
            'json' in r.body
              ? { kind: 'json' as const, text: JSON.stringify(r.body.json) }
              : { kind: 'multipart' as const, files: r.body.files.map((f) => ({ name: f.name, path: resolvePath(fileBase, f.path) })) },
        }
      : {}),
  };
}

/**
 * The inverse: a request as a snippet for a server label. Upload paths are written relative to the
 * workspace by `relativize`, which answers undefined for a file outside it (then this throws: a
 * snippet uploads only files of its workspace).
 */
export function requestToSnippet(
  server: string,
  req: ApiRequest,
  note?: string,
  relativize: (path: string) => string | undefined = (p) => p,
): Snippet {
  let body: SnippetBody | undefined;
  if (req.body?.kind === 'json') body = { json: JSON.parse(req.body.text) as unknown };
  if (req.body?.kind === 'multipart') {
    body = {
      files: req.body.files.map((f) => {
        const rel = relativize(f.path);
        if (rel === undefined || workspacePathProblem(rel))
          throw new Error(
            `"${f.path}" is outside the workspace: a snippet uploads only files of its workspace. Move the file into it, or send the call without saving it.`,
          );
        return { name: f.name, path: rel };
      }),
    };
  }
  return {
    version: 1,
    server,
    family: req.family,
    function: functionName(req),
    ...(req.asUser !== undefined ? { account: req.asUser } : {}),
    method: req.method ?? 'GET',
    params: req.params.map(([name, value]) => ({ name, value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value) })),
    ...(note ? { note } : {}),
    ...(body ? { body } : {}),
  };
}

/** The environment variable a secret parameter's value is read from: CPANEL_PARAM_<NAME>, as generated code reads it. */
export function secretParamEnv(name: string): string {
  return `CPANEL_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The snippet with every literal secret-looking parameter value (a password, a token) replaced by
 * `${env:CPANEL_PARAM_<NAME>}`: what is saved to a workspace holds no secret. Values that already
 * are placeholders, and empty ones, stay; a withheld "[redacted]" from the history becomes one too.
 */
export function withSecretPlaceholders(s: Snippet): { snippet: Snippet; replaced: { name: string; env: string }[] } {
  const replaced: { name: string; env: string }[] = [];
  const params = s.params.map((p) => {
    if (!isSecretParam(p.name) || p.value === '' || ONLY_PLACEHOLDER.test(p.value)) return p;
    const env = secretParamEnv(p.name);
    replaced.push({ name: p.name, env });
    return { name: p.name, value: `\${env:${env}}` };
  });
  return { snippet: { ...s, params }, replaced };
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
