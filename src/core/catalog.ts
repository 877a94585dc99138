import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Facts about one function, from the bundled catalog (cPanel & WHM v138). */
export interface CatalogParam {
  name: string;
  type: string;
  required: boolean;
  /** Documented values: often an enum, sometimes only special values. */
  values?: string[];
  description?: string;
  /** The documented default, as text. */
  default?: string;
  /** e.g. binary (a file), email, pem-certificate. */
  format?: string;
  /** A body field rather than a query or form parameter: a JSON body or a multipart upload. */
  in?: 'body';
  contentType?: 'application/json' | 'multipart/form-data';
  /** Where a fact added to the v138 catalog came from (openapi-11.125, a WHM reference page). */
  source?: string;
}

export interface CatalogFunction {
  family: 'uapi' | 'whm';
  /** UAPI module, e.g. "Email". */
  module?: string;
  function: string;
  /** "Email/list_pops" or "listaccts". */
  name: string;
  title: string;
  method: 'GET' | 'POST';
  params: CatalogParam[];
  docs: string;
  since?: string;
  /** Docs category slug: WHM groups functions by it. */
  category: string;
}

export const CATALOG_FILE = 'cpanel-api-catalog-v138.json';

interface RawEntry {
  module?: string;
  function: string;
  title?: string;
  method?: string;
  params?: {
    name: string;
    type?: string;
    required?: boolean;
    values?: string[];
    description?: string;
    default?: string;
    format?: string;
    in?: 'body';
    contentType?: CatalogParam['contentType'];
    source?: string;
  }[];
  docs?: string;
  since?: string;
  category?: string;
}

/** Finds resources/<file> above this module: the bundles live in dist/, compiled tests deeper in out/. */
function locate(file: string): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources', file);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`The function catalog (${file}) is missing from the installation.`);
}

/** The catalog, parsed on first use and indexed for lookups and search. */
export class Catalog {
  private constructor(readonly functions: readonly CatalogFunction[]) {
    for (const f of functions) this.byKey.set(`${f.family}:${f.name}`, f);
  }

  private readonly byKey = new Map<string, CatalogFunction>();
  private static loaded: Catalog | undefined;

  static load(path?: string): Catalog {
    if (!path && Catalog.loaded) return Catalog.loaded;
    const raw = JSON.parse(readFileSync(path ?? locate(CATALOG_FILE), 'utf8')) as { uapi: RawEntry[]; whm: RawEntry[] };
    const c = new Catalog([...raw.uapi.map((e) => toFunction('uapi', e)), ...raw.whm.map((e) => toFunction('whm', e))]);
    if (!path) Catalog.loaded = c;
    return c;
  }

  get(family: 'uapi' | 'whm', name: string): CatalogFunction | undefined {
    return this.byKey.get(`${family}:${name}`);
  }

  /** UAPI modules or WHM categories, sorted, with their function counts. */
  groups(family: 'uapi' | 'whm'): { name: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const f of this.functions) {
      if (f.family !== family) continue;
      const g = groupOf(f);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => a.name.localeCompare(b.name));
  }

  inGroup(family: 'uapi' | 'whm', group: string): CatalogFunction[] {
    return this.functions.filter((f) => f.family === family && groupOf(f) === group).sort((a, b) => a.function.localeCompare(b.function));
  }

  /**
   * Functions whose name or title hold every word of the query, best first: an exact name, then a
   * name that starts with the query, then names holding it, then titles.
   */
  search(query: string, opts: { family?: 'uapi' | 'whm'; limit?: number } = {}): CatalogFunction[] {
    const words = query
      .toLowerCase()
      .split(/[\s/]+/)
      .filter(Boolean);
    if (!words.length) return [];
    const q = query.trim().toLowerCase();
    const scored: { f: CatalogFunction; score: number }[] = [];
    for (const f of this.functions) {
      if (opts.family && f.family !== opts.family) continue;
      const name = f.name.toLowerCase();
      const hay = `${name} ${f.title.toLowerCase()} ${f.category}`;
      if (!words.every((w) => hay.includes(w))) continue;
      const fn = f.function.toLowerCase();
      const score = name === q || fn === q ? 0 : fn.startsWith(q) || name.startsWith(q) ? 1 : words.every((w) => name.includes(w)) ? 2 : 3;
      scored.push({ f, score });
    }
    scored.sort((a, b) => a.score - b.score || a.f.name.localeCompare(b.f.name));
    return scored.slice(0, opts.limit ?? 50).map((s) => s.f);
  }
}

/**
 * The release a version string names: "11.138.0.10", "11.138" and "138" are 138 (cPanel & WHM
 * dropped the leading 11 from its version names); undefined when it is not a version.
 */
export function releaseOf(version: string | undefined): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version?.trim() ?? '');
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 11 && m[2] !== undefined ? Number(m[2]) : first;
}

/** Whether a function came after the server's version (so the server does not have it). */
export function newerThanServer(f: Pick<CatalogFunction, 'since'>, serverVersion: string | undefined): boolean {
  const since = releaseOf(f.since);
  const server = releaseOf(serverVersion);
  return since !== undefined && server !== undefined && since > server;
}

/** UAPI functions group by module; WHM's by their documentation category. */
export function groupOf(f: CatalogFunction): string {
  return f.family === 'uapi' ? (f.module ?? '') : f.category;
}

/** Words of cPanel's category slugs written as cPanel writes them. */
const WORDS: Record<string, string> = {
  api: 'API',
  dns: 'DNS',
  ssl: 'SSL',
  ssh: 'SSH',
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  mysql: 'MySQL',
  postgresql: 'PostgreSQL',
  php: 'PHP',
  fpm: 'FPM',
  cpanel: 'cPanel',
  whm: 'WHM',
  easyapache: 'EasyApache',
  nginx: 'NGINX',
  url: 'URL',
  inproductsurvey: 'In-Product Survey',
  boxtrapper: 'BoxTrapper',
  and: 'and',
  or: 'or',
  of: 'of',
};

/**
 * A WHM category as a person reads it: "account-management" → "Account Management",
 * "spam-protection-(greylisting)" → "Spam Protection (Greylisting)", "dns-zones" → "DNS Zones". UAPI
 * groups are module names, already as cPanel writes them.
 */
export function groupTitle(family: 'uapi' | 'whm', group: string): string {
  if (family === 'uapi') return group;
  const words = group.split('-').map((w, i) => {
    const paren = w.startsWith('(') && w.endsWith(')');
    const bare = paren ? w.slice(1, -1) : w;
    const known = WORDS[bare];
    const t = known !== undefined && !(i === 0 && /^(and|or|of)$/.test(bare)) ? known : bare.charAt(0).toUpperCase() + bare.slice(1);
    return paren ? `(${t})` : t;
  });
  // PHP-FPM keeps its hyphen.
  return words.join(' ').replace(/\bPHP FPM\b/, 'PHP-FPM');
}

function toFunction(family: 'uapi' | 'whm', e: RawEntry): CatalogFunction {
  const params = (e.params ?? []).map((p) => ({
    name: p.name,
    type: p.type ?? 'string',
    required: p.required === true,
    ...(p.values?.length ? { values: p.values } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.format ? { format: p.format } : {}),
    ...(p.in === 'body' ? { in: 'body' as const, ...(p.contentType ? { contentType: p.contentType } : {}) } : {}),
    ...(p.source ? { source: p.source } : {}),
  }));
  // Required parameters first, each group in the catalog's order.
  params.sort((a, b) => Number(b.required) - Number(a.required));
  return {
    family,
    module: e.module,
    function: e.function,
    name: family === 'uapi' ? `${e.module}/${e.function}` : e.function,
    title: e.title ?? e.function,
    method: e.method === 'POST' ? 'POST' : 'GET',
    params,
    docs: e.docs ?? '',
    since: e.since,
    category: e.category || (family === 'whm' ? 'other' : ''),
  };
}
