import { readFileSync } from 'node:fs';
import { parseServersJson } from '../core/serverFile';
import type { ServerProfile } from '../core/servers';
import { UsageError } from './usage';

/** The servers file: a list of profiles (or {"servers": [...]}), named by label, with no secrets in it. */
export function readServersFile(file: string): ServerProfile[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`The servers file "${file}" cannot be read (${e instanceof Error ? e.message : String(e)}).`);
  }
  const { profiles, problems } = parseServersJson(text, `the servers file "${file}"`);
  if (problems.length) throw new UsageError(problems[0]!);
  return profiles;
}

/** The servers of the servers file that --group and --label choose (all of them without either). */
export function chooseServers(
  profiles: readonly ServerProfile[],
  groups: readonly string[],
  labels: readonly string[],
  file: string,
): ServerProfile[] {
  for (const l of labels)
    if (!profiles.some((p) => p.label === l)) throw new UsageError(`--label ${l}: no server in ${file} is labelled "${l}".`);
  const known = new Set(profiles.flatMap((p) => p.groups ?? []));
  for (const g of groups)
    if (!known.has(g))
      throw new UsageError(
        `--group ${g}: no server in ${file} is in that group${known.size ? ` (groups: ${[...known].sort().join(', ')})` : ''}.`,
      );
  if (!groups.length && !labels.length) return [...profiles];
  return profiles.filter((p) => labels.includes(p.label) || (p.groups ?? []).some((g) => groups.includes(g)));
}
