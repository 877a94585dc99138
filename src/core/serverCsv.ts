import { parse } from 'csv-parse/sync';
import { csvField } from '../shared/tabular';
import { fromItems, type ParsedServers } from './serverFile';
import type { ServerProfile } from './servers';

/**
 * Servers as CSV, for Import/Export Servers: one server a line under a header naming the columns.
 * Parsing is csv-parse's (quoted fields, line breaks in quotes, a BOM, ragged lines refused): small,
 * maintained, typed, and the edge cases of CSV are not ours to get wrong. No secret columns.
 */

export const CSV_COLUMNS = ['label', 'host', 'service', 'secure', 'port', 'username', 'auth', 'twoFactor', 'groups', 'tls', 'fingerprint256', 'caFile', 'id'] as const;

/** CSV with a header line; groups separated by ";" or spaces; tls "pinned" with fingerprint256, "ca" with caFile, or "system". */
export function parseServersCsv(text: string, where: string): ParsedServers {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, trim: true, bom: true, relax_column_count: false }) as Record<string, string>[];
  } catch (e) {
    return { profiles: [], problems: [`${where} is not valid CSV (${e instanceof Error ? e.message : String(e)}).`] };
  }
  const items = records.map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (v !== '' && !(CSV_COLUMNS as readonly string[]).includes(k)) o[k] = v;
    const set = (k: string, v: unknown): void => void (v !== undefined && v !== '' ? (o[k] = v) : undefined);
    set('label', r.label);
    set('host', r.host);
    set('service', r.service);
    set('username', r.username);
    set('auth', r.auth);
    set('twoFactor', r.twoFactor);
    set('id', r.id);
    if (r.secure) o.secure = !/^(false|0|no|http)$/i.test(r.secure);
    if (r.port) o.port = /^\d+$/.test(r.port) ? Number(r.port) : r.port;
    if (r.groups) o.groups = r.groups.split(/[;\s]+/).filter(Boolean);
    const tls = (r.tls ?? '').toLowerCase();
    if (tls === 'pinned' || (!tls && r.fingerprint256)) o.tls = { mode: 'pinned', fingerprint256: r.fingerprint256 ?? '' };
    else if (tls === 'ca') o.tls = { mode: 'ca', caFile: r.caFile ?? '' };
    else if (tls) o.tls = { mode: tls };
    return o;
  });
  return fromItems(items, where);
}

export function serversToCsv(profiles: readonly ServerProfile[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const p of profiles) {
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      label: p.label,
      host: p.host,
      service: p.service,
      secure: String(p.secure),
      port: String(p.port),
      username: p.username,
      auth: p.auth,
      twoFactor: p.twoFactor,
      groups: (p.groups ?? []).join(';'),
      tls: p.tls.mode,
      fingerprint256: p.tls.mode === 'pinned' ? p.tls.fingerprint256 : '',
      caFile: p.tls.mode === 'ca' ? p.tls.caFile : '',
      id: p.id,
    };
    lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

