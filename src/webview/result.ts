import {
  columnFilteringFeature,
  columnVisibilityFeature,
  constructTable,
  createFilteredRowModel,
  createSortedRowModel,
  globalFilteringFeature,
  rowSortingFeature,
  tableFeatures,
  type ColumnDef,
  type Row as TRow,
  type SortingState,
  type Table as TTable,
} from '@tanstack/table-core';
import { storeReactivityBindings } from '@tanstack/table-core/store-reactivity-bindings';
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import {
  formatMs,
  parseHostMessage,
  type CopyWhat,
  type ResultAction,
  type ResultTiming,
  type ResultToHost,
  type ResultView,
  type RowCounts,
} from '../shared/resultProtocol';
import { at, cellText, columnsOf, findTables, isNumericColumn, mainTable, rowsOf, type TableCandidate } from '../shared/tabular';
import { h, icon } from './dom';

/**
 * A result view: the verdict first, then the answer as a table (sort, filter, columns, copy,
 * export, virtual rows), as JSON, raw, the request and the answer's headers. Every text came from a
 * server and is set as text. The view's own choices (tab, table, sort, filter, hidden columns)
 * survive a reload through getState/setState.
 */

interface VsCodeApi {
  postMessage(message: ResultToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Tab = 'table' | 'json' | 'raw' | 'request' | 'headers';
const TABS: { id: Tab; label: string }[] = [
  { id: 'table', label: 'Table' },
  { id: 'json', label: 'JSON' },
  { id: 'raw', label: 'Raw' },
  { id: 'request', label: 'Request' },
  { id: 'headers', label: 'Headers' },
];

interface UiState {
  tab?: Tab;
  table?: number;
  filter: string;
  sorting: SortingState;
  hidden: VisibilityState;
}

type Rec = Record<string, unknown>;
type VisibilityState = Record<string, boolean>;

/**
 * TanStack Table v9: only the features the view uses, and rows that share one prototype (v8 gave
 * each of 100,000 rows some fifty closures of its own: a second of garbage collection).
 */
const features = tableFeatures({
  coreReactivityFeature: storeReactivityBindings(),
  rowSortingFeature,
  columnFilteringFeature,
  globalFilteringFeature,
  columnVisibilityFeature,
  sortedRowModel: createSortedRowModel(),
  filteredRowModel: createFilteredRowModel(),
});
type Features = typeof features;
type Row = TRow<Features, Rec>;
type Table = TTable<Features, Rec>;

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as Partial<UiState>;
const ui: UiState = {
  filter: typeof saved.filter === 'string' ? saved.filter : '',
  sorting: Array.isArray(saved.sorting) ? saved.sorting : [],
  hidden: saved.hidden && typeof saved.hidden === 'object' ? saved.hidden : {},
  ...(saved.tab ? { tab: saved.tab } : {}),
  ...(typeof saved.table === 'number' ? { table: saved.table } : {}),
};
const ROW_H = 24;
/** The JSON tab shows this much; "Open as JSON" has the whole answer in an editor. */
const JSON_SHOWN = 2 * 1024 * 1024;

let view: ResultView | undefined;
let candidates: TableCandidate[] = [];
let rows: Rec[] = [];
let table: Table | undefined;
let unsubscribe: (() => void) | undefined;
let virtualizer: Virtualizer<HTMLElement, HTMLElement> | undefined;
let cleanupVirtualizer: (() => void) | undefined;
let active = { row: 0, col: 0 };
let jsonText: string | undefined;

const app = document.getElementById('app')!;

function save(): void {
  vscode.setState(ui);
}

function post(msg: ResultToHost): void {
  vscode.postMessage(msg);
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostMessage(e.data);
  if (!msg) return;
  if (msg.type === 'show') {
    view = msg.view;
    jsonText = undefined;
    candidates = findTables(view.data);
    if (ui.table === undefined || ui.table >= candidates.length) ui.table = mainTable(candidates);
    ui.tab ??= candidates.length ? 'table' : 'json';
    buildTable();
    render();
    document.body.dataset.ready = '1';
  } else if (msg.type === 'busy') {
    setStatus(msg.message, 'info', true);
  } else if (msg.type === 'notice') {
    setStatus(msg.message, msg.level, false);
  } else if (msg.type === 'copy') {
    copy(msg.what, msg.row, msg.column);
  }
});

function setStatus(text: string, level: 'info' | 'error', busy: boolean): void {
  const s = document.getElementById('status');
  if (!s) return;
  s.textContent = text;
  s.className = `status ${level}${busy ? ' busy' : ''}`;
  document
    .querySelectorAll<HTMLButtonElement>('.toolbar button, .pager button')
    .forEach((b) => (b.disabled = busy || b.dataset.off === '1'));
}

// ── the table model ─────────────────────────────────────────────────────────

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function buildTable(): void {
  unsubscribe?.();
  unsubscribe = undefined;
  table = undefined;
  rows = [];
  const cand = ui.table !== undefined ? candidates[ui.table] : undefined;
  if (!cand) return;
  const list = at(view!.data, cand.path);
  rows = Array.isArray(list) ? rowsOf(list) : [];
  const cols = columnsOf(rows);
  const defs: ColumnDef<Features, Rec>[] = cols.map((c) => {
    const numeric = isNumericColumn(rows, c);
    return {
      id: c,
      accessorFn: (r: Rec) => r[c],
      header: c,
      meta: { numeric },
      sortFn: numeric
        ? (a: Row, b: Row, id: string) => toNum(a.getValue(id)) - toNum(b.getValue(id))
        : (a: Row, b: Row, id: string) => collator.compare(cellText(a.getValue(id)), cellText(b.getValue(id))),
      sortUndefined: 'last',
      // Ascending first for every column, numbers too: one rule a person can predict.
      sortDescFirst: false,
    } as ColumnDef<Features, Rec>;
  });
  const known = new Set(cols);
  const t = constructTable<Features, Rec>({
    features,
    data: rows,
    columns: defs,
    initialState: {
      sorting: ui.sorting.filter((x) => known.has(x.id)),
      globalFilter: ui.filter.toLowerCase(),
      columnVisibility: Object.fromEntries(Object.entries(ui.hidden).filter(([k]) => known.has(k))),
    },
    getColumnCanGlobalFilter: (col) => (col as unknown as { getIsVisible(): boolean }).getIsVisible(),
    globalFilterFn: (row: Row, columnId: string, value: string) => cellText(row.getValue(columnId)).toLowerCase().includes(value),
    enableSortingRemoval: true,
  } as Parameters<typeof constructTable<Features, Rec>>[0]);
  const sub = t.store.subscribe(() => {
    const st = t.store.state;
    ui.sorting = st.sorting;
    ui.hidden = st.columnVisibility;
    save();
    renderGrid();
  });
  unsubscribe = () => sub.unsubscribe();
  table = t;
  active = { row: 0, col: 0 };
}

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  const n = Number(v);
  return v === '' || v === null || v === undefined || Number.isNaN(n) ? -Infinity : n;
}

function viewRows(): Row[] {
  return table ? table.getRowModel().rows : [];
}

function visibleColumns(): string[] {
  return table ? table.getVisibleLeafColumns().map((c) => c.id) : [];
}

// ── rendering ───────────────────────────────────────────────────────────────

function render(): void {
  if (!view) return;
  const v = view;
  cleanupVirtualizer?.();
  cleanupVirtualizer = undefined;
  app.replaceChildren(
    ...[
      banner(v),
      toolbar(v),
      v.page || v.pagesMerged ? pager(v) : null,
      h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' }),
      tabs(),
      h('div', { id: 'panel', class: 'panel', role: 'tabpanel', 'aria-labelledby': `tab-${ui.tab}` }),
    ].filter((x): x is HTMLElement => x !== null),
  );
  renderPanel();
}

function banner(v: ResultView): HTMLElement {
  const cls = v.ok ? 'ok' : 'fail';
  const facts = [
    v.rows ? rowFacts(v.rows) : v.targets !== undefined ? `${v.targets} targets` : v.status ? `HTTP ${v.status}` : 'no answer',
    `${v.ms} ms`,
    v.rows ? '' : v.size,
    v.server,
    v.account ? `as ${v.account}` : '',
  ].filter(Boolean);
  return h(
    'header',
    { class: `banner ${cls}` },
    h(
      'div',
      { class: 'verdict' },
      icon(v.ok ? 'pass-filled' : 'error'),
      h('strong', { id: 'verdict' }, v.verdict),
      h('span', { class: 'what' }, v.what),
    ),
    h('div', { class: 'facts muted', id: 'facts' }, facts.join(' · ')),
    v.timing ? timingLine(v.timing) : null,
    v.hint ? h('p', { class: 'hint', id: 'hint' }, v.hint) : null,
    // A failure's hint is often its only error: said once.
    ...list(
      'errors',
      'Errors',
      v.errors.filter((e) => e !== v.hint),
    ),
    ...list('warnings', 'Warnings', v.warnings),
    ...list('messages', 'Messages', v.messages),
    v.checks?.length
      ? h(
          'ul',
          { class: 'checks', 'aria-label': 'Checks' },
          ...v.checks.map((c) =>
            h(
              'li',
              { class: c.pass ? 'pass' : 'fail' },
              icon(c.pass ? 'check' : 'close'),
              `${c.label}${c.message ? ` — ${c.message}` : ''}`,
            ),
          ),
        )
      : null,
  );
}

/** The phases of the exchange: a bar in proportion (for the eye) and the same figures as text (for everyone). */
function timingLine(t: ResultTiming): HTMLElement {
  const total = t.steps.reduce((n, s) => n + s.ms, 0);
  const bar = h(
    'span',
    { class: 'phase-bar', 'aria-hidden': 'true' },
    ...t.steps.map((s) => {
      const seg = h('span', { class: `phase phase-${s.name.toLowerCase()}`, title: `${s.name} ${formatMs(s.ms)}` });
      seg.style.flexGrow = String(total > 0 ? s.ms / total : 1 / t.steps.length);
      return seg;
    }),
  );
  return h(
    'div',
    { class: 'timing muted', id: 'timing' },
    bar,
    h(
      'span',
      {},
      `${t.connection === 'new' ? 'New connection' : 'Reused connection'}: ${t.steps.map((s) => `${s.name} ${formatMs(s.ms)}`).join(' · ')}`,
    ),
  );
}

/** "200 rows · 198 passed · 2 failed": a data run has no one HTTP status, and no answer of its own to size. */
function rowFacts(r: RowCounts): string {
  const n = (x: number): string => x.toLocaleString();
  return [`${n(r.total)} row${r.total === 1 ? '' : 's'}`, `${n(r.passed)} passed`, r.failed ? `${n(r.failed)} failed` : '']
    .filter(Boolean)
    .join(' · ');
}

function list(cls: string, label: string, items: string[]): HTMLElement[] {
  return items.length ? [h('ul', { class: `notes ${cls}`, 'aria-label': label }, ...items.map((t) => h('li', {}, t)))] : [];
}

function button(action: ResultAction, label: string, codicon: string, title: string, off = false): HTMLButtonElement {
  const b = h('button', { id: `act-${action}`, title, onclick: () => post({ type: 'action', action }) }, icon(codicon), label);
  if (off) {
    b.disabled = true;
    b.dataset.off = '1';
  }
  return b;
}

function toolbar(v: ResultView): HTMLElement {
  return h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': 'Result actions' },
    button('editResend', 'Edit and Resend', 'edit', 'Open this request in the Request Builder', !v.canResend),
    button('resend', 'Resend', 'refresh', 'Send this request again (a change asks first)', !v.canResend),
    button(
      'saveSnippet',
      'Save as Snippet',
      'save',
      'Save this request as a snippet in the workspace (secret values become ${env:…} placeholders)',
      !v.canResend,
    ),
    button('compare', 'Compare with…', 'diff', 'Compare this answer with another result or history entry'),
    button('openJson', 'Open as JSON', 'json', 'Open the whole result as a read-only JSON document'),
  );
}

function pager(v: ResultView): HTMLElement {
  const p = v.page;
  let text: string;
  if (v.pagesMerged) text = `All ${rows.length.toLocaleString()} rows, fetched in ${v.pagesMerged} page${v.pagesMerged === 1 ? '' : 's'}`;
  else if (p)
    text = `Records ${p.start.toLocaleString()}–${(p.start + p.shown - 1).toLocaleString()}${p.total !== undefined ? ` of ${p.total.toLocaleString()}` : ''} · page ${p.page}${p.pages ? ` of ${p.pages}` : ''}`;
  else text = '';
  return h(
    'div',
    { class: 'pager', role: 'group', 'aria-label': 'Pages' },
    h('span', { id: 'pageinfo' }, text),
    p && !v.pagesMerged
      ? button('previousPage', 'Previous page', 'chevron-left', 'Ask for the page before this one', !p.hasPrevious)
      : null,
    p && !v.pagesMerged ? button('nextPage', 'Next page', 'chevron-right', 'Ask for the page after this one', !p.hasNext) : null,
    p && !v.pagesMerged
      ? button(
          'allPages',
          'Fetch all pages',
          'cloud-download',
          'Ask for every page and show all the rows in one table',
          !p.hasNext && !p.hasPrevious,
        )
      : null,
  );
}

function tabs(): HTMLElement {
  const bar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views of the result' });
  for (const t of TABS) {
    const selected = ui.tab === t.id;
    const b = h(
      'button',
      {
        role: 'tab',
        id: `tab-${t.id}`,
        'aria-selected': selected ? 'true' : 'false',
        tabindex: selected ? '0' : '-1',
        'aria-controls': 'panel',
        onclick: () => selectTab(t.id),
      },
      t.label,
    );
    bar.append(b);
  }
  bar.addEventListener('keydown', (e) => {
    const i = TABS.findIndex((t) => t.id === ui.tab);
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i + TABS.length - 1) % TABS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    selectTab(TABS[next]!.id);
    document.getElementById(`tab-${TABS[next]!.id}`)?.focus();
  });
  return bar;
}

function selectTab(t: Tab): void {
  ui.tab = t;
  save();
  for (const x of TABS) {
    const b = document.getElementById(`tab-${x.id}`);
    b?.setAttribute('aria-selected', x.id === t ? 'true' : 'false');
    b?.setAttribute('tabindex', x.id === t ? '0' : '-1');
  }
  document.getElementById('panel')?.setAttribute('aria-labelledby', `tab-${t}`);
  renderPanel();
}

function renderPanel(): void {
  const panel = document.getElementById('panel');
  if (!panel || !view) return;
  cleanupVirtualizer?.();
  cleanupVirtualizer = undefined;
  switch (ui.tab) {
    case 'table':
      panel.replaceChildren(...tablePanel());
      renderGrid();
      return;
    case 'json': {
      jsonText ??= JSON.stringify(view.data, null, 2) ?? 'null';
      const cut = jsonText.length > JSON_SHOWN;
      panel.replaceChildren(
        h(
          'p',
          { class: 'muted' },
          `The first ${(JSON_SHOWN / 1048576).toFixed(0)} MB of the data. `,
          h('a', { href: '#', onclick: (e) => (e.preventDefault(), post({ type: 'action', action: 'openJson' })) }, 'Open as JSON'),
          ' for all of it, with search and folding.',
        ),
        h('pre', { class: 'code', id: 'json', tabindex: '0' }, cut ? `${jsonText.slice(0, JSON_SHOWN)}\n…` : jsonText),
      );
      if (!cut) panel.firstElementChild?.remove();
      return;
    }
    case 'raw':
      panel.replaceChildren(
        h(
          'p',
          { class: 'muted' },
          `${view.contentType || 'no content type'} · ${view.size}`,
          view.rawCut ? ' · shown in part: ' : ' · ',
          h(
            'a',
            { href: '#', onclick: (e) => (e.preventDefault(), post({ type: 'action', action: 'openRaw' })) },
            view.rawCut ? 'open the raw answer' : 'open in an editor',
          ),
        ),
        h('pre', { class: 'code', id: 'raw', tabindex: '0' }, view.raw || '(the server sent no body)'),
      );
      return;
    case 'request':
      panel.replaceChildren(
        h('p', { class: 'muted' }, 'What was sent, secrets redacted.'),
        h(
          'pre',
          { class: 'code wrap', id: 'request', tabindex: '0' },
          `${view.request.method} ${view.request.url}${(view.request.headers ?? []).map(([k, v]) => `\n${k}: ${v}`).join('')}${view.request.body ? `\n\n${view.request.body}` : ''}`,
        ),
      );
      return;
    case 'headers':
      panel.replaceChildren(
        view.headers.length
          ? h(
              'table',
              { class: 'kv', id: 'headers' },
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Header'), h('th', { scope: 'col' }, 'Value'))),
              h('tbody', {}, ...view.headers.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v)))),
            )
          : h('p', { class: 'muted' }, 'No answer arrived, so there are no headers.'),
      );
      return;
    default:
      panel.replaceChildren();
  }
}

function tablePanel(): HTMLElement[] {
  if (!candidates.length || !table)
    return [h('p', { class: 'muted', id: 'notable' }, 'This answer has no list to show as a table: see JSON.')];
  const picker =
    candidates.length > 1
      ? h(
          'label',
          { class: 'picker' },
          'List ',
          h(
            'select',
            {
              id: 'tablepick',
              onchange: (e) => {
                ui.table = Number((e.target as HTMLSelectElement).value);
                ui.sorting = [];
                ui.hidden = {};
                save();
                buildTable();
                renderPanel();
              },
            },
            ...candidates.map((c, i) =>
              h('option', { value: String(i), selected: i === ui.table }, `${c.label} (${c.rows.toLocaleString()})`),
            ),
          ),
        )
      : h('span', { class: 'muted picker' }, candidates[0]!.label);
  const filter = h('input', {
    id: 'filter',
    type: 'search',
    placeholder: 'Filter rows',
    'aria-label': 'Filter rows: matches any shown column',
    value: ui.filter,
    oninput: (e) => {
      ui.filter = (e.target as HTMLInputElement).value;
      save();
      table!.setGlobalFilter(ui.filter.toLowerCase());
    },
  });
  const chooser = h(
    'details',
    { class: 'columns', id: 'columns' },
    h('summary', { title: 'Choose the columns to show' }, icon('list-selection'), 'Columns'),
    h(
      'div',
      { class: 'menu', role: 'group', 'aria-label': 'Columns to show' },
      ...table.getAllLeafColumns().map((c) =>
        h(
          'label',
          {},
          h('input', {
            type: 'checkbox',
            checked: c.getIsVisible(),
            'data-column': c.id,
            onchange: (e) => c.toggleVisibility((e.target as HTMLInputElement).checked),
          }),
          c.id,
        ),
      ),
    ),
  );
  return [
    h(
      'div',
      { class: 'tablebar' },
      picker,
      filter,
      chooser,
      h(
        'button',
        { id: 'export-csv', title: 'Save the rows shown, in this order, as CSV', onclick: () => exportRows('csv') },
        icon('export'),
        'CSV',
      ),
      h(
        'button',
        { id: 'export-json', title: 'Save the rows shown, in this order, as JSON', onclick: () => exportRows('json') },
        icon('export'),
        'JSON',
      ),
      h('span', { class: 'muted', id: 'rowcount', 'aria-live': 'polite' }),
    ),
    h('div', {
      class: 'grid',
      id: 'grid',
      role: 'grid',
      tabindex: '0',
      'aria-label': 'Rows of the answer',
      'data-vscode-context': JSON.stringify({ webviewSection: 'grid', preventDefaultContextMenuItems: true }),
    }),
  ];
}

function columnWidths(cols: string[]): string {
  const sample = rows.slice(0, 200);
  return cols
    .map((c) => {
      let w = c.length + 3;
      for (const r of sample) w = Math.max(w, Math.min(48, cellText(r[c]).length + 2));
      return `minmax(${Math.min(48, Math.max(6, w))}ch, auto)`;
    })
    .join(' ');
}

/** Header and virtual rows for the current sort, filter and columns. */
function renderGrid(): void {
  const grid = document.getElementById('grid');
  if (!grid || !table) return;
  const cols = visibleColumns();
  const all = viewRows();
  const count = document.getElementById('rowcount');
  if (count)
    count.textContent =
      all.length === rows.length
        ? `${rows.length.toLocaleString()} ${rows.length === 1 ? 'row' : 'rows'}`
        : `${all.length.toLocaleString()} of ${rows.length.toLocaleString()} rows`;
  grid.setAttribute('aria-rowcount', String(all.length + 1));
  grid.setAttribute('aria-colcount', String(cols.length));
  grid.style.setProperty('--cols', columnWidths(cols));
  const header = h('div', { class: 'row head', role: 'row', 'aria-rowindex': '1' });
  for (const id of cols) {
    const col = table.getColumn(id)!;
    const dir = col.getIsSorted();
    const sortLabel = dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none';
    header.append(
      h(
        'div',
        { class: 'cell', role: 'columnheader', 'aria-sort': sortLabel },
        h(
          'button',
          {
            class: 'sort',
            'data-column': id,
            title: `Sort by ${id}${(col.columnDef.meta as { numeric?: boolean } | undefined)?.numeric ? ' (as numbers)' : ''}`,
            onclick: (e) => col.toggleSorting(undefined, (e as MouseEvent).shiftKey),
          },
          id,
          dir ? icon(dir === 'asc' ? 'arrow-up' : 'arrow-down') : null,
        ),
      ),
    );
  }
  const body = h('div', { class: 'body' });
  // Set through the CSSOM: the page's CSP allows no inline style attributes.
  body.style.height = `${all.length * ROW_H}px`;
  grid.replaceChildren(header, body);
  active.row = Math.min(active.row, Math.max(0, all.length - 1));
  active.col = Math.min(active.col, Math.max(0, cols.length - 1));

  cleanupVirtualizer?.();
  const v = new Virtualizer<HTMLElement, HTMLElement>({
    count: all.length,
    getScrollElement: () => grid,
    estimateSize: () => ROW_H,
    overscan: 12,
    scrollMargin: header.offsetHeight || ROW_H,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    onChange: () => drawRows(body, all, cols),
  });
  virtualizer = v;
  const unmount = v._didMount();
  v._willUpdate();
  cleanupVirtualizer = unmount;
  drawRows(body, all, cols, true);
  // One listener for every cell: a click makes the cell the active one.
  body.addEventListener('mousedown', (e) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.cell');
    const row = cell?.parentElement?.dataset.row;
    if (cell && row !== undefined) setActive(Number(row), Array.prototype.indexOf.call(cell.parentElement!.children, cell), false);
  });
}

let drawn = '';

/**
 * The rows in view (and a few either side). Built with plain DOM calls: a scroll redraws some fifty
 * rows per frame. A cell's context-menu data is its column; its row's is the row (VS Code merges them).
 */
function drawRows(body: HTMLElement, all: Row[], cols: string[], force = false): void {
  const v = virtualizer;
  if (!v) return;
  const items = v.getVirtualItems();
  const key = `${items[0]?.index ?? -1}:${items.length}:${all.length}:${cols.join(',')}`;
  if (!force && key === drawn) return;
  drawn = key;
  const colContext = cols.map((c) => JSON.stringify({ column: c }));
  const frag = document.createDocumentFragment();
  for (const it of items) {
    const row = all[it.index]!;
    const el = document.createElement('div');
    el.className = 'row';
    el.setAttribute('role', 'row');
    el.setAttribute('aria-rowindex', String(it.index + 2));
    el.dataset.vscodeContext = `{"webviewSection":"cell","row":${it.index},"preventDefaultContextMenuItems":true}`;
    el.dataset.row = String(it.index);
    // Set through the CSSOM: the page's CSP allows no inline style attributes.
    el.style.transform = `translateY(${it.index * ROW_H}px)`;
    for (let ci = 0; ci < cols.length; ci++) {
      const value = row.original[cols[ci]!];
      const text = cellText(value);
      const cell = document.createElement('div');
      const isActive = it.index === active.row && ci === active.col;
      cell.className = typeof value === 'number' ? (isActive ? 'cell num active' : 'cell num') : isActive ? 'cell active' : 'cell';
      cell.setAttribute('role', 'gridcell');
      // Only the active cell needs an id (the grid's aria-activedescendant): a jump redraws some 400 cells.
      if (isActive) cell.id = `c-${it.index}-${ci}`;
      cell.dataset.vscodeContext = colContext[ci]!;
      if (text.length > 40) cell.title = text.slice(0, 2000);
      cell.textContent = text;
      el.append(cell);
    }
    frag.append(el);
  }
  body.replaceChildren(frag);
  const grid = document.getElementById('grid');
  const activeId = `c-${active.row}-${active.col}`;
  if (grid && document.getElementById(activeId)) grid.setAttribute('aria-activedescendant', activeId);
}

function setActive(row: number, col: number, scroll: boolean): void {
  const all = viewRows();
  const cols = visibleColumns();
  active = { row: Math.max(0, Math.min(all.length - 1, row)), col: Math.max(0, Math.min(cols.length - 1, col)) };
  if (scroll) virtualizer?.scrollToIndex(active.row, { align: 'auto' });
  const body = document.querySelector<HTMLElement>('#grid .body');
  if (body) drawRows(body, all, cols, true);
  document.querySelector<HTMLElement>(`#c-${active.row}-${active.col}`)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

document.addEventListener('keydown', (e) => {
  const grid = document.getElementById('grid');
  if (!grid || document.activeElement !== grid) return;
  const page = Math.max(1, Math.floor(grid.clientHeight / ROW_H) - 1);
  const mod = e.ctrlKey || e.metaKey;
  const moves: Record<string, [number, number]> = {
    ArrowDown: [active.row + 1, active.col],
    ArrowUp: [active.row - 1, active.col],
    ArrowRight: [active.row, active.col + 1],
    ArrowLeft: [active.row, active.col - 1],
    PageDown: [active.row + page, active.col],
    PageUp: [active.row - page, active.col],
    Home: mod ? [0, 0] : [active.row, 0],
    End: mod ? [Number.MAX_SAFE_INTEGER, active.col] : [active.row, Number.MAX_SAFE_INTEGER],
  };
  const m = moves[e.key];
  if (m) {
    e.preventDefault();
    setActive(m[0], m[1], true);
    return;
  }
  if (mod && e.key.toLowerCase() === 'c') {
    e.preventDefault();
    copy(e.shiftKey ? 'row' : 'cell', active.row, visibleColumns()[active.col] ?? '');
  }
});

function copy(what: CopyWhat, rowIndex: number, column: string): void {
  const all = viewRows();
  const cols = visibleColumns();
  const row = all[rowIndex];
  let text: string;
  if (what === 'cell') text = row ? cellText(row.original[column]) : '';
  else if (what === 'row') text = row ? JSON.stringify(Object.fromEntries(cols.map((c) => [c, row.original[c]]))) : '';
  else text = all.map((r) => cellText(r.original[column])).join('\n');
  post({
    type: 'copyText',
    text,
    what:
      what === 'column'
        ? `the ${column} column (${all.length.toLocaleString()} values)`
        : what === 'row'
          ? 'the row'
          : `the ${column} cell`,
  });
}

function exportRows(format: 'csv' | 'json'): void {
  post({ type: 'export', format, table: ui.table ?? 0, rows: viewRows().map((r) => r.index), columns: visibleColumns() });
}

post({ type: 'ready' });

// The Columns menu closes as a menu does: on Escape (focus back on its button) and on a click outside it.
document.addEventListener('keydown', (e) => {
  const menu = document.getElementById('columns') as HTMLDetailsElement | null;
  if (e.key !== 'Escape' || !menu?.open) return;
  menu.open = false;
  menu.querySelector('summary')?.focus();
  e.stopPropagation();
});
document.addEventListener('click', (e) => {
  const menu = document.getElementById('columns') as HTMLDetailsElement | null;
  if (menu?.open && e.target instanceof Node && !menu.contains(e.target)) menu.open = false;
});
