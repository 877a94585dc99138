import * as vscode from 'vscode';
import {
  callsOnBehalf,
  familiesOn,
  familyLabel,
  FAMILIES,
  functionNameProblem,
  isControlParam,
  isSecretParam,
  paramNameProblem,
  type Family,
} from '../../shared/families';
import { splitFunction, type ApiRequest, type Param } from '../../core/api/request';
import { Catalog, type CatalogFunction, type CatalogParam } from '../../core/catalog';
import { describeServer, SERVICE_NAMES, type ServerProfile } from '../../core/servers';
import { valueProblem } from '../../shared/requestRules';
import type { AccountsModel } from '../servers/accountsModel';
import type { ProfileStore } from '../servers/profileStore';

/** Where a send starts: nothing chosen yet (palette), or a server, family, account or function (tree). */
export interface SendStart {
  profileId?: string;
  /** Offered first when the server is to be chosen: the active one in the status bar. */
  preferredId?: string;
  family?: Family;
  asUser?: string;
  functionName?: string;
}

export interface PlannedRequest {
  profile: ServerProfile;
  request: ApiRequest;
}

export interface Item<T> extends vscode.QuickPickItem {
  value: T;
}

async function quickPick<T>(items: Item<T>[], opts: vscode.QuickPickOptions): Promise<T | undefined> {
  const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...opts });
  return chosen?.value;
}

/**
 * The function picks: granted ones first; those WHM's applist does not grant this user are marked and
 * listed last (sending one gets WHM's "unknown app").
 */
export function functionItems(fns: readonly CatalogFunction[], allowed: Set<string> | undefined, user: string): Item<CatalogFunction>[] {
  const detail = (f: CatalogFunction): string =>
    f.params.length
      ? `${f.params.filter((p) => p.required).length} required, ${f.params.filter((p) => !p.required).length} optional parameters`
      : 'no parameters';
  const granted = (f: CatalogFunction): boolean => !allowed || allowed.has(f.function);
  return [...fns.filter(granted), ...fns.filter((f) => !granted(f))].map((f) => ({
    label: granted(f) ? f.name : `$(circle-slash) ${f.name}`,
    description: granted(f) ? f.title : `not granted to ${user} · ${f.title}`,
    detail: detail(f),
    value: f,
  }));
}

/** Server → family (→ account) → function → parameters, each step skipped when already known. */
export async function planRequest(
  start: SendStart,
  profiles: ProfileStore,
  accounts: AccountsModel,
  allowedOf?: (p: ServerProfile) => Promise<Set<string> | undefined>,
): Promise<PlannedRequest | undefined> {
  const all = profiles.profiles();
  if (!all.length) {
    const add = await vscode.window.showInformationMessage('Add a cPanel or WHM server first.', 'Add Server…');
    if (add) await vscode.commands.executeCommand('cpanel.server.add');
    return undefined;
  }
  let profile = start.profileId ? profiles.get(start.profileId) : all.length === 1 ? all[0] : undefined;
  const ordered = start.preferredId
    ? [...all.filter((p) => p.id === start.preferredId), ...all.filter((p) => p.id !== start.preferredId)]
    : all;
  profile ??= await quickPick(
    ordered.map((p) => ({
      label: p.label,
      description: `${describeServer(p)} · ${SERVICE_NAMES[p.service]}${p.id === start.preferredId ? ' · active' : ''}`,
      value: p,
    })),
    { title: 'Send Request: server', placeHolder: 'Which server?' },
  );
  if (!profile) return undefined;

  let family = start.family;
  let asUser = start.asUser;
  if (!family) {
    const ways = familiesOn(profile.service);
    const choice =
      ways.length === 1
        ? ways[0]!
        : await quickPick(
            ways.map((w) => ({ label: familyLabel(w.family, w.onBehalf), detail: FAMILIES[w.family].detail, value: w })),
            { title: `Send Request to ${profile.label}: API`, placeHolder: 'Which API?' },
          );
    if (!choice) return undefined;
    family = choice.family;
    if (!choice.onBehalf) asUser = undefined;
  }
  if (callsOnBehalf(family, profile.service) && !asUser) {
    asUser = await pickAccount(profile, accounts);
    if (!asUser) return undefined;
  }

  let fnName = start.functionName;
  let fn: CatalogFunction | undefined;
  const catalogFamily = FAMILIES[family].catalog;
  if (!catalogFamily) {
    const fam = family;
    fnName ??= await vscode.window.showInputBox({
      title: `${FAMILIES[fam].name} as ${asUser}: function`,
      prompt: `${FAMILIES[fam].qualified ? 'Module/function' : 'The function'}, e.g. ${FAMILIES[fam].example} (${FAMILIES[fam].name} functions are not in the catalog)`,
      ignoreFocusOut: true,
      validateInput: (v) => functionNameProblem(fam, v.trim()) ?? null,
    });
    if (!fnName) return undefined;
  } else {
    if (!fnName) {
      const fns = Catalog.load().functions.filter((f) => f.family === catalogFamily);
      const allowed = family === 'whm' && allowedOf ? await allowedOf(profile).catch(() => undefined) : undefined;
      fn = await quickPick(functionItems(fns, allowed, profile.username), {
        title: `${FAMILIES[family].name}${asUser ? ` as ${asUser}` : ''} on ${profile.label}: function`,
        placeHolder: 'Type a function name or words of its title',
        matchOnDescription: true,
      });
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

async function pickAccount(profile: ServerProfile, accounts: AccountsModel): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<Item<string>>();
  qp.title = `Accounts on ${profile.label}`;
  qp.placeholder = 'Which account? (or type a username)';
  qp.busy = true;
  qp.ignoreFocusOut = true;
  const closed = new AbortController();
  qp.onDidHide(() => closed.abort());
  qp.show();
  void accounts.get(profile, closed.signal).then((a) => {
    if (a.ok) qp.items = a.accounts.map((x) => ({ label: x.user, description: x.domain, value: x.user }));
    else if (a.error !== 'cancelled') qp.placeholder = `Could not list accounts (${a.error}); type a username`;
    qp.busy = false;
  });
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
  for (const p of fn?.params.filter((x) => x.required && !isControlParam(x.name)) ?? []) {
    const v = await askValue(p, what);
    if (v === undefined) return undefined;
    params.push([p.name, v]);
  }
  for (;;) {
    const optional = (fn?.params ?? []).filter((p) => !p.required && !isControlParam(p.name) && !params.some(([n]) => n === p.name));
    const choice = await quickPick<'send' | 'custom' | CatalogParam>(
      [
        {
          label: '$(play) Send',
          description: params.length
            ? params
                .map(([k, v]) => `${k}=${String(v)}`)
                .join('&')
                .slice(0, 120)
            : 'no parameters',
          value: 'send',
        },
        ...optional.map((p) => ({
          label: `$(add) ${p.name}`,
          description: `${p.type}${p.values?.length ? ` · ${p.values.slice(0, 5).join(', ')}` : ''}`,
          value: p,
        })),
        {
          label: '$(edit) Add another parameter…',
          description: 'a name the catalog does not list, or a repeated key',
          value: 'custom' as const,
        },
      ],
      { title: `${what}: parameters`, placeHolder: 'Send, or add an optional parameter' },
    );
    if (choice === undefined) return undefined;
    if (choice === 'send') return params;
    if (choice === 'custom') {
      const name = await vscode.window.showInputBox({
        title: `${what}: parameter name`,
        ignoreFocusOut: true,
        validateInput: (v) => paramNameProblem(v.trim()) ?? null,
      });
      if (!name) continue;
      const value = await vscode.window.showInputBox({
        title: `${what}: ${name.trim()}`,
        ignoreFocusOut: true,
        prompt: 'Value (send it again with the same name for a repeated key)',
      });
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
  if (p.type === 'boolean' || (p.type === 'integer' && p.values?.length === 2 && p.values.every((v) => v === '0' || v === '1'))) {
    return quickPick(
      [
        { label: '1', description: 'yes', value: '1' },
        { label: '0', description: 'no', value: '0' },
      ],
      { title },
    );
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
    password: isSecretParam(p.name),
    validateInput: (v) => valueProblem(p, v) ?? null,
  });
}
