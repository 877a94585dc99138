import { parse } from 'csv-parse/sync';

/**
 * The rows of a data file for a data run (`cpapi run SNIPPET --data FILE`, Run Snippet for Each Row):
 * CSV with a header line, a JSON array of objects, or JSON Lines (one object a line). Every value is
 * text, as a snippet's parameters are. The file is data from wherever it came from: nothing in it is
 * evaluated, and its values are never read for placeholders (see resolvePlaceholders).
 */

export interface DataTable {
  /** The columns in the order the file gives them (for JSON, first seen first). */
  columns: string[];
  /** One record per row; a column a row lacks is the empty string. */
  rows: Record<string, string>[];
  format: 'csv' | 'json' | 'jsonl';
}

/** A file cannot be read as rows: the message says where and what to change. */
export class DataFileError extends Error {}

/** More rows than this is an error: a run of 100,000 calls is a script's job, not a file's. */
export const MAX_ROWS = 100_000;

/** Reads the text of a data file; `name` (its path as shown) decides the format by its extension, else its first character. */
export function parseDataTable(input: string, name: string): DataTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase();
  const first = text.trimStart()[0];
  const format: DataTable['format'] =
    ext === 'csv' || ext === 'tsv'
      ? 'csv'
      : ext === 'jsonl' || ext === 'ndjson'
        ? 'jsonl'
        : ext === 'json'
          ? first === '['
            ? 'json'
            : 'jsonl'
          : first === '['
            ? 'json'
            : first === '{'
              ? 'jsonl'
              : 'csv';
  const table =
    format === 'csv'
      ? fromCsv(text, name, ext === 'tsv')
      : fromObjects(format === 'json' ? jsonArray(text, name) : jsonLines(text, name), name, format);
  if (!table.rows.length)
    throw new DataFileError(
      `${name} has no rows: ${format === 'csv' ? 'give a header line and at least one line of values' : 'give at least one object'}.`,
    );
  if (table.rows.length > MAX_ROWS)
    throw new DataFileError(`${name} has ${table.rows.length} rows; a data run takes at most ${MAX_ROWS}. Split the file.`);
  return table;
}

function fromCsv(text: string, name: string, tabs: boolean): DataTable {
  let header: string[] = [];
  let records: Record<string, string>[];
  try {
    const columns = (h: string[]): string[] => (header = h.map((c) => c.trim()));
    records = parse(text, {
      columns,
      skip_empty_lines: true,
      bom: true,
      relax_column_count: false,
      delimiter: tabs ? '\t' : ',',
    }) as Record<string, string>[];
  } catch (e) {
    // csv-parse names the line; its message never holds more than a field's position.
    throw new DataFileError(`${name} is not valid CSV (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}).`);
  }
  checkColumns(header, name);
  return { columns: header, rows: records.map((r) => Object.fromEntries(header.map((c) => [c, r[c] ?? '']))), format: 'csv' };
}

function checkColumns(columns: string[], name: string): void {
  const empty = columns.findIndex((c) => c === '');
  if (empty >= 0) throw new DataFileError(`${name}: column ${empty + 1} of the header has no name.`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new DataFileError(`${name}: the column "${c}" appears twice in the header.`);
    seen.add(c);
  }
}

function jsonArray(text: string, name: string): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataFileError(`${name} is not valid JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}).`);
  }
  if (!Array.isArray(v)) throw new DataFileError(`${name} must be a JSON array of objects, one per row, or JSON Lines.`);
  return v;
}

function jsonLines(text: string, name: string): unknown[] {
  const out: unknown[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new DataFileError(`${name}, line ${i + 1}: not a JSON object (JSON Lines has one object a line).`);
    }
  });
  return out;
}

function fromObjects(items: unknown[], name: string, format: 'json' | 'jsonl'): DataTable {
  const columns: string[] = [];
  const known = new Set<string>();
  const rows = items.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new DataFileError(`${name}: row ${i + 1} is not an object of column values.`);
    const row: Record<string, string> = {};
    for (const [k, v] of Object.entries(item)) {
      if (!known.has(k)) {
        known.add(k);
        columns.push(k);
      }
      row[k] = cell(v);
    }
    return row;
  });
  checkColumns(columns, name);
  for (const r of rows) for (const c of columns) r[c] ??= '';
  return { columns, rows, format };
}

/** A JSON value as a parameter's text: booleans as cPanel reads them (1/0), objects as JSON, null as empty. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/**
 * How a data file read again differs in shape from the first reading (its columns, its number of
 * rows), in words that name columns and counts, never a value; undefined when its rows can still be
 * matched by number.
 */
export function shapeChange(before: Pick<DataTable, 'columns' | 'rows'>, now: Pick<DataTable, 'columns' | 'rows'>): string | undefined {
  const names = (cs: string[]): string =>
    `${cs
      .slice(0, 5)
      .map((c) => `"${c}"`)
      .join(', ')}${cs.length > 5 ? ` and ${cs.length - 5} more` : ''}`;
  const gone = before.columns.filter((c) => !now.columns.includes(c));
  const added = now.columns.filter((c) => !before.columns.includes(c));
  const changes: string[] = [];
  if (gone.length) changes.push(`the column${gone.length === 1 ? '' : 's'} ${names(gone)} ${gone.length === 1 ? 'is' : 'are'} gone`);
  if (added.length) changes.push(`the column${added.length === 1 ? '' : 's'} ${names(added)} ${added.length === 1 ? 'is' : 'are'} new`);
  if (now.rows.length !== before.rows.length)
    changes.push(`it has ${now.rows.length} row${now.rows.length === 1 ? '' : 's'}, not ${before.rows.length}`);
  return changes.length ? changes.join('; ') : undefined;
}

/**
 * The table as a retry sends it: `rows` (numbers from 1) with their values in `now`, every other row as
 * first read; and how many of `rows` changed. Both tables have the same shape (shapeChange said so).
 */
export function withRowsFrom(before: DataTable, now: DataTable, rows: readonly number[]): { table: DataTable; changed: number } {
  const take = new Set(rows);
  let changed = 0;
  const merged = before.rows.map((r, i) => {
    if (!take.has(i + 1)) return r;
    const fresh = now.rows[i]!;
    if (before.columns.some((c) => r[c] !== fresh[c])) changed++;
    return fresh;
  });
  return { table: { ...before, rows: merged }, changed };
}
