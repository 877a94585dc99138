import {
  emptyState,
  EMPTY_SHAPING,
  parseHostMessage,
  parseState,
  type BuilderFamily,
  type BuilderParam,
  type BuilderState,
  CODE_LANGUAGES,
  type CodeLanguage,
  type FunctionSummary,
  type ServerSummary,
  type WebviewToHost,
} from '../shared/protocol';
import { callsOnBehalf, carriesSecret, familiesOn, familyLabel, FAMILIES, isSecretParam } from '../shared/families';
import { bodyForFunction, paramsForFunction, stateProblems } from '../shared/requestRules';
import { h, icon } from './dom';
import { FILTER_TYPES, SHAPING_FEATURES, SORT_METHODS, type ShapingFilter } from '../shared/shaping';

/**
 * The request builder, in the webview. Everything is built as DOM nodes and every text from the host
 * (and so from servers) is set as textContent, never as HTML. State survives reloads through
 * getState/setState.
 */

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: BuilderState = parseState(vscode.getState()) ?? emptyState();
let servers: ServerSummary[] = [];
let functions: FunctionSummary[] = [];
let accounts: { user: string; domain: string }[] = [];
let busy = false;
/** Problems are shown quietly until the person changes something or tries to send. */
let touched = false;
document.addEventListener('input', () => (touched = true), true);
document.addEventListener('change', () => (touched = true), true);

function save(): void {
  vscode.setState(state);
}

function server(): ServerSummary | undefined {
  return servers.find((s) => s.id === state.serverId);
}

function catalogFamily(): 'uapi' | 'whm' | undefined {
  return FAMILIES[state.family].catalog;
}

function currentFunction(): FunctionSummary | undefined {
  const fam = catalogFamily();
  return fam ? functions.find((f) => f.family === fam && f.name === state.functionName) : undefined;
}

/**
 * Catalog functions a typed name may mean: `add_pop` is `Email/add_pop`, `list pops` or words of a
 * title match too, across every module; the exact name first.
 */
function functionMatches(typed: string): FunctionSummary[] {
  const fam = catalogFamily();
  const q = typed.trim().toLowerCase();
  if (!fam || !q) return [];
  const words = q.split(/[\s/]+/).filter(Boolean);
  const inFam = functions.filter((f) => f.family === fam);
  const byName = inFam.filter((f) => f.name.toLowerCase() === q || f.name.toLowerCase().endsWith(`/${q}`));
  if (byName.length) return byName;
  return inFam.filter((f) => words.every((w) => f.name.toLowerCase().includes(w) || f.title.toLowerCase().includes(w))).slice(0, 8);
}

function familiesFor(s: ServerSummary | undefined): { value: BuilderFamily; label: string }[] {
  return familiesOn(s?.service).map((w) => ({ value: w.family, label: familyLabel(w.family, w.onBehalf) }));
}

function onBehalf(): boolean {
  const s = server();
  return s !== undefined && callsOnBehalf(state.family, s.service);
}

/** Problems that keep Send disabled, each tied to a parameter row or the form (the rules in src/shared). */
function problems(): { row?: number; message: string }[] {
  return stateProblems(state, server()?.service, currentFunction());
}

/** Required parameters of a newly chosen function, keeping values already typed. */
function applyFunction(fn: FunctionSummary | undefined): void {
  if (!fn) return;
  state.params = paramsForFunction(state.params, fn);
  state.method = fn.method;
  state.body = bodyForFunction(fn);
}

/** The body section: none, a JSON document (checked as it is typed), or files chosen with the host's dialog. */
function bodySection(): HTMLElement {
  const body = state.body;
  const kind = h(
    'select',
    {
      id: 'bodyKind',
      'aria-label': 'Body',
      onchange: (e) => {
        const k = (e.target as HTMLSelectElement).value;
        state.body = k === 'json' ? { kind: 'json', text: '{\n}' } : k === 'files' ? { kind: 'files', files: [{ name: 'file-1', path: '' }] } : { kind: 'none' };
        if (state.body.kind !== 'none') state.method = 'POST';
        update();
      },
    },
    h('option', { value: 'none', selected: body.kind === 'none' }, 'No body (parameters as a query or form)'),
    h('option', { value: 'json', selected: body.kind === 'json' }, 'JSON body (application/json)'),
    h('option', { value: 'files', selected: body.kind === 'files' }, 'Upload files (multipart/form-data)'),
  );
  const content: HTMLElement[] = [];
  if (body.kind === 'json') {
    content.push(
      h('textarea', {
        id: 'jsonBody',
        class: 'json',
        rows: '8',
        spellcheck: 'false',
        'aria-label': 'JSON body',
        oninput: (e) => {
          if (state.body.kind === 'json') state.body.text = (e.target as HTMLTextAreaElement).value;
          save();
          refreshProblems();
        },
      }, body.text),
    );
  }
  if (body.kind === 'files') {
    body.files.forEach((f, i) => {
      content.push(
        h(
          'div',
          { class: 'row filerow' },
          h('input', {
            class: 'fname',
            value: f.name,
            'aria-label': `Field of file ${i + 1}`,
            spellcheck: 'false',
            oninput: (e) => {
              if (state.body.kind === 'files') state.body.files[i]!.name = (e.target as HTMLInputElement).value.trim();
              save();
              refreshProblems();
            },
          }),
          h('span', { class: f.path ? 'fpath' : 'fpath muted' }, f.path || 'no file chosen'),
          h('button', { class: 'secondary', 'data-file': String(i), onclick: () => vscode.postMessage({ type: 'pickFile', index: i }) }, icon('folder-opened'), 'Choose…'),
          h('button', { class: 'secondary', 'aria-label': `Remove file ${i + 1}`, onclick: () => (state.body.kind === 'files' && state.body.files.splice(i, 1), update()) }, icon('trash')),
        ),
      );
    });
    content.push(h('button', { class: 'secondary', onclick: () => (state.body.kind === 'files' && state.body.files.push({ name: `file-${state.body.files.length + 1}`, path: '' }), update()) }, icon('add'), 'Add file'));
  }
  return h('section', { 'aria-label': 'Body' }, h('h2', {}, 'Body'), kind, ...content);
}

function render(): void {
  const app = document.getElementById('app')!;
  const s = server();
  const fn = currentFunction();
  const errs = problems();
  const fam = catalogFamily();

  const serverSelect = h(
    'select',
    {
      id: 'server',
      'aria-label': 'Server',
      onchange: (e) => {
        state.serverId = (e.target as HTMLSelectElement).value;
        if (!state.functionName || !familiesFor(server()).some((f) => f.value === state.family)) state.family = familiesFor(server())[0]!.value;
        accounts = [];
        if (onBehalf()) vscode.postMessage({ type: 'loadAccounts', serverId: state.serverId });
        update();
      },
    },
    h('option', { value: '' }, servers.length ? 'Choose a server…' : 'No servers: add one in the cPanel view'),
    ...servers.map((x) => h('option', { value: x.id, selected: x.id === state.serverId }, `${x.label} — ${x.description}`)),
  );

  const familySelect = h(
    'select',
    {
      id: 'family',
      'aria-label': 'API',
      onchange: (e) => {
        state.family = (e.target as HTMLSelectElement).value as BuilderFamily;
        if (state.family === 'whm' || !currentFunction()) state.functionName = '';
        if (onBehalf() && !accounts.length) vscode.postMessage({ type: 'loadAccounts', serverId: state.serverId });
        update();
      },
    },
    ...familiesFor(s).map((f) => h('option', { value: f.value, selected: f.value === state.family }, f.label)),
  );

  const accountInput = h('input', {
    id: 'account',
    list: 'accounts',
    value: state.account,
    placeholder: 'cPanel username',
    'aria-label': 'Account',
    spellcheck: 'false',
    oninput: (e) => {
      state.account = (e.target as HTMLInputElement).value.trim().toLowerCase();
      save();
      refreshProblems();
    },
  });
  const accountList = h('datalist', { id: 'accounts' }, ...accounts.map((a) => {
    const o = h('option', {});
    o.value = a.user;
    o.label = a.domain;
    return o;
  }));

  const fnList = h('datalist', { id: 'functions' }, ...functions.filter((f) => f.family === fam).map((f) => {
    const o = h('option', {});
    o.value = f.name;
    o.label = f.title;
    return o;
  }));
  const fnInput = h('input', {
    id: 'function',
    list: 'functions',
    value: state.functionName,
    placeholder: fam ? `Search ${functions.filter((f) => f.family === fam).length} functions by name or title` : 'Module/function, e.g. Email/listpops',
    'aria-label': 'Function',
    spellcheck: 'false',
    autocomplete: 'off',
    onchange: (e) => {
      state.functionName = (e.target as HTMLInputElement).value.trim();
      // A partial name that means one function is that function.
      if (!currentFunction()) {
        const m = functionMatches(state.functionName);
        if (m.length === 1) state.functionName = m[0]!.name;
      }
      applyFunction(currentFunction());
      setTimeout(update, 0);
    },
  });

  // A secret goes in a POST body, never the URL (cPanel logs query strings): GET only when chosen for it.
  const secret = state.body.kind === 'none' && carriesSecret(state.params.map((p) => [p.name, p.value] as const));
  const shownMethod = secret && state.method === 'GET' && !state.secretInUrl ? 'POST' : state.method;
  const methodGroup = h(
    'div',
    { class: 'segmented', role: 'radiogroup', 'aria-label': 'HTTP method' },
    ...(['GET', 'POST'] as const).map((m) =>
      h(
        'label',
        {},
        h('input', {
          type: 'radio',
          name: 'method',
          value: m,
          checked: shownMethod === m,
          onchange: () => {
            state.method = m;
            state.secretInUrl = m === 'GET' && secret ? true : undefined;
            update();
          },
        }),
        m,
      ),
    ),
  );
  const methodNote = secret && state.method === 'GET' && !state.secretInUrl ? ' (carries a secret)' : fn && state.method !== fn.method ? ` (documented as ${fn.method})` : '';

  const info = fn
    ? h(
        'p',
        { class: 'fninfo' },
        h('strong', {}, fn.title),
        ` · ${FAMILIES[fn.family].name} · ${shownMethod}${methodNote} · `,
        h('a', { href: '#', onclick: (e) => (e.preventDefault(), vscode.postMessage({ type: 'openDocs', url: fn.docs })) }, 'documentation'),
      )
    : state.functionName && fam
      ? functionMatches(state.functionName).length
        ? h(
            'p',
            { class: 'fninfo' },
            'Did you mean ',
            ...functionMatches(state.functionName).flatMap((m, i) => [
              i ? ', ' : '',
              h('a', { href: '#', class: 'suggestion', title: m.title, onclick: (e) => (e.preventDefault(), (state.functionName = m.name), applyFunction(m), update()) }, m.name),
            ]),
            '?',
          )
        : h('p', { class: 'fninfo muted' }, 'Not in the catalog: add its parameters by hand.')
      : null;

  const rows = state.params.map((p, i) => paramRow(p, i, fn, errs.filter((e) => e.row === i).map((e) => e.message)));
  const optional = (fn?.params ?? []).filter((x) => !x.required && !state.params.some((p) => p.name === x.name));
  const addOptional = optional.length
    ? h(
        'select',
        {
          'aria-label': 'Add an optional parameter',
          onchange: (e) => {
            const name = (e.target as HTMLSelectElement).value;
            if (name) state.params.push({ name, value: '' });
            update();
          },
        },
        h('option', { value: '' }, `Add optional parameter (${optional.length})…`),
        ...optional.map((x) => h('option', { value: x.name }, `${x.name} (${x.type})`)),
      )
    : null;

  const shaping = FAMILIES[state.family].shaping ? shapingSection() : null;

  const send = h('button', { id: 'send', class: 'primary', disabled: busy || errs.length > 0, onclick: () => post('send') }, icon('play'), busy ? 'Sending…' : 'Send');
  const groupBtn = h('button', { id: 'sendGroup', disabled: busy || errs.length > 0, title: 'Send this request to every server of a group (or, on WHM, on behalf of every account)', onclick: () => post('sendGroup') }, icon('run-all'), 'Send to Group…');
  const saveBtn = h('button', { id: 'save', disabled: errs.length > 0, onclick: () => post('save') }, icon('save'), 'Save as Snippet');
  const copyButtons = CODE_LANGUAGES.map((l) =>
    h(
      'button',
      { class: 'secondary', 'data-lang': l, disabled: errs.length > 0, onclick: () => post('copy', l), ...(l === 'server' ? { title: 'whmapi1, uapi or cpapi2 on the server itself, as root' } : {}) },
      { curl: 'curl', perl: 'Perl', php: 'PHP', python: 'Python', node: 'Node', server: 'On the server' }[l],
    ),
  );

  const parts: (HTMLElement | null)[] = [
    h('h1', {}, icon('server-process'), 'Request Builder'),
    h('div', { class: 'grid' }, h('label', { for: 'server' }, 'Server'), serverSelect, h('label', { for: 'family' }, 'API'), familySelect),
    onBehalf() ? h('div', { class: 'grid' }, h('label', { for: 'account' }, 'Account'), accountInput, accountList) : null,
    h('div', { class: 'grid' }, h('label', { for: 'function' }, 'Function'), h('div', { class: 'fnline' }, fnInput, methodGroup), fnList),
    info,
    secret && state.method === 'GET' && state.secretInUrl
      ? h(
          'p',
          { class: 'fninfo warning', role: 'alert' },
          `GET puts ${[...new Set(state.params.filter((p) => p.value !== '' && isSecretParam(p.name)).map((p) => p.name))].join(', ')} into the URL, which cPanel writes to its access log (and proxies log). Choose POST to send it in the body.`,
        )
      : null,
    h(
      'section',
      { 'aria-label': 'Parameters' },
      h('h2', {}, 'Parameters'),
      rows.length ? h('div', { class: 'params', role: 'table' }, ...rows) : h('p', { class: 'muted' }, 'No parameters.'),
      h('div', { class: 'row' }, h('button', { class: 'secondary', id: 'addParam', onclick: () => (state.params.push({ name: '', value: '' }), update(), focusLast()) }, icon('add'), 'Add parameter'), addOptional),
    ),
    state.method === 'POST' || state.body.kind !== 'none' || fn?.params.some((x) => x.body) ? bodySection() : null,
    shaping,
    h('div', { class: 'actions' }, send, groupBtn, saveBtn, h('span', { class: 'copylabel' }, 'Copy as'), ...copyButtons),
    h('p', { id: 'problems', class: touched ? 'problems' : 'problems quiet', role: touched ? 'alert' : 'status' }, errs.filter((e) => e.row === undefined).map((e) => e.message).join(' ')),
    h('section', { id: 'status', role: 'status', 'aria-live': 'polite' }),
  ];
  // The form is rebuilt: the field that had focus (and its caret) gets it back, so typing goes on.
  const focused = focusKey(document.activeElement);
  const caret = document.activeElement instanceof HTMLInputElement ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : undefined;
  app.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  renderStatus();
  if (focused) {
    const el = findByKey(focused);
    el?.focus();
    if (el instanceof HTMLInputElement && caret && caret[0] !== null && ['text', 'search', 'password', ''].includes(el.type)) el.setSelectionRange(caret[0], caret[1]);
  }
}

/** "#id", or ".class@n" (the n-th element of its first class): what identifies a field across a rebuild. */
function focusKey(el: Element | null): string | undefined {
  const app = document.getElementById('app');
  if (!(el instanceof HTMLElement) || !app?.contains(el)) return undefined;
  if (el.id) return `#${el.id}`;
  const cls = el.classList[0];
  if (!cls) return undefined;
  return `.${cls}@${[...app.querySelectorAll(`.${cls}`)].indexOf(el)}`;
}

function findByKey(key: string): HTMLElement | undefined {
  if (key.startsWith('#')) return document.getElementById(key.slice(1)) ?? undefined;
  const [cls, n] = key.slice(1).split('@') as [string, string];
  return (document.getElementById('app')?.querySelectorAll<HTMLElement>(`.${cls}`)[Number(n)]) ?? undefined;
}

let lastStatus: HTMLElement[] = [];
function renderStatus(): void {
  document.getElementById('status')?.replaceChildren(...lastStatus);
}

function paramRow(p: BuilderParam, i: number, fn: FunctionSummary | undefined, rowErrors: string[]): HTMLElement {
  const spec = fn?.params.find((x) => x.name === p.name);
  const name = h('input', {
    class: 'pname',
    value: p.name,
    'aria-label': `Parameter ${i + 1} name`,
    spellcheck: 'false',
    readonly: spec?.required === true,
    // After the focus has moved on (Tab): the rebuilt form then gives it back to where it went.
    onchange: (e) => ((state.params[i]!.name = (e.target as HTMLInputElement).value.trim()), setTimeout(update, 0)),
  });
  let value: HTMLElement;
  const onValue = (e: Event): void => {
    state.params[i]!.value = (e.target as HTMLInputElement | HTMLSelectElement).value;
    save();
    refreshProblems();
  };
  if (spec?.type === 'boolean') {
    value = h('select', { class: 'pvalue', 'aria-label': `${p.name} value`, onchange: onValue }, ...['', '1', '0'].map((v) => h('option', { value: v, selected: p.value === v }, v === '' ? '(not set)' : v === '1' ? '1 (yes)' : '0 (no)')));
  } else {
    const listId = spec?.values?.length ? `values-${i}` : undefined;
    value = h('input', {
      class: 'pvalue',
      value: p.value,
      'aria-label': `${p.name || `Parameter ${i + 1}`} value`,
      spellcheck: 'false',
      ...(listId ? { list: listId } : {}),
      ...(spec?.type === 'integer' ? { inputmode: 'numeric' } : {}),
      ...(isSecretParam(p.name) ? { type: 'password', placeholder: 'or ${env:NAME}' } : {}),
      oninput: onValue,
    });
    if (listId) {
      value = h('span', { class: 'pvalue-wrap' }, value, h('datalist', { id: listId }, ...spec!.values!.map((v) => {
        const o = h('option', {});
        o.value = v;
        return o;
      })));
    }
  }
  return h(
    'div',
    { class: `param${rowErrors.length ? ' invalid' : ''}`, role: 'row' },
    h('span', { class: 'req', title: spec?.required ? 'required' : '' }, spec?.required ? '*' : ''),
    name,
    value,
    h('span', { class: 'ptype muted' }, spec ? spec.type : 'custom'),
    h('button', { class: 'icon', title: `Remove ${p.name || 'parameter'}`, 'aria-label': `Remove ${p.name || 'parameter'}`, onclick: () => (state.params.splice(i, 1), update()) }, icon('close')),
    rowErrors.length ? h('span', { class: 'rowerror' }, rowErrors.join(' ')) : null,
    // An optional row left empty is not sent: say so where it is, rather than drop it silently.
    !rowErrors.length && p.name && p.value === '' && !spec?.required ? h('span', { class: 'rowhint muted' }, 'Empty: left out of the request. Give it a value, or remove the row.') : null,
  );
}

function shapingSection(): HTMLElement {
  const sh = state.shaping;
  const fam = state.family;
  const feats = SHAPING_FEATURES[fam];
  const text = (id: string, label: string, get: () => string, set: (v: string) => void, placeholder = ''): HTMLElement[] => [
    h('label', { for: id }, label),
    h('input', { id, value: get(), placeholder, spellcheck: 'false', oninput: (e) => (set((e.target as HTMLInputElement).value), save(), refreshProblems()) }),
  ];
  const active = JSON.stringify(sh) !== JSON.stringify(EMPTY_SHAPING);
  const filterRow = (f: ShapingFilter, i: number): HTMLElement =>
    h(
      'div',
      { class: 'filter', role: 'group', 'aria-label': `Filter ${i + 1}` },
      h('input', { class: 'ffield', value: f.field, placeholder: fam === 'whm' ? 'field (or *)' : 'field', 'aria-label': `Filter ${i + 1} field`, spellcheck: 'false', oninput: (e) => ((f.field = (e.target as HTMLInputElement).value), save(), refreshProblems()) }),
      h(
        'select',
        { class: 'ftype', 'aria-label': `Filter ${i + 1} match type`, onchange: (e) => ((f.type = (e.target as HTMLSelectElement).value), save(), refreshProblems()) },
        ...FILTER_TYPES[fam].map((t) => h('option', { value: t, selected: (f.type || 'contains') === t }, t)),
      ),
      h('input', { class: 'fvalue', value: f.value, placeholder: 'value', 'aria-label': `Filter ${i + 1} value`, spellcheck: 'false', oninput: (e) => ((f.value = (e.target as HTMLInputElement).value), save(), refreshProblems()) }),
      h('button', { class: 'icon', title: `Remove filter ${i + 1}`, 'aria-label': `Remove filter ${i + 1}`, onclick: () => (sh.filters.splice(i, 1), update()) }, icon('close')),
    );
  const docs = fam === 'whm' ? 'api.sort.*, api.filter.*, api.chunk.*, api.columns.*' : fam === 'uapi' ? 'api.sort, api.filter, api.paginate' : 'api2_sort, api2_filter, api2_paginate, api2_columns';
  return h(
    'details',
    { open: active },
    h('summary', {}, `Output shaping (${docs})`),
    h(
      'div',
      { class: 'grid shaping' },
      ...text('sh-sortField', 'Sort by', () => sh.sortField, (v) => (sh.sortField = v), 'field'),
      h('label', { for: 'sh-sortMethod' }, 'Sort method'),
      h(
        'select',
        { id: 'sh-sortMethod', title: 'Numbers need numeric, or cPanel fails the call', onchange: (e) => ((sh.sortMethod = (e.target as HTMLSelectElement).value), save(), refreshProblems()) },
        h('option', { value: '', selected: !sh.sortMethod }, 'lexicographic (default)'),
        ...SORT_METHODS.filter((m) => m !== 'lexicographic').map((m) => h('option', { value: m, selected: sh.sortMethod === m }, m)),
      ),
      h('label', { for: 'sh-rev' }, 'Reverse'),
      h('input', { id: 'sh-rev', type: 'checkbox', checked: sh.sortReverse, onchange: (e) => ((sh.sortReverse = (e.target as HTMLInputElement).checked), save()) }),
      h('span', {}),
      h('span', {}),
      ...text('sh-pageSize', fam === 'whm' ? 'Chunk size' : 'Page size', () => sh.pageSize, (v) => (sh.pageSize = v), 'e.g. 20'),
      ...text('sh-pageStart', 'Start at record', () => sh.pageStart, (v) => (sh.pageStart = v), '1'),
      ...(feats.columns ? text('sh-columns', 'Columns', () => sh.columns, (v) => (sh.columns = v), 'user, domain') : []),
    ),
    h('div', { class: 'filters' }, ...sh.filters.map(filterRow)),
    sh.filters.length < feats.maxFilters
      ? h('button', { id: 'sh-addFilter', onclick: () => (sh.filters.push({ field: '', type: 'contains', value: '' }), update(), document.querySelectorAll<HTMLInputElement>('.ffield')[sh.filters.length - 1]?.focus()) }, icon('filter'), sh.filters.length ? 'Add another filter' : 'Add a filter')
      : null,
  );
}

function refreshProblems(): void {
  const errs = problems();
  const disabled = busy || errs.length > 0;
  for (const id of ['send', 'sendGroup', 'save']) (document.getElementById(id) as HTMLButtonElement | null)?.toggleAttribute('disabled', id === 'save' ? errs.length > 0 : disabled);
  document.querySelectorAll<HTMLButtonElement>('button[data-lang]').forEach((b) => b.toggleAttribute('disabled', errs.length > 0));
  const p = document.getElementById('problems');
  if (p) {
    p.textContent = errs.map((e) => e.message).join(' ');
    p.classList.toggle('quiet', !touched);
  }
}

function update(): void {
  save();
  render();
}

function focusLast(): void {
  const names = document.querySelectorAll<HTMLInputElement>('.pname');
  names[names.length - 1]?.focus();
}

function post(kind: 'send' | 'sendGroup' | 'save' | 'copy', language?: CodeLanguage): void {
  if (problems().length) {
    // A send tried with something missing: now the problems are errors.
    touched = true;
    refreshProblems();
    return;
  }
  const snapshot: BuilderState = JSON.parse(JSON.stringify(state)) as BuilderState;
  if (!onBehalf()) snapshot.account = '';
  if (kind === 'copy') vscode.postMessage({ type: 'copy', language: language!, state: snapshot });
  else vscode.postMessage({ type: kind, state: snapshot });
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseHostMessage(event.data);
  if (!msg) return;
  switch (msg.type) {
    case 'init':
      servers = msg.servers;
      functions = msg.functions;
      if (msg.state) state = msg.state;
      state.body ??= { kind: 'none' };
      // A server is always chosen to start with: the only one, or the first.
      if (!servers.some((x) => x.id === state.serverId) && servers.length) state.serverId = servers[0]!.id;
      // A fresh form on a WHM server starts on WHM API 1; a family the server cannot serve is replaced.
      if (server() && (!state.functionName || !familiesFor(server()).some((f) => f.value === state.family))) state.family = familiesFor(server())[0]!.value;
      if (onBehalf()) vscode.postMessage({ type: 'loadAccounts', serverId: state.serverId });
      update();
      break;
    case 'servers':
      servers = msg.servers;
      render();
      break;
    case 'accounts':
      if (msg.serverId !== state.serverId) return;
      accounts = msg.accounts;
      render();
      break;
    case 'sendNow':
      if (!busy) post('send');
      break;
    case 'sending':
      busy = true;
      lastStatus = [h('p', { class: 'muted' }, icon('loading'), ' Sending…')];
      render();
      break;
    case 'result': {
      busy = false;
      const r = msg.result;
      lastStatus = [
        h(
          'p',
          { class: `verdict ${r.ok ? 'ok' : 'fail'}` },
          icon(r.ok ? 'pass' : 'error'),
          ` ${r.verdict}`,
          h('span', { class: 'muted' }, ` · ${r.status ? `HTTP ${r.status}` : 'no answer'} · ${r.ms} ms · the result opened in an editor tab`),
        ),
        ...(r.hint ? [h('p', { class: 'hint' }, r.hint)] : []),
        ...(r.errors.length && !r.ok ? [h('ul', { class: 'errors' }, ...r.errors.slice(0, 10).map((e) => h('li', {}, e)))] : []),
      ];
      render();
      break;
    }
    case 'notice':
      busy = false;
      lastStatus = [h('p', { class: msg.level === 'error' ? 'verdict fail' : 'muted' }, msg.message)];
      render();
      break;
    case 'file':
      if (state.body.kind === 'files' && state.body.files[msg.index]) {
        state.body.files[msg.index]!.path = msg.path;
        update();
      }
      break;
  }
});

render();
vscode.postMessage({ type: 'ready' });
