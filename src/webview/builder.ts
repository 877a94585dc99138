import {
  emptyState,
  EMPTY_SHAPING,
  parseHostMessage,
  parseState,
  type BuilderFamily,
  type BuilderState,
  CODE_LANGUAGES,
  type CodeLanguage,
  type FunctionSummary,
  type ServerSummary,
  type WebviewToHost,
} from '../shared/protocol';
import {
  actionsView,
  ChoiceGate,
  functionInfo,
  functionMatches,
  methodView,
  optionalParams,
  problemsView,
  type ProblemsView,
} from '../shared/builderView';
import { callsOnBehalf, familiesOn, familyLabel, FAMILIES, isSecretParam } from '../shared/families';
import { Requests } from '../shared/requests';
import { bodyForFunction, paramsForFunction, stateProblems } from '../shared/requestRules';
import { h, icon } from './dom';
import { FILTER_TYPES, SHAPING_FEATURES, SORT_METHODS } from '../shared/shaping';

/**
 * The request builder, in the webview. The page is built once, in sections (server, function, parameters,
 * body, shaping, actions, status); a change asks each section to bring its own DOM in line with the state,
 * and a section changes only what differs: values, classes and messages in place, and its DOM rebuilt only
 * when its structure changes (then with the focus and caret kept). A field a person is typing in is never
 * written to or rebuilt. Every text from the host (and so from servers) is set as textContent, never as
 * HTML. State survives reloads through getState/setState.
 */

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Ask = 'send' | 'sendGroup' | 'runRows' | 'save' | 'copy' | 'loadAccounts' | 'pickFile';

const vscode = acquireVsCodeApi();
let state: BuilderState = parseState(vscode.getState()) ?? emptyState();
let servers: ServerSummary[] = [];
let functions: FunctionSummary[] = [];
let accounts: { user: string; domain: string }[] = [];
/** Each request to the host has a seq; a reply counts only for the newest request of its kind. */
const requests = new Requests<Ask>();
/** The form line is quiet until the person changes something or tries to send. */
let touched = false;
/** A send (or save, copy) was tried with problems: every problem is shown now. */
let attempted = false;
document.addEventListener('input', () => (touched = true), true);
document.addEventListener('change', (e) => (e.target as HTMLElement | null)?.id !== 'addOptional' && (touched = true), true);

const sending = (): boolean => requests.pending('send');

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

function familiesFor(s: ServerSummary | undefined): { value: BuilderFamily; label: string }[] {
  return familiesOn(s?.service).map((w) => ({ value: w.family, label: familyLabel(w.family, w.onBehalf) }));
}

function onBehalf(): boolean {
  const s = server();
  return s !== undefined && callsOnBehalf(state.family, s.service);
}

function problems(): { row?: number; message: string }[] {
  return stateProblems(state, server()?.service, currentFunction());
}

// ── in-place DOM updates ────────────────────────────────────────────────────

/** Set while a new state comes from the host (a form opened again with other values): every field takes it. */
let replacing = false;

/** Sets a field's value, unless it already has it or the person is in it (what they type is never overwritten). */
function setValue(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, v: string): void {
  if (el.value !== v && (replacing || document.activeElement !== el)) el.value = v;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function setAttr(el: HTMLElement, name: string, v: string | undefined): void {
  if (v === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

function show(el: HTMLElement, on: boolean): void {
  if (el.hidden === on) el.hidden = !on;
}

function option(value: string, label: string, title?: string): HTMLOptionElement {
  const o = h('option', { value }, label);
  if (title !== undefined) o.label = title;
  return o;
}

function datalistOption(value: string, label?: string): HTMLOptionElement {
  const o = h('option', {});
  o.value = value;
  if (label !== undefined) o.label = label;
  return o;
}

/** "#id", or ".class@n" (the n-th element of its first class in `scope`): what identifies a field across a rebuild. */
function focusKey(scope: HTMLElement, el: HTMLElement): string | undefined {
  if (el.id) return `#${el.id}`;
  const cls = el.classList[0];
  return cls ? `.${cls}@${[...scope.querySelectorAll(`.${cls}`)].indexOf(el)}` : undefined;
}

/** Rebuilds part of the page; the field in it that had the focus (and its caret) gets them back. */
function keepFocus(scope: HTMLElement, rebuild: () => void): void {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !scope.contains(active)) return rebuild();
  const key = focusKey(scope, active);
  const caret =
    active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? [active.selectionStart, active.selectionEnd] : undefined;
  rebuild();
  if (!key) return;
  const [cls, n] = key.slice(1).split('@') as [string, string];
  const el = key.startsWith('#') ? document.getElementById(key.slice(1)) : scope.querySelectorAll<HTMLElement>(`.${cls}`)[Number(n)];
  if (!el) return;
  el.focus();
  try {
    const [start, end] = caret ?? [null, null];
    if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && start !== null) el.setSelectionRange(start, end ?? start);
  } catch {
    /* an input type without a caret (a checkbox) */
  }
}

interface Section {
  readonly el: HTMLElement;
  update(): void;
}

// ── server, API family, account ─────────────────────────────────────────────

function targetSection(): Section {
  const serverSelect = h('select', {
    id: 'server',
    'aria-label': 'Server',
    onchange: (e) => {
      state.serverId = (e.target as HTMLSelectElement).value;
      if (!state.functionName || !familiesFor(server()).some((f) => f.value === state.family))
        state.family = familiesFor(server())[0]!.value;
      accounts = [];
      if (onBehalf()) loadAccounts();
      changed();
    },
  });
  const familySelect = h('select', {
    id: 'family',
    'aria-label': 'API',
    onchange: (e) => {
      state.family = (e.target as HTMLSelectElement).value as BuilderFamily;
      if (state.family === 'whm' || !currentFunction()) state.functionName = '';
      if (onBehalf() && !accounts.length) loadAccounts();
      changed();
    },
  });
  const account = h('input', {
    id: 'account',
    list: 'accounts',
    placeholder: 'cPanel username',
    'aria-label': 'Account',
    spellcheck: 'false',
    oninput: (e) => {
      state.account = (e.target as HTMLInputElement).value.trim().toLowerCase();
      changed();
    },
  });
  const accountList = h('datalist', { id: 'accounts' });
  const accountRow = h('div', { class: 'grid' }, h('label', { for: 'account' }, 'Account'), account, accountList);
  const el = h(
    'div',
    {},
    h('div', { class: 'grid' }, h('label', { for: 'server' }, 'Server'), serverSelect, h('label', { for: 'family' }, 'API'), familySelect),
    accountRow,
  );
  let serversKey: string | undefined;
  let familiesKey: string | undefined;
  let accountsKey: string | undefined;
  return {
    el,
    update() {
      // Options are replaced only when the list changed; the select itself stays (and keeps the focus).
      const sk = JSON.stringify(servers.map((s) => [s.id, s.label, s.description]));
      if (sk !== serversKey) {
        serversKey = sk;
        serverSelect.replaceChildren(
          option('', servers.length ? 'Choose a server…' : 'No servers: add one in the cPanel view'),
          ...servers.map((x) => option(x.id, `${x.label} — ${x.description}`)),
        );
      }
      setValue(serverSelect, state.serverId);
      const fams = familiesFor(server());
      const fk = JSON.stringify(fams);
      if (fk !== familiesKey) {
        familiesKey = fk;
        familySelect.replaceChildren(...fams.map((f) => option(f.value, f.label)));
      }
      setValue(familySelect, state.family);
      show(accountRow, onBehalf());
      setValue(account, state.account);
      const ak = JSON.stringify(accounts);
      if (ak !== accountsKey) {
        accountsKey = ak;
        accountList.replaceChildren(...accounts.map((a) => datalistOption(a.user, a.domain)));
      }
    },
  };
}

// ── the function line: name, method, what it is ─────────────────────────────

function functionSection(): Section {
  const list = h('datalist', { id: 'functions' });
  const input = h('input', {
    id: 'function',
    list: 'functions',
    'aria-label': 'Function',
    spellcheck: 'false',
    autocomplete: 'off',
    onchange: (e) => {
      const el = e.target as HTMLInputElement;
      state.functionName = el.value.trim();
      // A partial name that means one function is that function.
      if (!currentFunction()) {
        const m = functionMatches(functions, catalogFamily(), state.functionName);
        if (m.length === 1) state.functionName = m[0]!.name;
      }
      // The person committed the name (Enter or Tab): the field shows what it became.
      if (el.value !== state.functionName) el.value = state.functionName;
      chooseFunction(currentFunction());
    },
  });
  const radios = (['GET', 'POST'] as const).map((m) =>
    h('input', {
      type: 'radio',
      name: 'method',
      value: m,
      onchange: () => {
        state.method = m;
        state.secretInUrl = m === 'GET' && methodView(state, currentFunction()).secret ? true : undefined;
        changed();
      },
    }),
  );
  const methodGroup = h(
    'div',
    { class: 'segmented', role: 'radiogroup', 'aria-label': 'HTTP method' },
    ...radios.map((r) => h('label', {}, r, r.value)),
  );
  const info = h('p', { class: 'fninfo' });
  const warning = h('p', { class: 'fnwarning', role: 'alert' });
  const el = h(
    'div',
    {},
    h('div', { class: 'grid' }, h('label', { for: 'function' }, 'Function'), h('div', { class: 'fnline' }, input, methodGroup), list),
    info,
    warning,
  );
  let listKey: string | undefined;
  let infoKey: string | undefined;
  return {
    el,
    update() {
      const fam = catalogFamily();
      const inFamily = functions.filter((f) => f.family === fam);
      const lk = `${fam ?? ''}:${inFamily.length}:${functions.length}`;
      if (lk !== listKey) {
        listKey = lk;
        list.replaceChildren(...inFamily.map((f) => datalistOption(f.name, f.title)));
        setAttr(
          input,
          'placeholder',
          fam ? `Search ${inFamily.length} functions by name or title` : 'Module/function, e.g. Email/listpops',
        );
      }
      setValue(input, state.functionName);
      const fn = currentFunction();
      const m = methodView(state, fn);
      for (const r of radios) if (r.checked !== (m.shown === r.value)) r.checked = m.shown === r.value;
      const model = functionInfo(state, fn, functions);
      const ik = JSON.stringify(model);
      if (ik !== infoKey) {
        infoKey = ik;
        keepFocus(info, () => info.replaceChildren(...infoContent(model)));
        info.classList.toggle('muted', model.kind === 'unknown');
        show(info, model.kind !== 'none');
      }
      setText(warning, m.warning ?? '');
      show(warning, m.warning !== undefined);
    },
  };
}

function infoContent(model: ReturnType<typeof functionInfo>): (Node | string)[] {
  switch (model.kind) {
    case 'none':
      return [];
    case 'unknown':
      return ['Not in the catalog: add its parameters by hand.'];
    case 'function':
      return [
        h('strong', {}, model.title),
        ` · ${model.family} · ${model.method} · `,
        h(
          'a',
          { href: '#', onclick: (e) => (e.preventDefault(), vscode.postMessage({ type: 'openDocs', url: model.docs })) },
          'documentation',
        ),
      ];
    case 'suggestions':
      return [
        'Did you mean ',
        ...model.names.flatMap((m, i) => [
          i ? ', ' : '',
          h('a', { href: '#', class: 'suggestion', title: m.title, onclick: (e) => (e.preventDefault(), pickSuggestion(m.name)) }, m.name),
        ]),
        '?',
      ];
  }
}

function pickSuggestion(name: string): void {
  state.functionName = name;
  chooseFunction(currentFunction());
}

/** A function chosen: its required parameters (keeping values typed), its method and body; the rows start afresh. */
function chooseFunction(fn: FunctionSummary | undefined): void {
  if (fn) {
    state.params = paramsForFunction(state.params, fn);
    state.method = fn.method;
    state.body = bodyForFunction(fn);
    params.reset();
  }
  changed();
}

// ── parameters ──────────────────────────────────────────────────────────────

interface RowView {
  el: HTMLElement;
  name: HTMLInputElement;
  /** Holds the value control and its datalist. */
  slot: HTMLElement;
  value: HTMLInputElement | HTMLSelectElement;
  values: HTMLDataListElement;
  valuesKey: string;
  req: HTMLElement;
  type: HTMLElement;
  remove: HTMLButtonElement;
  error: HTMLElement;
  hint: HTMLElement;
  /** The person changed this row: its problems are shown. */
  touched: boolean;
}

let rowIds = 0;

function paramsSection(): Section & { reset(): void; touched(row: number): boolean } {
  const rows = h('div', { class: 'params', role: 'table' });
  const none = h('p', { class: 'muted' }, 'No parameters.');
  const views: RowView[] = [];
  const gate = new ChoiceGate();
  const optional = h('select', {
    id: 'addOptional',
    'aria-label': 'Add an optional parameter',
    title: 'Choose one, then Enter (or Add) adds it',
  });
  const addChosen = h('button', { class: 'secondary', id: 'addOptionalButton', onclick: () => addOptional() }, icon('add'), 'Add');
  const optionalBox = h('span', { class: 'optional' }, optional, addChosen);
  optional.addEventListener('keydown', (e) => {
    const what = gate.keydown(e.key, e.ctrlKey || e.metaKey || e.altKey || e.shiftKey);
    if (what === 'apply') {
      e.preventDefault();
      addOptional();
    } else if (what === 'browse') setTimeout(() => gate.settle(), 0);
  });
  optional.addEventListener('change', () => (gate.change() === 'apply' ? addOptional() : (addChosen.disabled = optional.value === '')));
  const addBlank = h(
    'button',
    {
      class: 'secondary',
      id: 'addParam',
      onclick: () => {
        state.params.push({ name: '', value: '' });
        changed();
        views.at(-1)?.name.focus();
      },
    },
    icon('add'),
    'Add parameter',
  );
  const el = h(
    'section',
    { 'aria-label': 'Parameters' },
    h('h2', {}, 'Parameters'),
    rows,
    none,
    h('div', { class: 'row' }, addBlank, optionalBox),
  );

  function addOptional(): void {
    const name = optional.value;
    if (!name) return;
    state.params.push({ name, value: '' });
    changed();
    optional.value = '';
    addChosen.disabled = true;
    // Straight on to its value.
    views.at(-1)?.value.focus();
  }

  function valueControl(view: RowView, boolean: boolean): HTMLInputElement | HTMLSelectElement {
    const onValue = (e: Event): void => {
      const i = views.indexOf(view);
      if (i < 0) return;
      state.params[i]!.value = (e.target as HTMLInputElement | HTMLSelectElement).value;
      view.touched = true;
      changed();
    };
    if (boolean)
      return h('select', { class: 'pvalue', onchange: onValue }, option('', '(not set)'), option('1', '1 (yes)'), option('0', '0 (no)'));
    return h('input', { class: 'pvalue', spellcheck: 'false', oninput: onValue });
  }

  function makeRow(): RowView {
    const view = {} as RowView;
    view.touched = false;
    view.req = h('span', { class: 'req' });
    view.name = h('input', {
      class: 'pname',
      spellcheck: 'false',
      oninput: (e) => {
        const i = views.indexOf(view);
        if (i < 0) return;
        state.params[i]!.name = (e.target as HTMLInputElement).value.trim();
        view.touched = true;
        changed();
      },
    });
    view.values = h('datalist', { id: `values-${++rowIds}` });
    view.valuesKey = '';
    view.value = valueControl(view, false);
    view.slot = h('span', { class: 'pvalue-wrap' }, view.value, view.values);
    view.type = h('span', { class: 'ptype muted' });
    view.remove = h('button', { class: 'icon', onclick: () => removeRow(view) }, icon('close'));
    view.error = h('span', { class: 'rowerror' });
    // An optional row left empty is not sent: say so where it is, rather than drop it silently.
    view.hint = h('span', { class: 'rowhint muted' });
    view.el = h('div', { class: 'param', role: 'row' }, view.req, view.name, view.slot, view.type, view.remove, view.error, view.hint);
    return view;
  }

  function removeRow(view: RowView): void {
    const i = views.indexOf(view);
    if (i < 0) return;
    state.params.splice(i, 1);
    views.splice(i, 1);
    view.el.remove();
    changed();
    // The focus goes to the row that took its place (or the one before, or Add parameter), not to the page.
    (views[i]?.remove ?? views[i - 1]?.remove ?? addBlank).focus();
  }

  function updateRow(view: RowView, i: number, shown: ProblemsView, rowProblems: number): void {
    const p = state.params[i]!;
    const spec = currentFunction()?.params.find((x) => x.name === p.name);
    setValue(view.name, p.name);
    view.name.readOnly = spec?.required === true;
    setAttr(view.name, 'aria-label', `Parameter ${i + 1} name`);
    const boolean = spec?.type === 'boolean';
    if (boolean !== view.value instanceof HTMLSelectElement) {
      // A different kind of control (a yes/no list, or text): the one part of a row ever rebuilt.
      keepFocus(view.slot, () => {
        const next = valueControl(view, boolean);
        view.value.replaceWith(next);
        view.value = next;
      });
    }
    const v = view.value;
    if (v instanceof HTMLInputElement) {
      const secret = isSecretParam(p.name);
      setAttr(v, 'type', secret ? 'password' : undefined);
      setAttr(v, 'placeholder', secret ? 'or ${env:NAME}' : undefined);
      setAttr(v, 'inputmode', spec?.type === 'integer' ? 'numeric' : undefined);
      const vk = JSON.stringify(spec?.values ?? []);
      if (vk !== view.valuesKey) {
        view.valuesKey = vk;
        view.values.replaceChildren(...(spec?.values ?? []).map((x) => datalistOption(x)));
      }
      setAttr(v, 'list', spec?.values?.length ? view.values.id : undefined);
    }
    setValue(v, p.value);
    setAttr(v, 'aria-label', `${p.name || `Parameter ${i + 1}`} value`);
    setText(view.req, spec?.required ? '*' : '');
    setAttr(view.req, 'title', spec?.required ? 'required' : '');
    setText(view.type, spec ? spec.type : 'custom');
    const label = `Remove ${p.name || 'parameter'}`;
    setAttr(view.remove, 'title', label);
    setAttr(view.remove, 'aria-label', label);
    const errors = shown.rows[i] ?? [];
    view.el.classList.toggle('invalid', errors.length > 0);
    setText(view.error, errors.join(' '));
    show(view.error, errors.length > 0);
    const hint =
      !rowProblems && p.name && p.value === '' && !spec?.required
        ? 'Empty: left out of the request. Give it a value, or remove the row.'
        : '';
    setText(view.hint, hint);
    show(view.hint, hint !== '');
  }

  let optionalKey: string | undefined;
  return {
    el,
    reset() {
      for (const v of views.splice(0)) v.el.remove();
    },
    touched: (row) => views[row]?.touched ?? false,
    update() {
      while (views.length > state.params.length) views.pop()!.el.remove();
      while (views.length < state.params.length) {
        const v = makeRow();
        views.push(v);
        rows.append(v.el);
      }
      const all = problems();
      const shown = problemsView(all, views.length, (i) => views[i]!.touched, touched, attempted);
      views.forEach((v, i) => updateRow(v, i, shown, all.filter((p) => p.row === i).length));
      show(rows, views.length > 0);
      show(none, views.length === 0);
      const opts = optionalParams(currentFunction(), state.params);
      const ok = JSON.stringify(opts.map((x) => [x.name, x.type]));
      if (ok !== optionalKey) {
        optionalKey = ok;
        optional.replaceChildren(
          option('', `Add optional parameter (${opts.length})…`),
          ...opts.map((x) => option(x.name, `${x.name} (${x.type})`)),
        );
        addChosen.disabled = true;
      }
      show(optionalBox, opts.length > 0);
    },
  };
}

// ── body: none, a JSON document, or files ───────────────────────────────────

function bodySection(): Section {
  const kind = h(
    'select',
    {
      id: 'bodyKind',
      'aria-label': 'Body',
      onchange: (e) => {
        const k = (e.target as HTMLSelectElement).value;
        if (k === 'json') state.body = { kind: 'json', text: '{\n}' };
        else if (k === 'files') state.body = { kind: 'files', files: [{ name: 'file-1', path: '' }] };
        else state.body = { kind: 'none' };
        if (state.body.kind !== 'none') state.method = 'POST';
        changed();
      },
    },
    option('none', 'No body (parameters as a query or form)'),
    option('json', 'JSON body (application/json)'),
    option('files', 'Upload files (multipart/form-data)'),
  );
  const json = h('textarea', {
    id: 'jsonBody',
    class: 'json',
    rows: '8',
    spellcheck: 'false',
    'aria-label': 'JSON body',
    oninput: (e) => {
      if (state.body.kind === 'json') state.body.text = (e.target as HTMLTextAreaElement).value;
      changed();
    },
  });
  const files = h('div', { class: 'files' });
  const addFile = h(
    'button',
    {
      class: 'secondary',
      id: 'addFile',
      onclick: () => {
        if (state.body.kind === 'files') state.body.files.push({ name: `file-${state.body.files.length + 1}`, path: '' });
        changed();
        files.querySelectorAll<HTMLInputElement>('.fname')[files.children.length - 1]?.focus();
      },
    },
    icon('add'),
    'Add file',
  );
  const el = h('section', { 'aria-label': 'Body' }, h('h2', {}, 'Body'), kind, json, files, addFile);
  const fileRow = (i: number): HTMLElement =>
    h(
      'div',
      { class: 'row filerow' },
      h('input', {
        class: 'fname',
        'aria-label': `Field of file ${i + 1}`,
        spellcheck: 'false',
        oninput: (e) => {
          if (state.body.kind === 'files') state.body.files[i]!.name = (e.target as HTMLInputElement).value.trim();
          changed();
        },
      }),
      h('span', { class: 'fpath' }),
      h('button', { class: 'secondary fpick', 'data-file': String(i), onclick: () => pickFile(i) }, icon('folder-opened'), 'Choose…'),
      h(
        'button',
        {
          class: 'secondary fremove',
          'aria-label': `Remove file ${i + 1}`,
          onclick: () => (state.body.kind === 'files' && state.body.files.splice(i, 1), changed()),
        },
        icon('trash'),
      ),
    );
  return {
    el,
    update() {
      const body = state.body;
      show(el, state.method === 'POST' || body.kind !== 'none' || currentFunction()?.params.some((x) => x.body) === true);
      setValue(kind, body.kind);
      show(json, body.kind === 'json');
      if (body.kind === 'json') setValue(json, body.text);
      const list = body.kind === 'files' ? body.files : [];
      // The rows are rebuilt only when one is added or removed.
      if (files.children.length !== list.length) keepFocus(files, () => files.replaceChildren(...list.map((_, i) => fileRow(i))));
      list.forEach((f, i) => {
        const row = files.children[i] as HTMLElement;
        setValue(row.querySelector<HTMLInputElement>('.fname')!, f.name);
        const path = row.querySelector<HTMLElement>('.fpath')!;
        setText(path, f.path || 'no file chosen');
        path.classList.toggle('muted', !f.path);
      });
      show(files, body.kind === 'files');
      show(addFile, body.kind === 'files');
    },
  };
}

// ── output shaping ──────────────────────────────────────────────────────────

function shapingSection(): Section & { reset(): void } {
  const summary = h('summary', {});
  const content = h('div', {});
  const el = h('details', {}, summary, content);
  /** The fields of the current structure, each with how it reads the state. */
  let fields: { el: HTMLInputElement | HTMLSelectElement; get: () => string | boolean }[] = [];
  let structure: string | undefined;

  function build(): void {
    const sh = state.shaping;
    const fam = state.family;
    const feats = SHAPING_FEATURES[fam];
    fields = [];
    const field = <T extends HTMLInputElement | HTMLSelectElement>(el: T, get: () => string | boolean): T => (fields.push({ el, get }), el);
    const text = (id: string, label: string, get: () => string, set: (v: string) => void, placeholder = ''): HTMLElement[] => [
      h('label', { for: id }, label),
      field(
        h('input', { id, placeholder, spellcheck: 'false', oninput: (e) => (set((e.target as HTMLInputElement).value), changed()) }),
        get,
      ),
    ];
    const filterRow = (i: number): HTMLElement => {
      const f = (): (typeof sh.filters)[number] => state.shaping.filters[i]!;
      return h(
        'div',
        { class: 'filter', role: 'group', 'aria-label': `Filter ${i + 1}` },
        field(
          h('input', {
            class: 'ffield',
            placeholder: fam === 'whm' ? 'field (or *)' : 'field',
            'aria-label': `Filter ${i + 1} field`,
            spellcheck: 'false',
            oninput: (e) => ((f().field = (e.target as HTMLInputElement).value), changed()),
          }),
          () => f().field,
        ),
        field(
          h(
            'select',
            {
              class: 'ftype',
              'aria-label': `Filter ${i + 1} match type`,
              onchange: (e) => ((f().type = (e.target as HTMLSelectElement).value), changed()),
            },
            ...FILTER_TYPES[fam].map((t) => option(t, t)),
          ),
          () => f().type || 'contains',
        ),
        field(
          h('input', {
            class: 'fvalue',
            placeholder: 'value',
            'aria-label': `Filter ${i + 1} value`,
            spellcheck: 'false',
            oninput: (e) => ((f().value = (e.target as HTMLInputElement).value), changed()),
          }),
          () => f().value,
        ),
        h(
          'button',
          {
            class: 'icon fremove',
            title: `Remove filter ${i + 1}`,
            'aria-label': `Remove filter ${i + 1}`,
            onclick: () => (state.shaping.filters.splice(i, 1), changed()),
          },
          icon('close'),
        ),
      );
    };
    const docs = {
      whm: 'api.sort.*, api.filter.*, api.chunk.*, api.columns.*',
      uapi: 'api.sort, api.filter, api.paginate',
      api2: 'api2_sort, api2_filter, api2_paginate, api2_columns',
    }[fam];
    setText(summary, `Output shaping (${docs})`);
    const addFilter =
      sh.filters.length < feats.maxFilters
        ? h(
            'button',
            {
              id: 'sh-addFilter',
              onclick: () => {
                state.shaping.filters.push({ field: '', type: 'contains', value: '' });
                changed();
                content.querySelectorAll<HTMLInputElement>('.ffield')[state.shaping.filters.length - 1]?.focus();
              },
            },
            icon('filter'),
            sh.filters.length ? 'Add another filter' : 'Add a filter',
          )
        : null;
    const parts: (HTMLElement | null)[] = [
      h(
        'div',
        { class: 'grid shaping' },
        ...text(
          'sh-sortField',
          'Sort by',
          () => state.shaping.sortField,
          (v) => (state.shaping.sortField = v),
          'field',
        ),
        h('label', { for: 'sh-sortMethod' }, 'Sort method'),
        field(
          h(
            'select',
            {
              id: 'sh-sortMethod',
              title: 'Numbers need numeric, or cPanel fails the call',
              onchange: (e) => ((state.shaping.sortMethod = (e.target as HTMLSelectElement).value), changed()),
            },
            option('', 'lexicographic (default)'),
            ...SORT_METHODS.filter((m) => m !== 'lexicographic').map((m) => option(m, m)),
          ),
          () => state.shaping.sortMethod,
        ),
        // The checkbox and its words in one cell, under the sort fields: in a narrow builder the row is one line, not a
        // label with a lone box under it.
        h('span', { class: 'spacer' }),
        h(
          'label',
          { class: 'check', id: 'sh-rev-row' },
          field(
            h('input', {
              id: 'sh-rev',
              type: 'checkbox',
              onchange: (e) => ((state.shaping.sortReverse = (e.target as HTMLInputElement).checked), changed()),
            }),
            () => state.shaping.sortReverse,
          ),
          'Reverse the order',
        ),
        h('span', { class: 'spacer' }),
        h('span', { class: 'spacer' }),
        ...text(
          'sh-pageSize',
          fam === 'whm' ? 'Chunk size' : 'Page size',
          () => state.shaping.pageSize,
          (v) => (state.shaping.pageSize = v),
          'e.g. 20',
        ),
        ...text(
          'sh-pageStart',
          'Start at record',
          () => state.shaping.pageStart,
          (v) => (state.shaping.pageStart = v),
          '1',
        ),
        ...(feats.columns
          ? text(
              'sh-columns',
              'Columns',
              () => state.shaping.columns,
              (v) => (state.shaping.columns = v),
              'user, domain',
            )
          : []),
      ),
      h('div', { class: 'filters' }, ...sh.filters.map((_, i) => filterRow(i))),
      addFilter,
    ];
    content.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  }

  return {
    el,
    /** A new form: open when it shapes anything. */
    reset() {
      el.open = JSON.stringify(state.shaping) !== JSON.stringify(EMPTY_SHAPING);
    },
    update() {
      const on = FAMILIES[state.family].shaping !== undefined;
      show(el, on);
      if (!on) return;
      const s = `${state.family}:${state.shaping.filters.length}`;
      if (s !== structure) {
        structure = s;
        keepFocus(content, build);
      }
      for (const f of fields) {
        const v = f.get();
        if (typeof v === 'boolean') (f.el as HTMLInputElement).checked = v;
        else setValue(f.el, v);
      }
    },
  };
}

// ── actions and the form's problems ─────────────────────────────────────────

function actionsSection(): Section {
  const sendIcon = icon('play');
  const sendLabel = h('span', {}, 'Send');
  // The shortcut is said where the button is: Ctrl+Enter (⌘+Enter on a Mac).
  const sendKey = /Mac/i.test(navigator.platform) ? '⌘+Enter' : 'Ctrl+Enter';
  const send = h(
    'button',
    {
      id: 'send',
      class: 'primary',
      title: `Send (${sendKey}); Escape cancels a send`,
      'aria-keyshortcuts': /Mac/i.test(navigator.platform) ? 'Meta+Enter' : 'Control+Enter',
      onclick: () => post('send'),
    },
    sendIcon,
    sendLabel,
  );
  const cancel = h(
    'button',
    { id: 'cancel', class: 'secondary', title: 'Cancel the send (Escape)', onclick: cancelSend },
    icon('debug-stop'),
    'Cancel',
  );
  const group = h(
    'button',
    {
      id: 'sendGroup',
      title: 'Send this request to every server of a group (or, on WHM, on behalf of every account)',
      onclick: () => post('sendGroup'),
    },
    icon('run-all'),
    'Send to Group…',
  );
  const rowsButton = h(
    'button',
    {
      id: 'runRows',
      title: 'Send this request once for each row of a CSV or JSON file: ${row.COLUMN} in a value is filled from the row',
      onclick: () => post('runRows'),
    },
    icon('table'),
    'Run for Each Row…',
  );
  const saveButton = h('button', { id: 'save', onclick: () => post('save') }, icon('save'), 'Save as Snippet');
  const names: Record<CodeLanguage, string> = {
    curl: 'curl',
    perl: 'Perl',
    php: 'PHP',
    python: 'Python',
    node: 'Node',
    server: 'On the server',
  };
  const copies = CODE_LANGUAGES.map((l) =>
    h(
      'button',
      {
        class: 'secondary',
        'data-lang': l,
        onclick: () => post('copy', l),
        ...(l === 'server' ? { title: 'whmapi1, uapi or cpapi2 on the server itself, as root' } : {}),
      },
      names[l],
    ),
  );
  const form = h('span', { class: 'formproblems' });
  const pending = h('span', { class: 'pending' });
  const line = h('p', { id: 'problems' }, form, pending);
  const el = h(
    'div',
    {},
    h('div', { class: 'actions' }, send, cancel, group, rowsButton, saveButton, h('span', { class: 'copylabel' }, 'Copy as'), ...copies),
    line,
  );
  return {
    el,
    update() {
      const all = problems();
      const a = actionsView(sending(), all.length);
      send.disabled = a.send.disabled;
      setText(sendLabel, a.send.label);
      sendIcon.className = `codicon codicon-${a.send.icon}`;
      send.setAttribute('aria-busy', String(sending()));
      show(cancel, a.cancel.shown);
      group.disabled = a.sendGroup.disabled;
      rowsButton.disabled = a.sendGroup.disabled;
      saveButton.disabled = a.save.disabled;
      for (const c of copies) c.disabled = a.copy.disabled;
      const v = problemsView(all, state.params.length, (i) => params.touched(i), touched, attempted);
      setText(form, v.form.join(' '));
      setText(pending, v.pending.length ? `${v.form.length ? ' ' : ''}Still needed: ${v.pending.join(' ')}` : '');
      line.className = v.loud ? 'problems' : 'problems quiet';
      setAttr(line, 'role', v.loud ? 'alert' : 'status');
    },
  };
}

// ── the answer to the last request ──────────────────────────────────────────

function statusSection(): Section & { set(content: Node[]): void } {
  const el = h('section', { id: 'status', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    update() {},
    set(content) {
      el.replaceChildren(...content);
    },
  };
}

// ── the page ────────────────────────────────────────────────────────────────

const target = targetSection();
const fnline = functionSection();
const params = paramsSection();
const body = bodySection();
const shaping = shapingSection();
const actions = actionsSection();
const status = statusSection();
const sections: Section[] = [target, fnline, params, body, shaping, actions, status];

/** The state changed: saved, and each section brings its own DOM in line. */
function changed(): void {
  save();
  for (const s of sections) s.update();
}

function loadAccounts(): void {
  vscode.postMessage({ type: 'loadAccounts', seq: requests.ask('loadAccounts'), serverId: state.serverId });
}

function pickFile(index: number): void {
  vscode.postMessage({ type: 'pickFile', seq: requests.ask('pickFile'), index });
}

function cancelSend(): void {
  const seq = requests.current('send');
  if (seq !== undefined) vscode.postMessage({ type: 'cancel', seq });
}

function post(kind: 'send' | 'sendGroup' | 'runRows' | 'save' | 'copy', language?: CodeLanguage): void {
  // One send at a time, and nothing that reads the form while it runs.
  if (sending()) return;
  if (problems().length) {
    // A send tried with something missing: now the problems are errors, at their fields.
    touched = true;
    attempted = true;
    changed();
    return;
  }
  const snapshot: BuilderState = JSON.parse(JSON.stringify(state)) as BuilderState;
  if (!onBehalf()) snapshot.account = '';
  const seq = requests.ask(kind);
  if (kind === 'copy') vscode.postMessage({ type: 'copy', seq, language: language!, state: snapshot });
  else vscode.postMessage({ type: kind, seq, state: snapshot });
  if (kind === 'send') {
    status.set([h('p', { class: 'muted' }, icon('loading'), ' Sending…')]);
    changed();
  }
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && sending()) {
    e.preventDefault();
    cancelSend();
  }
});

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseHostMessage(event.data);
  if (!msg) return;
  switch (msg.type) {
    case 'init':
      servers = msg.servers;
      functions = msg.functions;
      if (msg.state) state = msg.state;
      // A server is always chosen to start with: the only one, or the first.
      if (!servers.some((x) => x.id === state.serverId) && servers.length) state.serverId = servers[0]!.id;
      // A fresh form on a WHM server starts on WHM API 1; a family the server cannot serve is replaced.
      if (server() && (!state.functionName || !familiesFor(server()).some((f) => f.value === state.family)))
        state.family = familiesFor(server())[0]!.value;
      if (onBehalf()) loadAccounts();
      params.reset();
      shaping.reset();
      replacing = true;
      try {
        changed();
      } finally {
        replacing = false;
      }
      break;
    case 'servers':
      servers = msg.servers;
      changed();
      break;
    case 'accounts':
      if ((msg.seq !== undefined && !requests.settle(msg.seq, 'loadAccounts')) || msg.serverId !== state.serverId) return;
      accounts = msg.accounts;
      target.update();
      break;
    case 'sendNow':
      post('send');
      break;
    case 'sending':
      // Only the send that waits: a late word about an older one changes nothing.
      if (!requests.answers(msg.seq, 'send')) return;
      status.set([h('p', { class: 'muted' }, icon('loading'), ' Sending…')]);
      break;
    case 'result': {
      if (!requests.settle(msg.seq, 'send')) return;
      const r = msg.result;
      status.set([
        h(
          'p',
          { class: `verdict ${r.ok ? 'ok' : 'fail'}` },
          icon(r.ok ? 'pass' : 'error'),
          ` ${r.verdict}`,
          h(
            'span',
            { class: 'muted' },
            ` · ${r.status ? `HTTP ${r.status}` : 'no answer'} · ${r.ms} ms · the result opened in an editor tab`,
          ),
        ),
        ...(r.hint ? [h('p', { class: 'hint' }, r.hint)] : []),
        ...(r.errors.length && !r.ok ? [h('ul', { class: 'errors' }, ...r.errors.slice(0, 10).map((e) => h('li', {}, e)))] : []),
      ]);
      changed();
      break;
    }
    case 'notice':
      // A notice ends the request it answers (and only that one): a copy's notice does not end a send.
      if (msg.seq !== undefined && !requests.settle(msg.seq, 'send', 'sendGroup', 'runRows', 'save', 'copy', 'pickFile', 'loadAccounts'))
        return;
      status.set([h('p', { class: msg.level === 'error' ? 'verdict fail' : 'muted' }, msg.message)]);
      changed();
      break;
    case 'file':
      if (msg.seq !== undefined && !requests.settle(msg.seq, 'pickFile')) return;
      if (state.body.kind === 'files' && state.body.files[msg.index]) {
        state.body.files[msg.index]!.path = msg.path;
        changed();
      }
      break;
  }
});

document.getElementById('app')!.replaceChildren(h('h1', {}, icon('server-process'), 'Request Builder'), ...sections.map((s) => s.el));
shaping.reset();
changed();
vscode.postMessage({ type: 'ready' });
