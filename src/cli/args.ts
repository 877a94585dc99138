import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FAMILIES, FAMILY_IDS, paramNameProblem } from '../shared/families';
import { splitFunction, type ApiRequest, type Family, type Param } from '../core/api/request';
import { cleanAccessHash } from '../core/auth/accessHash';
import type { TransportLimits } from '../core/limits';
import { AUTH_SCHEMES, SECRET_SPECS } from '../core/auth/schemes';
import { expressionProblem } from '../core/checks';
import { UsageError } from './usage';
import {
  defaultPort,
  hostProblem,
  normalizeFingerprint,
  profileProblems,
  requiredSecrets,
  SERVICES,
  type AuthMethod,
  type Secrets,
  type ServerProfile,
  type Service,
  type TwoFactorMode,
} from '../core/servers';

export { UsageError };

/** node:util parseArgs, strict, with its errors turned into one-line usage errors. */
export function parseOptions<T extends ParseArgsConfig['options']>(
  argv: string[],
  options: T,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
}

export interface CallInvocation {
  profile: ServerProfile;
  secrets: Secrets;
  request: ApiRequest;
  raw: boolean;
  unredacted: boolean;
  timeoutMs?: number;
  /** JMESPath on the normalized answer: print its result instead. */
  query?: string;
}

/** --timeout bounds connecting, waiting and reading, and the whole call. */
export function timeoutLimits(timeoutMs: number | undefined): Partial<TransportLimits> {
  return timeoutMs ? { connectTimeoutMs: timeoutMs, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs, deadlineMs: timeoutMs } : {};
}

/** --timeout: seconds from 1 to 3600, as a number of milliseconds; undefined when not given. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(t >= 1 && t <= 3600)) throw new UsageError(`--timeout must be a number of seconds from 1 to 3600, not "${value}".`);
  return Math.round(t * 1000);
}

/** Largest JSON body read from a file with --json-body @FILE. */
const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

/** A file to upload: it must exist and be readable now, or nothing is sent. */
function readableFile(path: string, name: string): string {
  if (!path) throw new UsageError(`"${name}=@" names no file: write ${name}=@PATH.`);
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`The file "${path}" for ${name} does not exist or cannot be read. Nothing was sent.`);
  }
  return path;
}

/** --json-body JSON or @FILE: the JSON text, checked. */
function jsonBodyText(value: string): string {
  let text = value;
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      if (statSync(path).size > MAX_JSON_BODY_BYTES) throw new UsageError(`The JSON body file "${path}" is larger than 16 MB.`);
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`The JSON body file "${path}" does not exist or cannot be read. Nothing was sent.`);
    }
  }
  try {
    JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `--json-body is not valid JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}). Nothing was sent.`,
    );
  }
  return text;
}

/** name=value pairs from the command line; a name cPanel cannot have, or one that would rewrite the call, is refused. */
export function parseParams(pairs: string[]): Param[] {
  return pairs.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `"${p.length > 80 ? `${p.slice(0, 80)}…` : p}" is not name=value: parameters are written like domain=example.com.`,
      );
    const name = p.slice(0, eq);
    const problem = paramNameProblem(name);
    if (problem) throw new UsageError(problem);
    return [name, p.slice(eq + 1)];
  });
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) throw new UsageError(`--${name} is required (${allowed.join(', ')}).`);
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}".`);
  return value as T;
}

/** Reads `cpapi call …` arguments and the environment into a profile, secrets and a request. */
export function parseCall(argv: string[], env: NodeJS.ProcessEnv): CallInvocation {
  const { values, positionals } = parseOptions(argv, {
    host: { type: 'string' },
    service: { type: 'string' },
    port: { type: 'string' },
    http: { type: 'boolean' },
    user: { type: 'string' },
    auth: { type: 'string' },
    otp: { type: 'string' },
    as: { type: 'string' },
    post: { type: 'boolean' },
    get: { type: 'boolean' },
    fingerprint: { type: 'string' },
    ca: { type: 'string' },
    timeout: { type: 'string' },
    raw: { type: 'boolean' },
    unredacted: { type: 'boolean' },
    query: { type: 'string' },
    'json-body': { type: 'string' },
  });
  const v = values as {
    host?: string;
    service?: string;
    port?: string;
    http?: boolean;
    user?: string;
    auth?: string;
    otp?: string;
    as?: string;
    post?: boolean;
    get?: boolean;
    fingerprint?: string;
    ca?: string;
    timeout?: string;
    raw?: boolean;
    unredacted?: boolean;
    query?: string;
    'json-body'?: string;
  };
  const [api, fn, ...pairs] = positionals;
  if (v.query !== undefined) {
    if (v.raw) throw new UsageError('Use either --query or --raw: --query picks from the normalized answer, --raw prints the body.');
    const problem = expressionProblem(v.query);
    if (problem) throw new UsageError(`--query: ${problem}. Nothing was sent.`);
  }
  const family = oneOf<Family>('API (the first argument)', api, FAMILY_IDS);
  if (!fn) throw new UsageError('FUNCTION is missing: e.g. Email/list_pops (uapi, api2) or listaccts (whm).');
  const service = oneOf<Service>('service', v.service, SERVICES);
  const auth = oneOf<AuthMethod>('auth', v.auth, Object.keys(AUTH_SCHEMES) as AuthMethod[]);
  if (v.unredacted && !v.raw) throw new UsageError('--unredacted goes with --raw: it prints the body exactly as received.');
  const otp = v.otp === undefined ? 'none' : oneOf<Exclude<TwoFactorMode, 'none'>>('otp', v.otp, ['header', 'session']);
  if (!v.host) throw new UsageError('--host is required.');
  const hp = hostProblem(v.host);
  if (hp) throw new UsageError(hp);
  if (!v.user) throw new UsageError('--user is required.');
  const secure = !v.http;
  let port = defaultPort(service, secure);
  if (v.port !== undefined) {
    port = Number(v.port);
    if (!/^\d+$/.test(v.port) || port < 1 || port > 65535)
      throw new UsageError(`--port must be a number from 1 to 65535, not "${v.port}".`);
  }
  if (v.fingerprint !== undefined && v.ca !== undefined) throw new UsageError('Use either --fingerprint or --ca, not both.');
  let tls: ServerProfile['tls'] = { mode: 'system' };
  if (v.fingerprint !== undefined) {
    const fp = normalizeFingerprint(v.fingerprint);
    if (!fp)
      throw new UsageError(
        '--fingerprint must be a SHA-256 fingerprint: 64 hex digits, with or without colons (as OpenSSL and Node print it).',
      );
    tls = { mode: 'pinned', fingerprint256: fp };
  } else if (v.ca !== undefined) {
    tls = { mode: 'ca', caFile: v.ca };
  }
  const timeoutMs = parseTimeout(v.timeout);
  if (v.get && v.post) throw new UsageError('Use either --get or --post, not both.');
  if (v.get && v['json-body'] !== undefined) throw new UsageError('--json-body is sent as a POST: leave out --get.');
  const all = parseParams(pairs);
  // With --post, name=@PATH uploads the file at PATH under name (multipart/form-data).
  const files = v.post
    ? all
        .filter(([, value]) => String(value).startsWith('@'))
        .map(([name, value]) => ({ name, path: readableFile(String(value).slice(1), name) }))
    : [];
  const params = all.filter(([name]) => !files.some((f) => f.name === name));
  if (files.length && v['json-body'] !== undefined)
    throw new UsageError('Use either --json-body or file parameters (name=@PATH), not both: a request has one body.');
  const body: ApiRequest['body'] =
    v['json-body'] !== undefined
      ? { kind: 'json', text: jsonBodyText(v['json-body']) }
      : files.length
        ? { kind: 'multipart', files }
        : undefined;
  const parts = (() => {
    try {
      return splitFunction(family, fn);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  })();
  if (!FAMILIES[family].direct.length && v.as === undefined) {
    throw new UsageError(`${family} needs --as CPANEL_USER: ${FAMILIES[family].name} is called through WHM on behalf of an account.`);
  }

  const profile: ServerProfile = {
    id: 'cli',
    label: v.host,
    host: v.host,
    service,
    secure,
    port,
    username: v.user,
    auth,
    twoFactor: otp,
    tls,
  };
  const problems = profileProblems(profile);
  if (problems.length) throw new UsageError(problems.join(' '));
  return {
    profile,
    secrets: secretsFromEnv(profile, env, ''),
    request: {
      family,
      ...parts,
      params,
      method: v.post || body ? 'POST' : 'GET',
      // --get is the person's own choice for this one call: the only way a secret goes into a URL.
      ...(v.get ? { secretInUrl: true as const } : {}),
      ...(v.as !== undefined ? { asUser: v.as } : {}),
      ...(body ? { body } : {}),
    },
    raw: v.raw === true,
    unredacted: v.unredacted === true,
    timeoutMs,
    ...(v.query !== undefined ? { query: v.query } : {}),
  };
}

/**
 * Secrets for a profile from environment variables: CPANEL_PASSWORD, CPANEL_TOKEN,
 * CPANEL_ACCESSHASH or CPANEL_ACCESSHASH_FILE, CPANEL_TOTP_SECRET. With a prefix (cpapi run),
 * CPANEL_<LABEL>_PASSWORD and so on.
 */
export function secretsFromEnv(profile: Pick<ServerProfile, 'auth' | 'twoFactor'>, env: NodeJS.ProcessEnv, label: string): Secrets {
  const name = (what: string): string => (label ? `CPANEL_${envLabel(label)}_${what}` : `CPANEL_${what}`);
  const need = (what: string, why: string): string => {
    const value = env[name(what)];
    if (!value) throw new UsageError(`${why} needs the ${name(what)} environment variable.`);
    return value;
  };
  const s: Secrets = {};
  for (const kind of requiredSecrets(profile)) {
    const spec = SECRET_SPECS[kind];
    const why = kind === 'totpSecret' ? `--otp ${profile.twoFactor}` : `--auth ${profile.auth}`;
    // The access hash may also come from the file WHM writes (wrapped over many lines).
    if (kind === 'accessHash' && !env[name(spec.env)]) {
      const file = env[name(`${spec.env}_FILE`)];
      if (!file) throw new UsageError(`${why} needs ${name(spec.env)} or ${name(`${spec.env}_FILE`)}.`);
      try {
        s[kind] = cleanAccessHash(readFileSync(file, 'utf8'));
      } catch {
        throw new UsageError(`The access hash file named by ${name(`${spec.env}_FILE`)} cannot be read.`);
      }
      continue;
    }
    s[kind] = need(spec.env, why);
  }
  return s;
}

/** "prod-1.example" → "PROD_1_EXAMPLE", for environment variable names. */
export function envLabel(label: string): string {
  return label
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
