import { isIPv4, isIPv6 } from 'node:net';
import type { Service } from '../shared/families';
import { AUTH_SCHEMES } from './auth/schemes';
import { TWO_FACTOR } from './auth/twoFactor';

export type { Service } from '../shared/families';
export type { AuthMethod, ServerProfile, TlsPolicy, TwoFactorMode } from './profile';
import type { ServerProfile, TlsPolicy, TwoFactorMode } from './profile';

export const GROUP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The groups typed as one line ("eu, shared-hosting" or "eu shared-hosting"): each name once, in
 * the order typed; an empty line is no group. A name that is not a group name is the problem.
 */
export function parseGroups(text: string): { groups: string[] } | { problem: string } {
  const groups: string[] = [];
  for (const name of text.split(/[\s,]+/)) {
    if (!name) continue;
    if (!GROUP_NAME.test(name))
      return { problem: `"${visible(name)}" is not a group name: use letters, digits, ".", "_" and "-", separated by commas.` };
    if (!groups.includes(name)) groups.push(name);
  }
  return { groups };
}

export const SERVICES: readonly Service[] = ['cpanel', 'whm', 'webmail'];
export const TWO_FACTOR_MODES: readonly TwoFactorMode[] = ['none', 'header', 'session'];

const PORTS: Record<Service, { secure: number; plain: number }> = {
  cpanel: { secure: 2083, plain: 2082 },
  whm: { secure: 2087, plain: 2086 },
  webmail: { secure: 2096, plain: 2095 },
};

export const SERVICE_NAMES: Record<Service, string> = { cpanel: 'cPanel', whm: 'WHM', webmail: 'Webmail' };

export function defaultPort(service: Service, secure: boolean): number {
  return secure ? PORTS[service].secure : PORTS[service].plain;
}

/** Which service a well-known port belongs to, to explain wrong-port answers. */
export function serviceOfPort(port: number): { service: Service; secure: boolean } | undefined {
  for (const service of SERVICES) {
    if (PORTS[service].secure === port) return { service, secure: true };
    if (PORTS[service].plain === port) return { service, secure: false };
  }
  return undefined;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * A host whose last dot-separated part is a number (decimal digits, or "0x" and hex digits) is read
 * as an IPv4 address by URL parsers and the system resolver, whatever comes before it: "0x7f.1",
 * "127.1", "0177.0.0.1" and "2130706433" all reach 127.0.0.1. Such a host is accepted only as four
 * decimal numbers from 0 to 255, so the address shown is the address reached.
 */
const ENDS_IN_NUMBER = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/i;

/**
 * What a person pasted as the host: a hostname or address, or a URL such as
 * `https://server.example.com:2087/` (its scheme, port and, from the port, service become the
 * wizard's suggestions). Undefined when it is not a URL.
 */
export function hostFromUrl(input: string): { host: string; secure: boolean; port?: number; service?: Service } | undefined {
  const v = input.trim();
  if (!/^https?:\/\//i.test(v)) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return undefined;
  }
  const secure = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : undefined;
  const service =
    port === undefined ? undefined : (Object.keys(PORTS) as Service[]).find((k) => PORTS[k].secure === port || PORTS[k].plain === port);
  return { host: u.hostname, secure, ...(port !== undefined ? { port } : {}), ...(service ? { service } : {}) };
}

export function hostProblem(host: string): string | undefined {
  if (host.length === 0) return 'The host is empty: enter a hostname or an IP address.';
  // (The pattern is tried only on a host with "://" in it: most have none, and it is the costliest here.)
  if (host.includes('://') && /^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    return `The host "${host}" is a URL: enter only the hostname or IP address (the scheme comes from the secure setting).`;
  }
  if (/[\s/@?#]/.test(host)) return `The host "${host}" contains a space, "/", "@", "?" or "#": enter only a hostname or an IP address.`;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // Only a colon makes an IPv6 address: net.isIPv6 compiles a large pattern on first use, which a hostname need not pay for.
  if (bare.includes(':') && isIPv6(bare)) return undefined;
  if (/:\d+$/.test(host)) return `The host "${host}" includes a port: put the port in the port setting instead.`;
  if (ENDS_IN_NUMBER.test(host)) {
    if (isIPv4(host)) return undefined;
    return (
      `The host "${host}" is not a valid IPv4 address: write an address as four decimal numbers from 0 to 255, such as 192.0.2.10. ` +
      'Short, hex and octal forms (127.1, 0x7f.1, 0177.0.0.1, 2130706433) are refused: they reach another address than they show.'
    );
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253 || !name.split('.').every((l) => LABEL.test(l))) {
    return `The host "${host}" is not a valid hostname, IPv4 or IPv6 address.`;
  }
  return undefined;
}

/** Host as it goes into a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.includes(':') && isIPv6(bare) ? `[${bare}]` : host;
}

export function baseUrl(p: Pick<ServerProfile, 'host' | 'port' | 'secure'>): string {
  return `${p.secure ? 'https' : 'http'}://${urlHost(p.host)}:${p.port}`;
}

/** "user@host:port", as the tree and result titles show a server. */
export function describeServer(p: Pick<ServerProfile, 'username' | 'host' | 'port'>): string {
  return `${p.username}@${urlHost(p.host)}:${p.port}`;
}

/**
 * Accepts a SHA-256 fingerprint as OpenSSL or Node print it (colon-separated hex), or as plain hex,
 * and returns Node's form (uppercase, colon-separated), or undefined when it is not 32 bytes of hex.
 */
export function normalizeFingerprint(input: string): string | undefined {
  // Already in the form it is stored in (every pinned server, each time its profile is read): as it is.
  if (input.length === 95 && CANONICAL_FINGERPRINT.test(input)) return input;
  const hex = input
    .trim()
    .replace(/^sha256\s*(fingerprint)?\s*=?\s*/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return hex.toUpperCase().match(/../g)!.join(':');
}

const CANONICAL_FINGERPRINT = /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/**
 * Characters no label has: C0 controls, DEL and C1 controls, the line and paragraph separators, and
 * the bidirectional controls that reorder what is shown around them.
 */
function isControl(ch: string): boolean {
  return isControlCode(ch.codePointAt(0)!);
}

function isControlCode(c: number): boolean {
  return (
    c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
  );
}

/**
 * Whether text has a control character, looking at its UTF-16 code units one by one, without building
 * anything: every character isControl knows is a single code unit, and no half of a surrogate pair is one.
 */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControlCode(text.charCodeAt(i))) return true;
  return false;
}

/** Text with its control characters written as \u escapes, to quote it in a message. */
export function visible(text: string): string {
  return [...text].map((ch) => (isControl(ch) ? `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : ch)).join('');
}

/**
 * Why a label cannot name a server, or undefined. Labels are shown in the tree, tooltips (Markdown),
 * pickers and result titles: one line of plain text, never something VS Code would render as markup.
 */
export function labelProblem(label: string): string | undefined {
  if (!label.trim()) return 'The server needs a label.';
  // The label split into characters only when it has a control character, to name it.
  const control = hasControl(label) ? [...label].find(isControl) : undefined;
  if (control) {
    const code = `U+${control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `The label "${visible(label)}" has a control character (${code}): a label is one line of visible text, so remove it.`;
  }
  if (/[<>]/.test(label))
    return `The label "${label}" has "<" or ">": VS Code could render it as HTML in tooltips, so a label cannot have them.`;
  if (label.includes('$(')) {
    return `The label "${label}" has "$(": VS Code shows "$(name)" as an icon in the tree, pickers and tooltips, so a label cannot have it.`;
  }
  if (label.includes(']('))
    return `The label "${label}" has "](": tooltips render "[text](target)" as a Markdown link, so a label cannot have it.`;
  return undefined;
}

/** Every problem with a profile, each a sentence that says what to change. Empty when valid. */
export function profileProblems(p: ServerProfile): string[] {
  const out: string[] = [];
  if (!p.id) out.push('The server has no id.');
  const l = labelProblem(p.label);
  if (l) out.push(l);
  const h = hostProblem(p.host);
  if (h) out.push(h);
  if (!SERVICES.includes(p.service)) out.push(`The service "${String(p.service)}" is not one of cpanel, whm or webmail.`);
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) out.push(`The port ${String(p.port)} is not a number from 1 to 65535.`);
  if (!/^[a-z0-9_.@-]{1,64}$/i.test(p.username))
    out.push(`The username "${p.username}" is empty or has characters cPanel usernames never have.`);
  const scheme = Object.hasOwn(AUTH_SCHEMES, p.auth) ? AUTH_SCHEMES[p.auth] : undefined;
  if (!scheme) out.push(`The authentication method "${String(p.auth)}" is not one of ${Object.keys(AUTH_SCHEMES).join(', ')}.`);
  if (!TWO_FACTOR_MODES.includes(p.twoFactor))
    out.push(`The two-factor mode "${String(p.twoFactor)}" is not one of none, header or session.`);
  const serviceProblem = scheme && SERVICES.includes(p.service) ? scheme.serviceProblem(p.service) : undefined;
  if (serviceProblem) out.push(serviceProblem);
  if (scheme && p.twoFactor !== 'none' && TWO_FACTOR_MODES.includes(p.twoFactor) && !scheme.twoFactor.includes(p.twoFactor)) {
    const fits = scheme.twoFactor.map((m) => `"${TWO_FACTOR[m].label.toLowerCase()}"`).join(' or ');
    const how = scheme.twoFactor.map((m) => (m === 'session' ? 'once, at session login' : 'on every request')).join(' or ');
    out.push(`With ${scheme.name} the two-factor code is sent ${how}: choose the two-factor mode ${fits}.`);
  }
  if (p.tls.mode === 'pinned' && !normalizeFingerprint(p.tls.fingerprint256)) {
    out.push('The pinned fingerprint is not a SHA-256 fingerprint (64 hex digits, colons allowed).');
  }
  if (p.tls.mode === 'ca' && !p.tls.caFile) out.push('The CA file path is empty.');
  return out;
}

/** What each method needs from secret storage. */
export type { Secrets } from './profile';
import type { Secrets } from './profile';

export function requiredSecrets(p: Pick<ServerProfile, 'auth' | 'twoFactor'>): (keyof Secrets)[] {
  const need: (keyof Secrets)[] = [];
  const scheme = Object.hasOwn(AUTH_SCHEMES, p.auth) ? AUTH_SCHEMES[p.auth] : undefined;
  if (scheme) need.push(scheme.secret);
  if (p.twoFactor !== 'none') need.push('totpSecret');
  return need;
}

export interface ProfileEntry {
  profile: ServerProfile;
  /** Why this entry cannot be used as written; empty when fine. */
  problems: string[];
}

/**
 * Reads one profile as written by a person (settings, a servers file) leniently, collecting every
 * problem as a sentence. Without an id, `fallbackId` is used (the CLI names servers by label).
 */
export function readProfile(item: unknown, index: number, fallbackId?: (o: Record<string, unknown>) => string | undefined): ProfileEntry {
  const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const service = ((SERVICES as readonly string[]).includes(str('service')) ? str('service') : 'cpanel') as ServerProfile['service'];
  const secure = o.secure !== false;
  const tlsRaw = (o.tls && typeof o.tls === 'object' ? o.tls : { mode: 'system' }) as Record<string, unknown>;
  const tls: ServerProfile['tls'] =
    tlsRaw.mode === 'pinned'
      ? { mode: 'pinned', fingerprint256: normalizeFingerprint(String(tlsRaw.fingerprint256 ?? '')) ?? String(tlsRaw.fingerprint256 ?? '') }
      : tlsRaw.mode === 'ca'
        ? { mode: 'ca', caFile: String(tlsRaw.caFile ?? '') }
        : { mode: 'system' };
  const profile: ServerProfile = {
    id: str('id') || fallbackId?.(o) || `invalid-${index}`,
    label: str('label') || str('host') || `server ${index + 1}`,
    host: str('host'),
    service,
    secure,
    port: o.port === undefined ? defaultPort(service, secure) : typeof o.port === 'number' ? o.port : Number.NaN,
    username: str('username'),
    auth: (str('auth') || 'password') as ServerProfile['auth'],
    twoFactor: (str('twoFactor') || 'none') as ServerProfile['twoFactor'],
    tls,
    ...(Array.isArray(o.groups) ? { groups: o.groups.filter((g): g is string => typeof g === 'string') } : {}),
  };
  const problems = typeof item === 'object' && item !== null ? profileProblems(profile) : ['This entry is not an object.'];
  if (o.port !== undefined && typeof o.port !== 'number') {
    const i = problems.findIndex((x) => x.startsWith('The port '));
    const says = `"port" must be a number (such as ${defaultPort(service, secure)}), not ${JSON.stringify(o.port)?.slice(0, 40) ?? String(o.port)}.`;
    if (i >= 0) problems[i] = says;
    else problems.push(says);
  }
  for (const k of ['secure'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean')
      problems.push(`"${k}" must be true or false, not ${JSON.stringify(o[k])?.slice(0, 40)}.`);
  }
  if (o.groups !== undefined && (!Array.isArray(o.groups) || !o.groups.every((g) => typeof g === 'string' && GROUP_NAME.test(g)))) {
    problems.push('"groups" must be a list of group names (letters, digits, ".", "_" and "-").');
  }
  if (!str('id') && !fallbackId?.(o)) problems.unshift('The entry has no id.');
  if (o.service !== undefined && !(SERVICES as readonly string[]).includes(String(o.service)))
    problems.push(`The service "${String(o.service)}" is not cpanel, whm or webmail.`);
  return { profile, problems };
}

/**
 * The TLS policy of an edited server: a pin is the host's certificate, so it is kept when only the
 * port (or anything but the host) changes; a port serving another certificate is then refused with
 * both fingerprints and can be pinned again. Another host starts from system trust.
 */
export function tlsAfterEdit(existing: ServerProfile | undefined, host: string): TlsPolicy {
  return existing && existing.host === host ? existing.tls : { mode: 'system' };
}
