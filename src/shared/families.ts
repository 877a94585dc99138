/**
 * The API families, as data: which service answers each, how its functions are named, which
 * parameter names the request itself sets, and how output shaping is spelled. The webview, the
 * extension, the core and the CLI all read this table; the core's per-family request building is in
 * src/core/api/families.ts. Adding a family means a row here and a module there.
 */

export type Family = 'uapi' | 'whm' | 'api2';
export type Service = 'cpanel' | 'whm' | 'webmail';

import { shapingParams, type NamedParam, type Shaping } from './shaping';

export type { NamedParam, Shaping } from './shaping';

export interface FamilyInfo {
  id: Family;
  /** "UAPI", "WHM API 1", "cPanel API 2". */
  name: string;
  /** The catalog section that lists this family's functions, when the bundled catalog has one. */
  catalog?: 'uapi' | 'whm';
  /** Functions are named Module/function (otherwise a bare name). */
  qualified: boolean;
  /** Services that answer this family directly. */
  direct: readonly Service[];
  /** Whether a WHM server can call it on behalf of one of its accounts. */
  throughWhm: boolean;
  /** Codicon for the family in the tree. */
  icon: string;
  /** One line on what the family is for (quick picks). */
  detail: string;
  /** An example function name, for prompts and messages. */
  example: string;
  /** Parameter names the request itself sets for this family: never taken from a user. */
  control: readonly string[];
  /** Output shaping as this family's parameters; undefined when the family has none. */
  shaping?: (s: Shaping) => NamedParam[];
}

/** What WHM's /json-api/cpanel and /json-api/uapi_cpanel read to decide whom and what to run. */
const THROUGH_WHM_CONTROL = [
  'cpanel_jsonapi_user',
  'cpanel_jsonapi_apiversion',
  'cpanel_jsonapi_module',
  'cpanel_jsonapi_func',
  'cpanel.user',
  'cpanel.module',
  'cpanel.function',
] as const;

export const FAMILIES: { readonly [F in Family]: FamilyInfo } = {
  uapi: {
    id: 'uapi',
    name: 'UAPI',
    catalog: 'uapi',
    qualified: true,
    direct: ['cpanel', 'webmail'],
    throughWhm: true,
    icon: 'symbol-namespace',
    detail: "cPanel functions, run as one of this server's accounts",
    example: 'Email/list_pops',
    control: THROUGH_WHM_CONTROL,
    shaping: (sh) => shapingParams('uapi', sh),
  },
  whm: {
    id: 'whm',
    name: 'WHM API 1',
    catalog: 'whm',
    qualified: false,
    direct: ['whm'],
    throughWhm: false,
    icon: 'server-process',
    detail: 'Server administration: accounts, packages, DNS, services…',
    example: 'listaccts',
    // Without api.version=1 WHM runs the legacy API 0, whose answers have another shape.
    control: ['api.version'],
    shaping: (sh) => shapingParams('whm', sh),
  },
  api2: {
    id: 'api2',
    name: 'cPanel API 2',
    qualified: true,
    direct: [],
    throughWhm: true,
    icon: 'history',
    detail: 'The older cPanel API, run as an account',
    example: 'Email/listpops',
    control: THROUGH_WHM_CONTROL,
    shaping: (sh) => shapingParams('api2', sh),
  },
};

export const FAMILY_IDS: readonly Family[] = Object.keys(FAMILIES) as Family[];

export function isFamily(v: unknown): v is Family {
  return typeof v === 'string' && Object.hasOwn(FAMILIES, v);
}

/** A family as a person reads it where it is called: "UAPI (on behalf of an account)". */
export function familyLabel(family: Family, onBehalf: boolean): string {
  return onBehalf ? `${FAMILIES[family].name} (on behalf of an account)` : FAMILIES[family].name;
}

/** The ways a server of this service can call each family, in the order pickers offer them. */
export function familiesOn(service: Service | undefined): { family: Family; onBehalf: boolean }[] {
  const out: { family: Family; onBehalf: boolean }[] = [];
  for (const f of FAMILY_IDS) if (service && FAMILIES[f].direct.includes(service)) out.push({ family: f, onBehalf: false });
  if (service === 'whm') for (const f of FAMILY_IDS) if (FAMILIES[f].throughWhm) out.push({ family: f, onBehalf: true });
  if (!service) out.push({ family: 'uapi', onBehalf: false });
  return out;
}

/** Whether calling `family` on `service` goes through WHM on behalf of an account. */
export function callsOnBehalf(family: Family, service: Service): boolean {
  return !FAMILIES[family].direct.includes(service) && service === 'whm' && FAMILIES[family].throughWhm;
}

// ── parameter and function names ─────────────────────────────────────────────

const CONTROL = new Set(FAMILY_IDS.flatMap((f) => FAMILIES[f].control.map((n) => n.toLowerCase())));

/**
 * Whether a name is one some family's request sets itself (cpanel_jsonapi_func, api.version, …).
 * Refused as a user parameter everywhere: appended after the real ones, it would make WHM run
 * another function, or run it as another account, than the one that was asked and confirmed.
 */
export function isControlParam(name: string): boolean {
  const n = name.toLowerCase();
  return CONTROL.has(n) || n.startsWith('cpanel_jsonapi_');
}

/** cPanel's parameter names: letters, digits, "_", "." and "-" (api.sort.a.field, domain-0, MXCHECK-example.com). */
export const PARAM_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Why a user-given parameter name cannot be sent, or undefined when it can. */
export function paramNameProblem(name: string): string | undefined {
  if (!name) return 'A parameter needs a name.';
  if (!PARAM_NAME.test(name)) {
    return `"${visible(name)}" is not a parameter name: cPanel's names have only letters, digits, "_", "." and "-".`;
  }
  if (isControlParam(name)) {
    return `"${name}" is set by the request itself (it chooses the function, the account or the API version), so it cannot be a parameter. Choose the function and account instead.`;
  }
  return undefined;
}

/** Why a function name is not one of this family's, or undefined. */
export function functionNameProblem(family: Family, name: string): string | undefined {
  const f = FAMILIES[family];
  const ok = f.qualified ? /^[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/.test(name) : /^[A-Za-z0-9_]+$/.test(name);
  if (ok) return undefined;
  return f.qualified
    ? `"${visible(name)}" is not Module/function: ${f.name} functions are named like ${f.example}.`
    : `"${visible(name)}" is not a ${f.name} function name: names have only letters, digits and underscores, like ${f.example}.`;
}

/**
 * Parameter names whose values are credentials: passwords and passphrases, OTP codes, tokens, keys,
 * hashes of passwords, sessions. Reviewed against every parameter of the catalog (it has no
 * "password" type: names are all it says): test/unit/secrets.test.ts lists the names each rule must
 * catch and must leave alone. Wrongly secret costs little (the value goes in a POST body and is
 * redacted in History); wrongly not secret puts a password in cPanel's access_log.
 */
const SECRET_PARAM =
  /^(pass|passwd|password|newpass|oldpass|new_?password|old_?password|password[0-9]?|tfa_token|otp|token|api_?token|access_?hash|secret|session|cp_security_token|key|private_?key|privatekey|user_session|passphrase|pass_?hash|mysql_pass|autologin_token_url)$|(^|[_.-])(password|passwd|secret|passphrase)([_.-]|$)|(^|[_.-])(access|login|auth|session|security|refresh|bearer|oauth)_?token$|(^|[_.-])pass$/i;

/** The one test for "this parameter holds a secret", used by redaction, snippets, code generation and every form. */
export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/**
 * Whether a request carries a secret value: a parameter whose name says so, or one the caller knows
 * holds a secret (filled from a placeholder or a secret variable). Such a request goes as a POST with
 * the values in the body on every path: cPanel writes query strings to its access_log.
 */
export function carriesSecret(params: readonly (readonly [string, unknown])[], secretParams: readonly string[] = []): boolean {
  return params.some(([name, value]) => value !== '' && (isSecretParam(name) || secretParams.includes(name)));
}

/** A name shown in a message: control characters made visible, long names cut. */
function visible(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  let out = '';
  for (const c of cut) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}
