/**
 * Output shaping (sort, filter, paginate, columns) as cPanel documents it for each family, and the
 * paging an answer reports. Sources, api.docs.cpanel.net: cpanel/sorting, cpanel/filters,
 * cpanel/paginate (UAPI); whm/sort-output, whm/filter-output, whm/paginate-output, whm/output-columns
 * (WHM API 1); cpanel-api-2/cpanel-api-2-filter-and-sort-output, -paginatoutput, -outpucolumns (API 2).
 * Each feature is off until its enabling parameter is sent (api.sort=1, api.sort.enable=1, …), and a
 * numeric sort needs its method "or the function will fail". Several UAPI filters are numbered
 * (api.filter_column_0, _1, …), several WHM filters lettered (api.filter.a.*, api.filter.b.*).
 * No vscode and no DOM here: the webview, the host, the core and the sandbox all read it.
 */

export type ShapingFamily = 'uapi' | 'whm' | 'api2';

export const SORT_METHODS = ['lexicographic', 'numeric', 'numeric_zero_as_max', 'ipv4'] as const;
export type SortMethod = (typeof SORT_METHODS)[number];

/** UAPI's match types (api.filter_type). */
const CPANEL_FILTER_TYPES = [
  'contains',
  'begins',
  'ends',
  'matches',
  'eq',
  'ne',
  'lt',
  'lt_handle_unlimited',
  'gt',
  'gt_handle_unlimited',
  'defined',
  'undefined',
] as const;

/** The match types each family documents (WHM spells equality "==" for numbers and "eq" for strings). */
export const FILTER_TYPES: { readonly [F in ShapingFamily]: readonly string[] } = {
  uapi: CPANEL_FILTER_TYPES,
  // cPanel API 2 documents the same match types as UAPI.
  api2: CPANEL_FILTER_TYPES,
  whm: ['contains', 'begins', 'eq', '==', 'lt', 'lt_equal', 'lt_handle_unlimited', 'gt', 'gt_equal', 'gt_handle_unlimited'],
};

/** Match types that compare numbers: their term must be a number. */
const NUMERIC_TYPES = new Set(['==', 'lt', 'lt_equal', 'lt_handle_unlimited', 'gt', 'gt_equal', 'gt_handle_unlimited']);
/** Match types without a term. */
const NO_TERM = new Set(['defined', 'undefined']);

export interface ShapingFilter {
  field: string;
  type: string;
  value: string;
}

/** Output shaping as the builder holds it. Empty strings mean "not set". */
export interface Shaping {
  sortField: string;
  /** Empty: the family's default (lexicographic). */
  sortMethod: string;
  sortReverse: boolean;
  filters: ShapingFilter[];
  pageSize: string;
  /** The first record, counted from 1. */
  pageStart: string;
  /** Comma-separated return names (WHM API 1 and cPanel API 2 only). */
  columns: string;
}

export const MAX_FILTERS = 10;

export function emptyShaping(): Shaping {
  return { sortField: '', sortMethod: '', sortReverse: false, filters: [], pageSize: '', pageStart: '', columns: '' };
}

export interface NamedParam {
  name: string;
  value: string;
}

/** Which families take which features. */
export const SHAPING_FEATURES: { readonly [F in ShapingFamily]: { columns: boolean; maxFilters: number } } = {
  uapi: { columns: false, maxFilters: MAX_FILTERS },
  whm: { columns: true, maxFilters: MAX_FILTERS },
  // cPanel API 2 documents one filter.
  api2: { columns: true, maxFilters: 1 },
};

const letter = (i: number): string => String.fromCharCode(97 + i);
const activeFilters = (s: Shaping): ShapingFilter[] => s.filters.filter((f) => f.field.trim());
const columnsOf = (s: Shaping): string[] =>
  s.columns
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);

/** The family's api.* parameters for a shaping, in the documented forms. */
export function shapingParams(family: ShapingFamily, s: Shaping): NamedParam[] {
  const out: NamedParam[] = [];
  const add = (name: string, value: string): void => void out.push({ name, value });
  const filters = activeFilters(s);
  const cols = columnsOf(s);
  if (family === 'whm') {
    if (s.sortField) {
      add('api.sort.enable', '1');
      add('api.sort.a.field', s.sortField);
      if (s.sortMethod) add('api.sort.a.method', s.sortMethod);
      if (s.sortReverse) add('api.sort.a.reverse', '1');
    }
    if (filters.length) {
      add('api.filter.enable', '1');
      filters.slice(0, 26).forEach((f, i) => {
        add(`api.filter.${letter(i)}.field`, f.field.trim());
        add(`api.filter.${letter(i)}.type`, f.type || 'contains');
        add(`api.filter.${letter(i)}.arg0`, f.value);
      });
    }
    if (s.pageSize) {
      add('api.chunk.enable', '1');
      add('api.chunk.size', s.pageSize);
      add('api.chunk.start', s.pageStart || '1');
    }
    if (cols.length) {
      add('api.columns.enable', '1');
      cols.slice(0, 26).forEach((c, i) => add(`api.columns.${letter(i)}`, c));
    }
    return out;
  }
  const p = family === 'uapi' ? 'api.' : 'api2_';
  if (s.sortField) {
    add(`${p}sort`, '1');
    add(`${p}sort_column`, s.sortField);
    if (s.sortMethod) add(`${p}sort_method`, s.sortMethod);
    if (s.sortReverse) add(`${p}sort_reverse`, '1');
  }
  if (filters.length) {
    add(`${p}filter`, '1');
    const numbered = filters.length > 1;
    filters.forEach((f, i) => {
      const n = numbered ? `_${i}` : '';
      const type = f.type || 'contains';
      add(`${p}filter_column${n}`, f.field.trim());
      add(`${p}filter_type${n}`, type);
      if (!NO_TERM.has(type)) add(`${p}filter_term${n}`, f.value);
    });
  }
  if (s.pageSize) {
    add(`${p}paginate`, '1');
    add(`${p}paginate_size`, s.pageSize);
    add(`${p}paginate_start`, s.pageStart || '1');
  }
  if (family === 'api2' && cols.length) {
    add('api2_columns', '1');
    cols.slice(0, 26).forEach((c, i) => add(`api2_columns_${letter(i)}`, c));
  }
  return out;
}

/** What is wrong with a shaping for this family, one sentence each; empty when it can be sent. */
export function shapingProblems(family: ShapingFamily, s: Shaping): string[] {
  const out: string[] = [];
  const feats = SHAPING_FEATURES[family];
  if (s.sortMethod && !(SORT_METHODS as readonly string[]).includes(s.sortMethod))
    out.push(`"${s.sortMethod}" is not a sort method: use ${SORT_METHODS.join(', ')}.`);
  if (s.sortMethod && !s.sortField) out.push('A sort method needs a field to sort by.');
  const filters = activeFilters(s);
  if (filters.length > feats.maxFilters)
    out.push(feats.maxFilters === 1 ? 'cPanel API 2 takes one filter.' : `At most ${feats.maxFilters} filters.`);
  for (const f of filters) {
    const type = f.type || 'contains';
    if (!FILTER_TYPES[family].includes(type))
      out.push(`"${type}" is not a filter type of this API: use ${FILTER_TYPES[family].join(', ')}.`);
    else if (NUMERIC_TYPES.has(type) && !/^-?\d+(\.\d+)?$/.test(f.value.trim()))
      out.push(`The filter on ${f.field} compares numbers (${type}): give it a number.`);
  }
  if (s.pageSize && !/^[1-9]\d{0,5}$/.test(s.pageSize)) out.push('The page size is a whole number from 1.');
  if (s.pageStart && !/^[1-9]\d{0,8}$/.test(s.pageStart)) out.push('"Start at" counts records from 1.');
  if (s.pageStart && !s.pageSize) out.push('"Start at" needs a page size.');
  if (columnsOf(s).length && !feats.columns) out.push('UAPI has no column selection: choose columns in the result table instead.');
  return out;
}

/** Reads shaping from untrusted input (webview state, older saved forms with one filter), or undefined. */
export function parseShaping(v: unknown): Shaping | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const s = emptyShaping();
  const str = (x: unknown, max = 4096): x is string => typeof x === 'string' && x.length <= max;
  for (const k of ['sortField', 'sortMethod', 'pageSize', 'pageStart', 'columns'] as const) {
    const x = o[k] ?? '';
    if (!str(x)) return undefined;
    s[k] = x;
  }
  if (typeof (o.sortReverse ?? false) !== 'boolean') return undefined;
  s.sortReverse = (o.sortReverse as boolean | undefined) ?? false;
  if (o.filters !== undefined) {
    if (!Array.isArray(o.filters) || o.filters.length > MAX_FILTERS) return undefined;
    for (const f of o.filters) {
      if (typeof f !== 'object' || f === null) return undefined;
      const { field = '', type = 'contains', value = '' } = f as Record<string, unknown>;
      if (!str(field, 256) || !str(type, 40) || !str(value)) return undefined;
      s.filters.push({ field, type, value });
    }
  } else if (str(o.filterField) && o.filterField) {
    // A form saved before several filters were possible.
    s.filters.push({
      field: o.filterField,
      type: str(o.filterType) && o.filterType ? o.filterType : 'contains',
      value: str(o.filterValue) ? o.filterValue : '',
    });
  }
  if (s.sortMethod && !(SORT_METHODS as readonly string[]).includes(s.sortMethod)) return undefined;
  if (s.filters.some((f) => !/^[A-Za-z0-9_.*-]*$/.test(f.field) || !/^[a-z_=]{2,24}$/.test(f.type))) return undefined;
  if ((s.pageSize && !/^\d{1,6}$/.test(s.pageSize)) || (s.pageStart && !/^\d{1,9}$/.test(s.pageStart))) return undefined;
  return s;
}

// ── paging ──────────────────────────────────────────────────────────────────

/** Where an answer sits among the pages of its list. */
export interface PageInfo {
  /** First record of this page, from 1. */
  start: number;
  size: number;
  /** Records on this page. */
  shown: number;
  /** All records, when the answer says. */
  total?: number;
  page: number;
  /** Pages in all, when the total is known. */
  pages?: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

type Params = readonly (readonly [string, unknown])[];

const PAGE_KEYS: { readonly [F in ShapingFamily]: { enable: string; size: string; start: string } } = {
  uapi: { enable: 'api.paginate', size: 'api.paginate_size', start: 'api.paginate_start' },
  api2: { enable: 'api2_paginate', size: 'api2_paginate_size', start: 'api2_paginate_start' },
  whm: { enable: 'api.chunk.enable', size: 'api.chunk.size', start: 'api.chunk.start' },
};

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

function lastValue(params: Params, name: string): string | undefined {
  let out: string | undefined;
  for (const [k, v] of params) if (k === name) out = String(v);
  return out;
}

/**
 * The page an answer is, from what was asked (size, start) and what the answer reports (UAPI and
 * API 2 `metadata.paginate`, WHM `metadata.chunk`); undefined when the call did not ask for pages.
 */
export function pageInfo(family: ShapingFamily, params: Params, metadata: Record<string, unknown>, shown: number): PageInfo | undefined {
  const keys = PAGE_KEYS[family];
  if (lastValue(params, keys.enable) !== '1') return undefined;
  const size = num(lastValue(params, keys.size));
  if (!size || size < 1) return undefined;
  const md = (family === 'whm' ? metadata.chunk : metadata.paginate) as Record<string, unknown> | undefined;
  let start = num(lastValue(params, keys.start)) ?? 1;
  let total: number | undefined;
  if (md && typeof md === 'object') {
    if (family === 'whm') {
      total = num(md.records);
      start = num(md.start) ?? start;
    } else {
      total = num(md.total_results);
      start = num(md.start_result) ?? start;
    }
  }
  start = Math.max(1, Math.floor(start));
  const page = Math.floor((start - 1) / size) + 1;
  const pages = total !== undefined ? Math.max(1, Math.ceil(total / size)) : undefined;
  const hasNext = total !== undefined ? start - 1 + shown < total : shown >= size;
  return {
    start,
    size,
    shown,
    ...(total !== undefined ? { total } : {}),
    page,
    ...(pages !== undefined ? { pages } : {}),
    hasPrevious: start > 1,
    hasNext,
  };
}

/** The same parameters asking for the page that starts at record `start` (from 1). */
export function withPageStart(family: ShapingFamily, params: Params, start: number): [string, string][] {
  const keys = PAGE_KEYS[family];
  const out: [string, string][] = params
    .filter(([k]) => k !== keys.start && k !== 'api.paginate_page' && k !== 'api2_paginate_page')
    .map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]);
  out.push([keys.start, String(Math.max(1, Math.floor(start)))]);
  return out;
}
