import { readProfile, visible, type ServerProfile } from './servers';

/**
 * Lists of servers as files, for Import/Export Servers and `cpapi --servers`: JSON (a list of
 * profiles, or {"servers": [...]}); CSV is in serverCsv.ts (the extension's only).
 * Secrets never go in either: a file with a column or key that names one is refused whole, saying which.
 * Ids are never read from a file: an id is the key of this machine's stored credentials, so a file
 * naming one could point them at another host. A server read from a file is named by its label.
 */

/** Names (lowercase, without "-", "_", spaces or dots) that are a secret whatever else the file says. */
const SECRET_NAMES = new Set([
  'pass',
  'passwd',
  'password',
  'pwd',
  'secret',
  'token',
  'key',
  'hash',
  'otp',
  'totp',
  'tfa',
  'mfa',
  '2fa',
  'pin',
  'apikey',
  'apitoken',
  'accesshash',
  'totpsecret',
  'privatekey',
  'cookie',
  'cpsess',
]);
/** Parts that make a name a secret wherever they are in it: "cpanel_token", "root-password", "whmApiKey". */
const SECRET_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'accesshash',
  'apikey',
  'privatekey',
  'otpauth',
  'cookie',
  'cpsess',
];
/** Endings that make a name a secret: "ssh_key", "root_pass", "admin_pwd", "access_hash". */
const SECRET_ENDINGS = ['key', 'hash', 'pass', 'pwd', 'otp'];

/** Whether a column or key name says it holds a secret (a password, token, access hash, key, TOTP secret, 2FA code…). */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_\s.]/g, '');
  return SECRET_NAMES.has(n) || SECRET_PARTS.some((p) => n.includes(p)) || SECRET_ENDINGS.some((e) => n.endsWith(e));
}

/** The sentence that refuses a file with a secret in it, naming the column or key. */
export function secretRefusal(where: string, what: string): string {
  return (
    `${where} has ${what}, which would hold a secret: secrets never go in the servers file, so nothing was read from it. ` +
    'Remove it, and set each server’s credentials with Set Credentials… (cpapi reads them from environment variables).'
  );
}

/** The first key (as a path such as "tls.privateKey") in an item, or its nested objects, that names a secret. */
function secretKeyIn(value: unknown, depth = 0): string | undefined {
  if (depth > 4 || value === null || typeof value !== 'object') return undefined;
  const list = Array.isArray(value);
  // The path is put together only for the key found: a 50,000-server file has none.
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    if (!list && secretNameCached(k)) return k;
    const inner = secretKeyIn((value as Record<string, unknown>)[k], depth + 1);
    if (inner) return list ? inner : `${k}.${inner}`;
  }
  return undefined;
}

/** isSecretName, remembered for the names a file repeats on every item (a bounded memo: names come from the file). */
const secretNames = new Map<string, boolean>();
function secretNameCached(name: string): boolean {
  let v = secretNames.get(name);
  if (v === undefined) {
    v = isSecretName(name);
    if (secretNames.size < 1000) secretNames.set(name, v);
  }
  return v;
}

export interface ParsedServers {
  profiles: ServerProfile[];
  /** One sentence per server that could not be read, naming it. */
  problems: string[];
}

/** How a server of a file is named in a sentence: its label, or its place in the file. */
function nameOf(item: unknown, i: number): string {
  const o = (item ?? {}) as Record<string, unknown>;
  return typeof o.label === 'string' && o.label ? `"${visible(o.label)}"` : `${i + 1}`;
}

/** Servers from the items of a file (JSON's objects), refused whole if any key in them names a secret. */
export function fromItems(items: readonly unknown[], where: string): ParsedServers {
  for (const [i, item] of items.entries()) {
    const secret = secretKeyIn(item);
    if (secret) return { profiles: [], problems: [secretRefusal(where, `a "${secret}" (server ${nameOf(item, i)})`)] };
  }
  return readItems(items, where);
}

/**
 * Servers from items whose keys are known to name no secret (fromItems looks; CSV checks its header and
 * builds items of the known columns only): each read by readProfile, every problem named, labels unique.
 */
export function readItems(items: readonly unknown[], where: string): ParsedServers {
  const profiles: ServerProfile[] = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    // The file's id, if any, is left out: the server is named by its label (or host), never by an id it brings.
    let rest = o;
    if (Object.hasOwn(o, 'id')) {
      const { id, ...others } = o;
      void id;
      rest = others;
    }
    const named = (x: Record<string, unknown>): string =>
      (typeof x.label === 'string' && x.label) || (typeof x.host === 'string' && x.host) || `server ${i + 1}`;
    const { profile, problems: p } = readProfile(typeof item === 'object' && item !== null ? rest : item, i, named);
    if (p.length) problems.push(`Server ${nameOf(item, i)} in ${where}: ${p.join(' ')}`);
    else profiles.push(profile);
  });
  const seen = new Set<string>();
  for (const p of profiles) {
    if (seen.has(p.label)) problems.push(`Two servers in ${where} are labelled "${p.label}": labels name servers, so each needs its own.`);
    seen.add(p.label);
  }
  return { profiles, problems };
}

export function parseServersJson(text: string, where: string): ParsedServers {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { profiles: [], problems: [`${where} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`] };
  }
  const list = Array.isArray(raw) ? raw : (raw as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(list)) return { profiles: [], problems: [`${where} must hold a list of servers, or {"servers": [...]}.`] };
  if (!Array.isArray(raw)) {
    const top = Object.keys(raw as object).find(isSecretName);
    if (top) return { profiles: [], problems: [secretRefusal(where, `a "${top}"`)] };
  }
  return fromItems(list, where);
}

/** The servers as a file: without ids (they are this machine's keys to stored credentials, and an import ignores them). */
export function serversToJson(profiles: readonly ServerProfile[]): string {
  return `${JSON.stringify({ servers: profiles.map(withoutId) }, null, 2)}\n`;
}

function withoutId(p: ServerProfile): Omit<ServerProfile, 'id'> {
  const { id, ...rest } = p;
  void id;
  return rest;
}

/** All groups of these servers, sorted, with their servers. */
export function groupsOf(profiles: readonly ServerProfile[]): Map<string, ServerProfile[]> {
  const out = new Map<string, ServerProfile[]>();
  for (const p of profiles) {
    for (const g of p.groups ?? []) {
      const members = out.get(g);
      if (members) members.push(p);
      else out.set(g, [p]);
    }
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
