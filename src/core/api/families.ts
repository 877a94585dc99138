import { callsOnBehalf, FAMILIES, type Family, type Service } from '../../shared/families';
import { CallFailure } from '../result';
import type { ApiRequest, Param } from './types';

/** How an answer is read (see normalize.ts): the envelope depends on the family and the route. */
export type AnswerShape = 'uapi' | 'whm' | 'whm-uapi' | 'whm-api2';

/** How a server is reached beyond its service: `legacyUapi` for a WHM older than uapi_cpanel. */
export interface Route {
  legacyUapi?: boolean;
}

export interface FamilyModule {
  /** The path and the full parameter list (control parameters first) for a request on `service`. */
  build(req: ApiRequest, service: Service, label: string, route?: Route): { path: string; params: Param[]; shape: AnswerShape };
}

const SERVICE_WORDS: Record<Service, string> = { cpanel: 'cPanel', whm: 'WHM', webmail: 'Webmail' };

/** The account a call through WHM runs as, checked. */
function onBehalfOf(req: ApiRequest): string {
  const user = (req.asUser ?? '').trim();
  if (!user)
    throw new CallFailure('config_error', `${FAMILIES[req.family].name} through WHM needs the cPanel account to call it on behalf of.`);
  if (!/^[a-z0-9_.-]+$/.test(user)) {
    throw new CallFailure('config_error', `"${user}" is not a cPanel username: usernames are lowercase letters, digits and a few symbols.`);
  }
  if (user === 'root') throw new CallFailure('config_error', 'root is not a cPanel account: choose a cPanel user to call on behalf of.');
  return user;
}

/**
 * UAPI on behalf of an account: WHM API 1's uapi_cpanel, as cPanel's "Use WHM API to call cPanel API
 * and UAPI" page documents it. Its answer is a WHM envelope with the UAPI answer in data.uapi; the
 * older /json-api/cpanel envelope is still read (see normalize.ts).
 */
function uapiThroughWhm(req: ApiRequest): { path: string; params: Param[]; shape: AnswerShape } {
  const user = onBehalfOf(req);
  return {
    path: '/json-api/uapi_cpanel',
    params: [
      ['api.version', '1'],
      ['cpanel.user', user],
      ['cpanel.module', req.module ?? ''],
      ['cpanel.function', req.function],
      ...req.params,
    ],
    shape: 'whm-uapi',
  };
}

/** cPanel API 2 on behalf of an account: WHM's /json-api/cpanel with the cpanel_jsonapi_* controls. */
function throughWhm(req: ApiRequest, apiVersion: '2' | '3', shape: AnswerShape): { path: string; params: Param[]; shape: AnswerShape } {
  const user = onBehalfOf(req);
  return {
    path: '/json-api/cpanel',
    params: [
      ['cpanel_jsonapi_user', user],
      // Without the version WHM runs API 2, whatever the module and function.
      ['cpanel_jsonapi_apiversion', apiVersion],
      ['cpanel_jsonapi_module', req.module ?? ''],
      ['cpanel_jsonapi_func', req.function],
      ...req.params,
    ],
    shape,
  };
}

export const FAMILY_MODULES: { readonly [F in Family]: FamilyModule } = {
  uapi: {
    build(req, service, label, route) {
      // A WHM older than uapi_cpanel answers "Unknown app": the documented older envelope serves it.
      if (callsOnBehalf('uapi', service) && req.asUser !== undefined)
        return route?.legacyUapi ? throughWhm(req, '3', 'whm-uapi') : uapiThroughWhm(req);
      if (req.asUser !== undefined && service !== 'whm') {
        throw new CallFailure(
          'config_error',
          'Calling on behalf of another account needs a WHM server; on a cPanel server, call UAPI directly without an account.',
        );
      }
      if (!FAMILIES.uapi.direct.includes(service)) {
        throw new CallFailure(
          'config_error',
          `${label} is a UAPI function: it runs on cPanel (port 2083) or Webmail (2096). On a WHM server, choose the cPanel account to call it on behalf of.`,
        );
      }
      return { path: `/execute/${req.module}/${req.function}`, params: [...req.params], shape: 'uapi' };
    },
  },
  whm: {
    build(req, service, label) {
      if (service !== 'whm') {
        throw new CallFailure(
          'config_error',
          `${label} is a WHM API 1 function: it runs only on WHM (port 2087, or 2086 without TLS), not on ${SERVICE_WORDS[service]}. Use a WHM server.`,
        );
      }
      if (req.asUser)
        throw new CallFailure('config_error', 'WHM API 1 functions are not called on behalf of an account: leave the account out.');
      return { path: `/json-api/${req.function}`, params: [['api.version', '1'], ...req.params], shape: 'whm' };
    },
  },
  api2: {
    build(req, service) {
      if (service !== 'whm') {
        throw new CallFailure(
          'config_error',
          'cPanel API 2 is called here through WHM on behalf of an account: use a WHM server and choose the account.',
        );
      }
      return throughWhm(req, '2', 'whm-api2');
    },
  },
};
