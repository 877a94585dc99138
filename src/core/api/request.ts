import { carriesSecret, FAMILIES, isSecretParam, functionNameProblem, paramNameProblem, type Family } from '../../shared/families';
import { CallFailure } from '../result';
import type { ServerProfile } from '../servers';
import { effectOf } from './effects';
import { FAMILY_MODULES, type AnswerShape, type Route } from './families';
import type { ApiRequest, Param, ParamValue } from './types';

export type { Family } from '../../shared/families';

export type { ApiRequest, Param, ParamValue, RequestBody } from './types';

/** What the transport sends, before any session prefix or auth header. */
export interface BuiltRequest {
  method: 'GET' | 'POST';
  /** Path with query for GET and JSON bodies; path only for forms. */
  path: string;
  /** A form (application/x-www-form-urlencoded) or JSON text; for multipart, see `multipart`. */
  body?: string;
  contentType?: 'application/x-www-form-urlencoded' | 'application/json' | 'multipart/form-data';
  /** Fields and files of a multipart upload, read when it is sent. */
  multipart?: { fields: Param[]; files: readonly { name: string; path: string }[] };
  /** For messages and titles: "Email/list_pops", "listaccts". */
  label: string;
  /** How the answer is read. */
  shape: AnswerShape;
  /**
   * Safe to send twice: a GET of a function that only reads. Only such a request is sent again when a
   * kept-alive connection turns out closed under it (http.ts); a change, whatever its method, never is.
   */
  idempotent?: boolean;
}

/** The path without query and the full parameter list (control parameters first). */
export interface RequestParts {
  method: 'GET' | 'POST';
  path: string;
  params: Param[];
  label: string;
  shape: AnswerShape;
}

export function paramValue(v: ParamValue): string {
  // cPanel reads booleans as 1/0; "true"/"false" are not understood.
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

export function encodeParams(params: readonly Param[]): string {
  if (!params.length) return '';
  const q = new URLSearchParams();
  for (const [k, v] of params) q.append(k, paramValue(v));
  return q.toString();
}

/** Reads "Module/function" (UAPI, API 2) or a WHM function name into its parts. */
export function splitFunction(family: Family, name: string): { module?: string; function: string } {
  const problem = functionNameProblem(family, name);
  if (problem) throw new CallFailure('config_error', problem);
  if (!FAMILIES[family].qualified) return { function: name };
  const [module, fn] = name.split('/') as [string, string];
  return { module, function: fn };
}

/** "Email/list_pops" or "listaccts". */
export function functionName(req: Pick<ApiRequest, 'family' | 'module' | 'function'>): string {
  return FAMILIES[req.family].qualified ? `${req.module ?? '?'}/${req.function}` : req.function;
}

/** Every problem with a request's own parameters, each a sentence; empty when it can be sent. */
export function requestParamProblems(params: readonly Param[]): string[] {
  const out: string[] = [];
  for (const [name] of params) {
    const p = paramNameProblem(name);
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * Checks a request against the server's service and builds its URL and body. Calls that cannot
 * work on this service (WHM API 1 on a cPanel port, UAPI straight to WHM), and parameters that
 * would rewrite the call, fail here, before sending.
 */
export function buildRequest(req: ApiRequest, profile: Pick<ServerProfile, 'service'>, route?: Route): BuiltRequest {
  const { method, path, params, label, shape } = requestParts(req, profile, route);
  const encoded = encodeParams(params);
  if (req.body?.kind === 'json') {
    if (carriesSecret(req.params, req.secretParams) && !req.secretInUrl) {
      throw new CallFailure(
        'config_error',
        `${label} carries a secret (${secretNames(req).join(', ')}), and with a JSON body the parameters go in the URL, which cPanel writes to its access log: put the secret in the JSON body instead. Nothing was sent.`,
      );
    }
    return {
      method: 'POST',
      path: encoded ? `${path}?${encoded}` : path,
      body: req.body.text,
      contentType: 'application/json',
      label,
      shape,
    };
  }
  if (req.body?.kind === 'multipart')
    return { method: 'POST', path, contentType: 'multipart/form-data', multipart: { fields: params, files: req.body.files }, label, shape };
  if (method === 'POST') return { method, path, body: encoded, contentType: 'application/x-www-form-urlencoded', label, shape };
  return {
    method,
    path: encoded ? `${path}?${encoded}` : path,
    label,
    shape,
    ...(effectOf(req.family, functionName(req)) === 'read' ? { idempotent: true } : {}),
  };
}

/** Why a body cannot go with a request, or undefined: a JSON body must be JSON, file fields need names. */
export function bodyProblem(req: Pick<ApiRequest, 'body' | 'asUser' | 'family'>): string | undefined {
  const b = req.body;
  if (!b) return undefined;
  if (req.asUser !== undefined || req.family === 'api2') {
    return 'A JSON body or a file upload goes straight to the server that runs the function: through WHM on behalf of an account, only parameters can be sent.';
  }
  if (b.kind === 'json') {
    try {
      JSON.parse(b.text);
    } catch (e) {
      return `The JSON body is not valid JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}).`;
    }
    return undefined;
  }
  if (!b.files.length) return 'A file upload needs at least one file.';
  for (const f of b.files) {
    const p = paramNameProblem(f.name);
    if (p) return p;
    if (!f.path) return `The file for "${f.name}" has no path.`;
  }
  return undefined;
}

/** The names of the parameters that hold secrets, by name or because the caller said so. */
export function secretNames(req: Pick<ApiRequest, 'params' | 'secretParams'>): string[] {
  return [
    ...new Set(req.params.filter(([n, v]) => v !== '' && (isSecretParam(n) || (req.secretParams ?? []).includes(n))).map(([n]) => n)),
  ];
}

/**
 * The method a request goes with: the one it asks for, except that a request carrying a secret value
 * is a POST (its values in the body, out of cPanel's access_log and every proxy's), unless the person
 * chose GET for this one call. A body is always a POST.
 */
export function methodOf(req: Pick<ApiRequest, 'method' | 'params' | 'secretParams' | 'secretInUrl' | 'body'>): 'GET' | 'POST' {
  if (req.body) return 'POST';
  const asked = req.method ?? 'GET';
  if (asked === 'GET' && !req.secretInUrl && carriesSecret(req.params, req.secretParams)) return 'POST';
  return asked;
}

/** Why the method shown differs from the one asked for: "carries a secret", or undefined. */
export function methodReason(
  req: Pick<ApiRequest, 'method' | 'params' | 'secretParams' | 'secretInUrl' | 'body'>,
): 'carries a secret' | undefined {
  return !req.body && (req.method ?? 'GET') === 'GET' && methodOf(req) === 'POST' ? 'carries a secret' : undefined;
}

export function requestParts(req: ApiRequest, profile: Pick<ServerProfile, 'service'>, route?: Route): RequestParts {
  const label = functionName(req);
  const nameProblem = functionNameProblem(req.family, label);
  if (nameProblem) throw new CallFailure('config_error', nameProblem);
  const paramProblems = requestParamProblems(req.params);
  if (paramProblems.length) throw new CallFailure('config_error', paramProblems.join(' '));
  const body = bodyProblem(req);
  if (body) throw new CallFailure('config_error', body);
  const built = FAMILY_MODULES[req.family].build(req, profile.service, label, route);
  return { method: methodOf(req), label, ...built };
}

/** What Test Connection sends: WHM's version, or the cPanel user's own information. */
export function connectionTestRequest(service: 'cpanel' | 'whm' | 'webmail'): ApiRequest {
  return service === 'whm'
    ? { family: 'whm', function: 'version', params: [] }
    : { family: 'uapi', module: 'Variables', function: 'get_user_information', params: [] };
}
