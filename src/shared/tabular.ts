/**
 * The lists in an answer, as tables: where they are (WHM `data.acct`, UAPI `data`, API 2's `data`,
 * nested arrays), their columns, a cell as text, and CSV. Pure: the result webview draws with it and
 * the host exports with it.
 */

export type Path = (string | number)[];

export interface TableCandidate {
  path: Path;
  /** "data", "data.acct", "data.pkg[0].features". */
  label: string;
  rows: number;
}

const MAX_DEPTH = 4;
/** Arrays looked at for columns and candidates beyond the first: enough for the shape, cheap for 100,000 rows. */
const SAMPLE = 200;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function labelOf(path: Path): string {
  let out = 'data';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

export function at(data: unknown, path: Path): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/**
 * Every array in the answer that reads as a table, shallowest first (the answer's own list first);
 * an answer without one offers its fields as a two-column table.
 */
export function findTables(data: unknown): TableCandidate[] {
  const out: TableCandidate[] = [];
  const queue: { v: unknown; path: Path }[] = [{ v: data, path: [] }];
  while (queue.length) {
    const { v, path } = queue.shift()!;
    if (path.length > MAX_DEPTH) continue;
    if (Array.isArray(v)) {
      if (v.length) out.push({ path, label: labelOf(path), rows: v.length });
      // Lists inside the rows of a list: the first row's, as a person drills into one.
      const first = v.find(isRecord);
      if (first)
        for (const [k, x] of Object.entries(first))
          if (typeof x === 'object' && x !== null) queue.push({ v: x, path: [...path, v.indexOf(first), k] });
    } else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) if (typeof x === 'object' && x !== null) queue.push({ v: x, path: [...path, k] });
    }
  }
  return out;
}

/** The table to show first: the answer's main list (the shallowest; the longest among equals). */
export function mainTable(cands: readonly TableCandidate[]): number {
  let best = -1;
  cands.forEach((c, i) => {
    const b = cands[best];
    if (!b || c.path.length < b.path.length || (c.path.length === b.path.length && c.rows > b.rows)) best = i;
  });
  return best;
}

export const VALUE_COLUMN = 'value';

/** A table's rows as records: a list of scalars becomes one "value" column. */
export function rowsOf(list: readonly unknown[]): Record<string, unknown>[] {
  return list.map((r) => (isRecord(r) ? r : { [VALUE_COLUMN]: r }));
}

/** Columns that name a row, shown first when an answer has them: what a person looks for in an account, mailbox or record list. */
const NAMING = ['server', 'account', 'user', 'email', 'domain', 'name', 'login', 'db', 'id'];

/**
 * The columns: naming ones first (user, email, domain…), the rest in the order their names first
 * appear in the rows (all rows for lists up to SAMPLE × 50, then a sample).
 */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  const step = rows.length > SAMPLE * 50 ? Math.ceil(rows.length / (SAMPLE * 50)) : 1;
  for (let i = 0; i < rows.length; i += step) for (const k of Object.keys(rows[i]!)) seen.add(k);
  const first = NAMING.filter((k) => seen.has(k));
  return [...first, ...[...seen].filter((k) => !first.includes(k))];
}

/** A cell as one line of text: scalars as they are, objects and arrays as compact JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Whether every non-empty value in a column is a number (or a numeric string): such columns sort as numbers. */
export function isNumericColumn(rows: readonly Record<string, unknown>[], column: string): boolean {
  let any = false;
  const step = rows.length > SAMPLE * 10 ? Math.ceil(rows.length / (SAMPLE * 10)) : 1;
  for (let i = 0; i < rows.length; i += step) {
    const v = rows[i]![column];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) any = true;
    else return false;
  }
  return any;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A value a
 * spreadsheet would run as a formula (=, +, -, @, tab or CR first, from a server) gets a leading
 * apostrophe; plain negative numbers stay numbers.
 */
export function csvField(s: string): string {
  let v = s;
  if (/^[=+\-@\t\r]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV of the given rows and columns, CRLF line ends as RFC 4180 has them. */
export function toCsv(columns: readonly string[], rows: Iterable<Record<string, unknown>>): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(cellText(r[c]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
