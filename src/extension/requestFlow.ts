import * as vscode from 'vscode';
import { FAMILY_NAMES, splitFunction, type ApiRequest, type Family, type Param } from '../core/api/request';
import { Catalog, type CatalogFunction, type CatalogParam } from '../core/catalog';
import { describeServer, SERVICE_NAMES, type ServerProfile } from '../core/servers';
import type { ClientRegistry } from './clients';
import type { ProfileStore } from './profileStore';

/** Where a send starts: nothing chosen yet (palette), or a server, family, account or function (tree). */
export interface SendStart {
  profileId?: string;
  family?: Family;
  asUser?: string;
  functionName?: string;
}

export interface PlannedRequest {
  profile: ServerProfile;
  request: ApiRequest;
  beside?: boolean;
}

interface Item<T> extends vscode.QuickPickItem {
  value: T;
}

async function quickPick<T>(items: Item<T>[], opts: vscode.QuickPickOptions): Promise<T | undefined> {
  const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...opts });
  return chosen?.value;
}

/** Server → family (→ account) → function → parameters, each step skipped when already known. */
export async function planRequest(start: SendStart, profiles: ProfileStore, clients: ClientRegistry): Promise<PlannedRequest | undefined> {
  const all = profiles.profiles();
  if (!all.length) {
    const add = await vscode.window.showInformationMessage('Add a cPanel or WHM server first.', 'Add Server…');
    if (add) await vscode.commands.executeCommand('cpanel.server.add');
    return undefined;
  }
  let profile = start.profileId ? profiles.get(start.profileId) : all.length === 1 ? all[0] : undefined;
  profile ??= await quickPick(
    all.map((p) => ({ label: p.label, description: `${describeServer(p)} · ${SERVICE_NAMES[p.service]}`, value: p })),
    { title: 'Send Request: server', placeHolder: 'Which server?' },
  );
  if (!profile) return undefined;

  let family = start.family;
  let asUser = start.asUser;
  if (!family) {
    if (profile.service !== 'whm') family = 'uapi';
    else {
      const choice = await quickPick<{ family: Family; onBehalf: boolean }>(
        [
          { label: 'WHM API 1', detail: 'Server administration: accounts, packages, DNS, services…', value: { family: 'whm', onBehalf: false } },
          { label: 'UAPI on behalf of an account', detail: 'cPanel functions, run as one of this server\'s accounts', value: { family: 'uapi', onBehalf: true } },
          { label: 'cPanel API 2 on behalf of an account', detail: 'The older cPanel API, run as an account', value: { family: 'api2', onBehalf: true } },
        ],
        { title: `Send Request to ${profile.label}: API`, placeHolder: 'Which API?' },
      );
      if (!choice) return undefined;
      family = choice.family;
      if (!choice.onBehalf) asUser = undefined;
      else if (!asUser) {
        asUser = await pickAccount(profile, clients);
        if (!asUser) return undefined;
      }
    }
  }
  if (family === 'api2' && !asUser) {
    asUser = await pickAccount(profile, clients);
    if (!asUser) return undefined;
  }

  let fnName = start.functionName;
  let fn: CatalogFunction | undefined;
  if (family === 'api2') {
    fnName ??= await vscode.window.showInputBox({
      title: `cPanel API 2 as ${asUser}: function`,
      prompt: 'Module/function, e.g. Email/listpops (API 2 functions are not in the catalog)',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/.test(v.trim()) ? null : 'Write it as Module/function.'),
    });
    if (!fnName) return undefined;
  } else {
    const catalogFamily = family;
    if (!fnName) {
      const fns = Catalog.load().functions.filter((f) => f.family === catalogFamily);
      fn = await quickPick(
        fns.map((f) => ({ label: f.name, description: f.title, detail: f.params.length ? `${f.params.filter((p) => p.required).length} required, ${f.params.filter((p) => !p.required).length} optional parameters` : 'no parameters', value: f })),
        { title: `${FAMILY_NAMES[family]}${asUser ? ` as ${asUser}` : ''} on ${profile.label}: function`, placeHolder: 'Type a function name or words of its title', matchOnDescription: true },
      );
      if (!fn) return undefined;
      fnName = fn.name;
    } else {
      fn = Catalog.load().get(catalogFamily, fnName);
    }
  }
  const parts = splitFunction(family, fnName.trim());
  const params = await askParams(fn, `${fnName}${asUser ? ` as ${asUser}` : ''}`);
  if (!params) return undefined;
  return {
    profile,
    request: { family, ...parts, params, method: fn?.method ?? 'GET', ...(asUser ? { asUser } : {}) },
  };
}

async function pickAccount(profile: ServerProfile, clients: ClientRegistry): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<Item<string>>();
  qp.title = `Accounts on ${profile.label}`;
  qp.placeholder = 'Which account? (or type a username)';
  qp.busy = true;
  qp.ignoreFocusOut = true;
  qp.show();
  const r = await clients.call(profile, { family: 'whm', function: 'listaccts', params: [['want', 'user,domain']] });
  const accts = r.ok ? ((r.data as { acct?: { user: string; domain: string }[] } | null)?.acct ?? []) : [];
  qp.items = accts.map((a) => ({ label: a.user, description: a.domain, value: a.user }));
  if (!r.ok) qp.placeholder = `Could not list accounts (${r.hint ?? r.kind}); type a username`;
  qp.busy = false;
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const v = qp.selectedItems[0]?.value ?? qp.value.trim();
      resolve(v || undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
  });
}

/** Required parameters first (documented values offered as picks), then optional ones on demand. */
export async function askParams(fn: CatalogFunction | undefined, what: string): Promise<Param[] | undefined> {
  const params: Param[] = [];
  for (const p of fn?.params.filter((x) => x.required) ?? []) {
    const v = await askValue(p, what);
    if (v === undefined) return undefined;
    params.push([p.name, v]);
  }
  for (;;) {
    const optional = (fn?.params ?? []).filter((p) => !p.required && !params.some(([n]) => n === p.name));
    const choice = await quickPick<'send' | 'custom' | CatalogParam>(
      [
        { label: '$(play) Send', description: params.length ? params.map(([k, v]) => `${k}=${String(v)}`).join('&').slice(0, 120) : 'no parameters', value: 'send' },
        ...optional.map((p) => ({ label: `$(add) ${p.name}`, description: `${p.type}${p.values?.length ? ` · ${p.values.slice(0, 5).join(', ')}` : ''}`, value: p })),
        { label: '$(edit) Add another parameter…', description: 'a name the catalog does not list, or a repeated key', value: 'custom' as const },
      ],
      { title: `${what}: parameters`, placeHolder: 'Send, or add an optional parameter' },
    );
    if (choice === undefined) return undefined;
    if (choice === 'send') return params;
    if (choice === 'custom') {
      const name = await vscode.window.showInputBox({ title: `${what}: parameter name`, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? null : 'Enter a name.') });
      if (!name) continue;
      const value = await vscode.window.showInputBox({ title: `${what}: ${name.trim()}`, ignoreFocusOut: true, prompt: 'Value (send it again with the same name for a repeated key)' });
      if (value === undefined) continue;
      params.push([name.trim(), value]);
      continue;
    }
    const v = await askValue(choice, what);
    if (v !== undefined) params.push([choice.name, v]);
  }
}

async function askValue(p: CatalogParam, what: string): Promise<string | undefined> {
  const title = `${what}: ${p.name}${p.required ? ' (required)' : ''}`;
  if (p.type === 'boolean' || p.type === 'integer' && p.values?.length === 2 && p.values.every((v) => v === '0' || v === '1')) {
    return quickPick([{ label: '1', description: 'yes', value: '1' }, { label: '0', description: 'no', value: '0' }], { title });
  }
  if (p.values?.length) {
    const items: Item<string | null>[] = [...p.values.map((v) => ({ label: v, value: v })), { label: '$(edit) Other value…', value: null }];
    const v = await quickPick(items, { title });
    if (v === undefined) return undefined;
    if (v !== null) return v;
  }
  return vscode.window.showInputBox({
    title,
    prompt: `${p.type}${p.required ? ', required' : ''}`,
    ignoreFocusOut: true,
    password: /pass|secret|token/i.test(p.name) && p.type === 'string',
    validateInput: (v) => (p.type === 'integer' && v !== '' && !/^-?\d+$/.test(v) ? 'This parameter is an integer.' : p.required && v === '' ? 'Required.' : null),
  });
}
