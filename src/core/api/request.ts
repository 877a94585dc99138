import { CallFailure } from '../result';
import type { ServerProfile } from '../servers';

/** uapi: UAPI (Module/function); whm: WHM API 1; api2: cPanel API 2 (Module/function, only through WHM). */
export type Family = 'uapi' | 'whm' | 'api2';
export const FAMILIES: readonly Family[] = ['uapi', 'whm', 'api2'];
export const FAMILY_NAMES: Record<Family, string> = { uapi: 'UAPI', whm: 'WHM API 1', api2: 'cPanel API 2' };

export type ParamValue = string | number | boolean;
/** Parameters keep their order and may repeat a name (sent as a repeated key). */
export type Param = readonly [name: string, value: ParamValue];

export interface ApiRequest {
  family: Family;
  /** UAPI and API 2 module, e.g. "Email". */
  module?: string;
  function: string;
  params: readonly Param[];
  method?: 'GET' | 'POST';
  /** On a WHM server: call UAPI or API 2 on behalf of this cPanel account. */
  asUser?: string;
}

/** What the transport sends, before any session prefix or auth header. */
export interface BuiltRequest {
  method: 'GET' | 'POST';
  /** Path with query for GET; path only for POST. */
  path: string;
  body?: string;
  /** For messages and titles: "Email/list_pops", "listaccts". */
  label: string;
  /** How the answer is read. */
  shape: 'uapi' | 'whm' | 'whm-uapi' | 'whm-api2';
}

export function paramValue(v: ParamValue): string {
  // cPanel reads booleans as 1/0; "true"/"false" are not understood.
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

export function encodeParams(params: readonly Param[]): string {
  const q = new URLSearchParams();
  for (const [k, v] of params) q.append(k, paramValue(v));
  return q.toString();
}

const NAME = /^[A-Za-z0-9_]+$/;

/** Reads "Module/function" (UAPI, API 2) or a WHM function name into its parts. */
export function splitFunction(family: Family, name: string): { module?: string; function: string } {
  if (family === 'whm') return { function: name };
  const m = /^([^/]+)\/([^/]+)$/.exec(name);
  if (!m) throw new CallFailure('config_error', `"${name}" is not Module/function: ${FAMILY_NAMES[family]} functions are named like Email/list_pops.`);
  return { module: m[1], function: m[2] };
}

export function requestLabel(req: Pick<ApiRequest, 'family' | 'module' | 'function'>): string {
  return req.family === 'whm' ? req.function : `${req.module ?? '?'}/${req.function}`;
}

/**
 * Checks a request against the server's service and builds its URL and body. Calls that cannot
 * work on this service (WHM API 1 on a cPanel port, UAPI straight to WHM) fail here, before sending.
 */
export function buildRequest(req: ApiRequest, profile: Pick<ServerProfile, 'service'>): BuiltRequest {
  const { method, path, params, label, shape } = requestParts(req, profile);
  const encoded = encodeParams(params);
  if (method === 'POST') return { method, path, body: encoded, label, shape };
  return { method, path: encoded ? `${path}?${encoded}` : path, label, shape };
}

/** The path without query and the full parameter list (API version and account included). */
export function requestParts(
  req: ApiRequest,
  profile: Pick<ServerProfile, 'service'>,
): { method: 'GET' | 'POST'; path: string; params: Param[]; label: string; shape: BuiltRequest['shape'] } {
  const label = requestLabel(req);
  if (!NAME.test(req.function) || (req.family !== 'whm' && !NAME.test(req.module ?? ''))) {
    throw new CallFailure('config_error', `"${label}" is not a valid function name: names have only letters, digits and underscores.`);
  }
  for (const [k] of req.params) {
    if (!k) throw new CallFailure('config_error', 'A parameter has an empty name.');
  }
  const method = req.method ?? 'GET';
  const onWhm = profile.service === 'whm';
  let path: string;
  let params: Param[];
  let shape: BuiltRequest['shape'];

  if (req.family === 'whm') {
    if (!onWhm) {
      throw new CallFailure(
        'config_error',
        `${label} is a WHM API 1 function: it runs only on WHM (port 2087, or 2086 without TLS), not on ${profile.service === 'cpanel' ? 'cPanel' : 'Webmail'}. Use a WHM server.`,
      );
    }
    if (req.asUser) throw new CallFailure('config_error', 'WHM API 1 functions are not called on behalf of an account: leave the account out.');
    path = `/json-api/${req.function}`;
    // Without api.version=1 WHM runs the legacy API 0, whose answers have another shape.
    params = [['api.version', '1'], ...req.params.filter(([k]) => k !== 'api.version')];
    shape = 'whm';
  } else if (req.asUser !== undefined || req.family === 'api2') {
    if (!onWhm) {
      throw new CallFailure(
        'config_error',
        req.family === 'api2'
          ? `cPanel API 2 is called here through WHM on behalf of an account: use a WHM server and choose the account.`
          : `Calling on behalf of another account needs a WHM server; on a cPanel server, call UAPI directly without an account.`,
      );
    }
    const user = (req.asUser ?? '').trim();
    if (!user) throw new CallFailure('config_error', `${FAMILY_NAMES[req.family]} through WHM needs the cPanel account to call it on behalf of.`);
    if (!/^[a-z0-9_.-]+$/.test(user)) {
      throw new CallFailure('config_error', `"${user}" is not a cPanel username: usernames are lowercase letters, digits and a few symbols.`);
    }
    if (user === 'root') throw new CallFailure('config_error', 'root is not a cPanel account: choose a cPanel user to call on behalf of.');
    path = '/json-api/cpanel';
    params = [
      ['cpanel_jsonapi_user', user],
      // Without the version WHM runs API 2, whatever the module and function.
      ['cpanel_jsonapi_apiversion', req.family === 'api2' ? '2' : '3'],
      ['cpanel_jsonapi_module', req.module ?? ''],
      ['cpanel_jsonapi_func', req.function],
      ...req.params,
    ];
    shape = req.family === 'api2' ? 'whm-api2' : 'whm-uapi';
  } else {
    if (onWhm) {
      throw new CallFailure(
        'config_error',
        `${label} is a UAPI function: it runs on cPanel (port 2083) or Webmail (2096). On a WHM server, choose the cPanel account to call it on behalf of.`,
      );
    }
    path = `/execute/${req.module}/${req.function}`;
    params = [...req.params];
    shape = 'uapi';
  }

  return { method, path, params, label, shape };
}
