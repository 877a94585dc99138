import { FAMILIES, FAMILY_IDS, functionNameProblem, isSecretParam, paramNameProblem, type Family } from '../../shared/families';
import { splitFunction, type ApiRequest, type Param } from '../api/request';
import type { Catalog } from '../catalog';
import { SERVICE_NAMES, type ServerProfile } from '../servers';
import { queryProblem } from './query';

/**
 * What a model sends to the tools, checked: every refusal is a sentence the model can act on (what
 * was wrong, what to send instead). Nothing here sends or reads anything.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export type ParamInput = string | number | boolean | readonly (string | number | boolean)[];

export interface SearchInput {
  query: string;
  api?: Family;
  limit?: number;
}

export interface DescribeInput {
  api: Family;
  function: string;
}

export interface CallInput {
  server: string;
  api: Family;
  function: string;
  params: Record<string, ParamInput>;
  account?: string;
  query?: string;
}

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(input: Record<string, unknown>, allowed: readonly string[], tool: string): string | undefined {
  const extra = Object.keys(input).filter((k) => !allowed.includes(k));
  return extra.length
    ? `${tool} does not take ${extra.map((k) => `"${short(k)}"`).join(', ')}: its inputs are ${allowed.join(', ')}.`
    : undefined;
}

function apiOf(v: unknown): Checked<Family> {
  if (typeof v === 'string' && (FAMILY_IDS as readonly string[]).includes(v)) return { ok: true, value: v as Family };
  const not = v === undefined ? '' : `, not ${short(JSON.stringify(v))}`;
  return fail(`"api" must be one of ${FAMILY_IDS.join(', ')} (uapi: UAPI, whm: WHM API 1, api2: cPanel API 2)${not}.`);
}

export function checkSearch(input: unknown): Checked<SearchInput> {
  if (!isObject(input)) return fail('cpanel_search_functions takes an object: {"query": "list email accounts"}.');
  const extra = unknownKeys(input, ['query', 'api', 'limit'], 'cpanel_search_functions');
  if (extra) return fail(extra);
  if (typeof input.query !== 'string' || !input.query.trim()) {
    return fail('"query" must be words of a function name or title, e.g. "email accounts" or "listaccts".');
  }
  if (input.query.length > 200) return fail('"query" is longer than 200 characters: search with a few words.');
  const out: SearchInput = { query: input.query.trim() };
  if (input.api !== undefined) {
    const api = apiOf(input.api);
    if (!api.ok) return api;
    out.api = api.value;
  }
  if (input.limit !== undefined) {
    const n = input.limit;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 50) return fail('"limit" must be a whole number from 1 to 50.');
    out.limit = n;
  }
  return { ok: true, value: out };
}

export function checkDescribe(input: unknown): Checked<DescribeInput> {
  if (!isObject(input)) return fail('cpanel_describe_function takes an object: {"api": "uapi", "function": "Email/list_pops"}.');
  const extra = unknownKeys(input, ['api', 'function'], 'cpanel_describe_function');
  if (extra) return fail(extra);
  const api = apiOf(input.api);
  if (!api.ok) return api;
  const fn = functionOf(api.value, input.function);
  if (!fn.ok) return fn;
  return { ok: true, value: { api: api.value, function: fn.value } };
}

function functionOf(api: Family, v: unknown): Checked<string> {
  if (typeof v !== 'string' || !v.trim())
    return fail(`"function" is missing: ${FAMILIES[api].name} functions are named like ${FAMILIES[api].example}.`);
  const problem = functionNameProblem(api, v.trim());
  return problem ? fail(problem) : { ok: true, value: v.trim() };
}

export function checkCall(input: unknown): Checked<CallInput> {
  if (!isObject(input)) return fail('cpanel_call takes an object: {"server": "prod", "api": "whm", "function": "listaccts"}.');
  const extra = unknownKeys(input, ['server', 'api', 'function', 'params', 'account', 'query'], 'cpanel_call');
  if (extra) return fail(extra);
  if (typeof input.server !== 'string' || !input.server)
    return fail('"server" is missing: give the label of a server, as cpanel_list_servers lists them.');
  const api = apiOf(input.api);
  if (!api.ok) return api;
  const fn = functionOf(api.value, input.function);
  if (!fn.ok) return fn;
  const params: Record<string, ParamInput> = {};
  if (input.params !== undefined) {
    if (!isObject(input.params))
      return fail('"params" must be an object of name → value, e.g. {"domain": "example.com", "user": ["a", "b"]}.');
    for (const [name, value] of Object.entries(input.params)) {
      const problem = paramNameProblem(name);
      if (problem) return fail(problem);
      const bad = valueProblem(name, value);
      if (bad) return fail(bad);
      params[name] = value as ParamInput;
    }
  }
  const out: CallInput = { server: input.server, api: api.value, function: fn.value, params };
  if (input.account !== undefined && input.account !== '') {
    if (typeof input.account !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(input.account)) {
      return fail('"account" must be a cPanel user name (letters, digits, ".", "_", "-").');
    }
    out.account = input.account;
  }
  if (input.query !== undefined && input.query !== '') {
    if (typeof input.query !== 'string') return fail('"query" must be a JMESPath expression as text, e.g. "data[].email".');
    const problem = queryProblem(input.query);
    if (problem) return fail(`"query": ${problem}. Nothing was sent.`);
    out.query = input.query;
  }
  return { ok: true, value: out };
}

function scalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function valueProblem(name: string, value: unknown): string | undefined {
  if (scalar(value)) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1000) return `"${name}" has more than 1000 values.`;
    if (value.every(scalar)) return undefined;
  }
  const given = short(JSON.stringify(value) ?? String(value));
  return `The value of "${name}" must be a string, a number, a boolean or a list of them (a list repeats the name), not ${given}.`;
}

/** A model's params as the request's: lists repeat the name, booleans are 1/0, numbers as written. */
export function toParams(params: Readonly<Record<string, ParamInput>>): Param[] {
  const one = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  return Object.entries(params).flatMap(([name, v]): Param[] => {
    const values = (Array.isArray(v) ? v : [v]) as (string | number | boolean)[];
    return values.map((x): Param => [name, one(x)]);
  });
}

/** Names of the parameters whose values are secrets (password, token…): never taken from a model as they are. */
export function secretParamNames(params: Readonly<Record<string, ParamInput>>): string[] {
  return Object.keys(params).filter((n) => isSecretParam(n));
}

/** The server a label names, or a refusal that lists the labels there are. */
export function findServer(label: string, profiles: readonly ServerProfile[]): Checked<ServerProfile> {
  const p = profiles.find((x) => x.label === label);
  if (p) return { ok: true, value: p };
  const known = profiles.map((x) => x.label);
  return fail(
    `No server is labelled "${short(label)}". ${known.length ? `The servers are: ${known.join(', ')}.` : 'No server is configured.'}`,
  );
}

/**
 * The request a call input makes on a server: the function split, params in order, on behalf of
 * `account` through WHM, the catalog's method. A call this server cannot answer is refused here.
 */
export function toRequest(input: CallInput, profile: ServerProfile, catalog?: Catalog): Checked<ApiRequest> {
  const fam = FAMILIES[input.api];
  const where = `${profile.label} is a ${SERVICE_NAMES[profile.service]} server`;
  if (input.account !== undefined && profile.service !== 'whm') {
    return fail(`"account" works only on a WHM server, and ${where}: call ${fam.name} there without it.`);
  }
  if (input.account !== undefined && !fam.throughWhm)
    return fail(`${fam.name} is not called on behalf of an account: leave out "account".`);
  if (input.account === undefined && !fam.direct.includes(profile.service)) {
    if (fam.throughWhm && profile.service === 'whm')
      return fail(`${where}: ${fam.name} runs there on behalf of a cPanel account; give "account".`);
    const instead = input.api === 'whm' ? 'use a WHM server' : 'use a cPanel server, or a WHM server with "account"';
    return fail(`${where}, which does not answer ${fam.name}: ${instead}.`);
  }
  let parts: { module?: string; function: string };
  try {
    parts = splitFunction(input.api, input.function);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const known = fam.catalog ? catalog?.get(fam.catalog, input.function) : undefined;
  return {
    ok: true,
    value: {
      family: input.api,
      ...parts,
      params: toParams(input.params),
      method: known?.method ?? 'GET',
      ...(input.account !== undefined ? { asUser: input.account } : {}),
    },
  };
}

/** Text from a model quoted in a message: one line, cut short. */
export function short(s: string): string {
  const one = [...s].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('');
  return one.length > 80 ? `${one.slice(0, 80)}…` : one;
}
