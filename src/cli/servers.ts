import { readFileSync } from 'node:fs';
import { readProfile, type ServerProfile } from '../core/servers';
import { UsageError } from './usage';

/** The servers file: a list of profiles (or {"servers": [...]}), named by label, with no secrets in it. */
export function readServersFile(file: string): ServerProfile[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`The servers file "${file}" cannot be read as JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { servers?: unknown })?.servers;
  if (!Array.isArray(list)) throw new UsageError(`The servers file "${file}" must hold a list of servers, or {"servers": [...]}.`);
  return list.map((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    for (const k of ['password', 'token', 'accessHash', 'accesshash', 'totpSecret', 'secret']) {
      if (k in o) throw new UsageError(`Server ${i + 1} in "${file}" has a "${k}": secrets never go in the servers file; use environment variables.`);
    }
    const { profile, problems } = readProfile(item, i, (x) => (typeof x.label === 'string' ? x.label : undefined));
    if (problems.length) throw new UsageError(`Server "${profile.label}" in "${file}": ${problems.join(' ')}`);
    return profile;
  });
}

/** The servers of the servers file that --group and --label choose (all of them without either). */
export function chooseServers(profiles: readonly ServerProfile[], groups: readonly string[], labels: readonly string[], file: string): ServerProfile[] {
  for (const l of labels) if (!profiles.some((p) => p.label === l)) throw new UsageError(`--label ${l}: no server in ${file} is labelled "${l}".`);
  const known = new Set(profiles.flatMap((p) => p.groups ?? []));
  for (const g of groups) if (!known.has(g)) throw new UsageError(`--group ${g}: no server in ${file} is in that group${known.size ? ` (groups: ${[...known].sort().join(', ')})` : ''}.`);
  if (!groups.length && !labels.length) return [...profiles];
  return profiles.filter((p) => labels.includes(p.label) || (p.groups ?? []).some((g) => groups.includes(g)));
}
