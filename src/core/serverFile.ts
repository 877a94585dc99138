import { readProfile, type ServerProfile } from './servers';

/**
 * Lists of servers as files, for Import/Export Servers and `cpapi --servers`: JSON (a list of
 * profiles, or {"servers": [...]}); CSV is in serverCsv.ts (the extension's only).
 * Secrets never go in either: a file that holds one is refused, saying which.
 */

const SECRET_KEYS = ['password', 'token', 'accesshash', 'totpsecret', 'secret', 'apitoken', 'hash'];

export interface ParsedServers {
  profiles: ServerProfile[];
  /** One sentence per server that could not be read, naming it. */
  problems: string[];
}

export function fromItems(items: readonly unknown[], where: string): ParsedServers {
  const profiles: ServerProfile[] = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const secret = Object.keys(o).find((k) => SECRET_KEYS.includes(k.toLowerCase().replace(/[^a-z]/g, '')));
    const name = typeof o.label === 'string' && o.label ? `"${o.label}"` : `${i + 1}`;
    if (secret) {
      problems.push(`Server ${name} in ${where} has a "${secret}": secrets never go in the servers file (set them with Set Credentials…, or environment variables for cpapi).`);
      return;
    }
    const { profile, problems: p } = readProfile(item, i, (x) => (typeof x.label === 'string' ? x.label : undefined));
    if (p.length) problems.push(`Server ${name} in ${where}: ${p.join(' ')}`);
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
  return fromItems(list, where);
}

export function serversToJson(profiles: readonly ServerProfile[]): string {
  return `${JSON.stringify({ servers: profiles }, null, 2)}\n`;
}

/** All groups of these servers, sorted, with their servers. */
export function groupsOf(profiles: readonly ServerProfile[]): Map<string, ServerProfile[]> {
  const out = new Map<string, ServerProfile[]>();
  for (const p of profiles) for (const g of p.groups ?? []) out.set(g, [...(out.get(g) ?? []), p]);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
