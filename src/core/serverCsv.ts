import { parse } from 'csv-parse/sync';
import { csvField } from '../shared/tabular';
import { fromItems, isSecretName, secretRefusal, type ParsedServers } from './serverFile';
import type { ServerProfile } from './servers';

/**
 * Servers as CSV, for Import/Export Servers: one server a line under a header naming the columns.
 * Parsing is csv-parse's (quoted fields, line breaks in quotes, a BOM, ragged lines refused): small,
 * maintained, typed, and the edge cases of CSV are not ours to get wrong. No secret columns: a file
 * with one is refused whole. No id column is written, and one that is read is ignored.
 */

/** The columns an export writes, in order. */
export const CSV_COLUMNS = [
  'label',
  'host',
  'service',
  'secure',
  'port',
  'username',
  'auth',
  'twoFactor',
  'groups',
  'tls',
  'fingerprint256',
  'caFile',
] as const;
/** Columns read and given a meaning; "id" (in files exported before ids were left out) is read and ignored. */
const KNOWN_COLUMNS: ReadonlySet<string> = new Set([...CSV_COLUMNS, 'id']);

/**
 * A cell as the export wrote it, back: csvField puts an apostrophe before a value a spreadsheet would
 * run as a formula (=, +, -, @, tab, CR first), and the export one before a value that starts with an
 * apostrophe, so exactly one leading apostrophe before those characters is the export's.
 */
function unneutralized(cell: string): string {
  // Most cells do not start with an apostrophe: only those are looked at further.
  return cell.charCodeAt(0) === 39 && /^'[=+\-@\t\r']/.test(cell) ? cell.slice(1) : cell;
}

/** A cell for the export: as csvField writes it, with a value that starts with an apostrophe given another, so the import can undo both. */
function exportField(value: string): string {
  return csvField(value.startsWith("'") ? `'${value}` : value);
}

/** CSV with a header line; groups separated by ";" or spaces; tls "pinned" with fingerprint256, "ca" with caFile, or "system". */
export function parseServersCsv(text: string, where: string): ParsedServers {
  let records: Record<string, string>[];
  let header: string[] = [];
  try {
    const columns = (h: string[]): string[] => (header = h.map((c) => c.trim()));
    records = parse(text, { columns, skip_empty_lines: true, trim: true, bom: true, relax_column_count: false }) as Record<
      string,
      string
    >[];
  } catch (e) {
    return { profiles: [], problems: [`${where} is not valid CSV (${e instanceof Error ? e.message : String(e)}).`] };
  }
  const secret = header.find(isSecretName);
  if (secret) return { profiles: [], problems: [secretRefusal(where, `a column "${secret}"`)] };
  const items = records.map((cells) => {
    const r: Record<string, string> = {};
    const o: Record<string, unknown> = {};
    for (const k of header) {
      if (!Object.hasOwn(cells, k)) continue;
      const v = unneutralized(cells[k]!);
      r[k] = v;
      if (v !== '' && !KNOWN_COLUMNS.has(k)) o[k] = v;
    }
    const set = (k: string, v: unknown): void => void (v !== undefined && v !== '' ? (o[k] = v) : undefined);
    set('label', r.label);
    set('host', r.host);
    set('service', r.service);
    set('username', r.username);
    set('auth', r.auth);
    set('twoFactor', r.twoFactor);
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
    };
    lines.push(CSV_COLUMNS.map((c) => exportField(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
