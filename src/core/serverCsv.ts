import { parse } from 'csv-parse/sync';
import { csvField } from '../shared/tabular';
import { isSecretName, readItems, secretRefusal, type ParsedServers } from './serverFile';
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

/** The columns read, each with the index of its cell in a record (the last of two columns of one name, as csv-parse's `columns` has it). */
type ColumnIndex = Partial<Record<(typeof CSV_COLUMNS)[number], number>>;
/** Columns whose text is the field of the same name, when not empty. */
const TEXT_COLUMNS = ['label', 'host', 'service', 'username', 'auth', 'twoFactor'] as const;

/** The cell of column `c` in a record, as the export wrote it back ('' when the file has no such column). */
function cellOf(cells: readonly string[], at: ColumnIndex, c: keyof ColumnIndex): string {
  const i = at[c];
  return i === undefined ? '' : unneutralized(cells[i]!);
}

/** CSV with a header line; groups separated by ";" or spaces; tls "pinned" with fingerprint256, "ca" with caFile, or "system". */
export function parseServersCsv(text: string, where: string): ParsedServers {
  let records: string[][];
  try {
    // Records as arrays, read by the header's indexes: csv-parse's `columns` would build an object per line
    // (for 50,000 servers, as long as the parse itself) only for each cell to be looked up in it once.
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: false }) as string[][];
  } catch (e) {
    return { profiles: [], problems: [`${where} is not valid CSV (${e instanceof Error ? e.message : String(e)}).`] };
  }
  const header = (records[0] ?? []).map((c) => c.trim());
  // Every column is checked here, known or not: the items below hold only the known ones, so fromItems has
  // no other key to look at (readItems, not fromItems).
  const secret = header.find(isSecretName);
  if (secret) return { profiles: [], problems: [secretRefusal(where, `a column "${secret}"`)] };
  const at: ColumnIndex = {};
  header.forEach((name, i) => {
    // "id" (in files exported before ids were left out) is read and ignored, like every column not listed.
    if ((CSV_COLUMNS as readonly string[]).includes(name)) at[name as keyof ColumnIndex] = i;
  });
  const items: Record<string, unknown>[] = new Array(Math.max(records.length - 1, 0));
  for (let n = 1; n < records.length; n++) {
    const cells = records[n]!;
    const cell = (c: keyof ColumnIndex): string => cellOf(cells, at, c);
    const o: Record<string, unknown> = {};
    for (const k of TEXT_COLUMNS) {
      const v = cell(k);
      if (v !== '') o[k] = v;
    }
    const secure = cell('secure');
    if (secure) o.secure = !/^(false|0|no|http)$/i.test(secure);
    const port = cell('port');
    if (port) o.port = /^\d+$/.test(port) ? Number(port) : port;
    const groups = cell('groups');
    if (groups) o.groups = groups.split(/[;\s]+/).filter(Boolean);
    const tls = cell('tls').toLowerCase();
    const fingerprint256 = cell('fingerprint256');
    if (tls === 'pinned' || (!tls && fingerprint256)) o.tls = { mode: 'pinned', fingerprint256 };
    else if (tls === 'ca') o.tls = { mode: 'ca', caFile: cell('caFile') };
    else if (tls) o.tls = { mode: tls };
    items[n - 1] = o;
  }
  return readItems(items, where);
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
