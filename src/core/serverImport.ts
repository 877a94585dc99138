import type { ServerProfile } from './servers';

/**
 * What Import Servers writes. A file never names which stored credentials a server uses: every
 * server it brings gets a fresh id (so no secret), and a server it replaces by label keeps its id,
 * and with it its credentials, only when they would still go where they went before: the same
 * host, port, service, connection, username and certificate trust.
 */
export interface ImportPlan {
  /** Each server to write: a new one, or one in place of the configured server whose id is `replaces`. */
  writes: { profile: ServerProfile; replaces?: string }[];
  /** Ids of replaced servers whose entry went to a new id: their stored credentials belong to nothing now. */
  retired: string[];
  /** One sentence per replaced server whose credentials were not carried over, saying why and what to do. */
  notes: string[];
  /** Servers of the file left out: one with their label is configured, and replacing was not asked for. */
  kept: number;
}

/** The fields that decide where a server's credentials go, as a summary names them. */
const WHERE_CREDENTIALS_GO: { changed: (a: ServerProfile, b: ServerProfile) => boolean; name: string }[] = [
  { changed: (a, b) => a.host.toLowerCase() !== b.host.toLowerCase(), name: 'host' },
  { changed: (a, b) => a.port !== b.port, name: 'port' },
  { changed: (a, b) => a.service !== b.service, name: 'service' },
  { changed: (a, b) => a.secure !== b.secure, name: 'connection (HTTPS or plain HTTP)' },
  { changed: (a, b) => a.username !== b.username, name: 'username' },
  // Over HTTPS a pin or CA file says which certificate is the server: another one could be someone else's.
  {
    changed: (a, b) => a.secure && b.secure && JSON.stringify(a.tls) !== JSON.stringify(b.tls),
    name: 'certificate trust (pin or CA file)',
  },
];

function joined(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The writes for `incoming` (as read from a file: ids ignored) over `existing`. Servers whose label
 * is configured are replaced only with `replace`; `newId` makes each fresh id (never one in use).
 */
export function planImport(
  existing: readonly ServerProfile[],
  incoming: readonly ServerProfile[],
  replace: boolean,
  newId: () => string,
): ImportPlan {
  const byLabel = new Map(existing.map((p) => [p.label, p] as const));
  const used = new Set(existing.map((p) => p.id));
  const fresh = (): string => {
    let id = newId();
    while (used.has(id)) id = newId();
    used.add(id);
    return id;
  };
  const plan: ImportPlan = { writes: [], retired: [], notes: [], kept: 0 };
  for (const p of incoming) {
    const same = byLabel.get(p.label);
    if (!same) {
      plan.writes.push({ profile: { ...p, id: fresh() } });
      continue;
    }
    if (!replace) {
      plan.kept++;
      continue;
    }
    const changed = WHERE_CREDENTIALS_GO.filter((f) => f.changed(same, p)).map((f) => f.name);
    if (!changed.length) {
      plan.writes.push({ profile: { ...p, id: same.id }, replaces: same.id });
      continue;
    }
    plan.writes.push({ profile: { ...p, id: fresh() }, replaces: same.id });
    plan.retired.push(same.id);
    plan.notes.push(
      `${p.label}: ${joined(changed)} changed, so its stored credentials were not carried over; set them with Set Credentials….`,
    );
  }
  return plan;
}
