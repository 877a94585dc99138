import * as vscode from 'vscode';
import { connectionTestRequest, type ApiRequest } from '../../core/api/request';
import { AUTH_SCHEMES } from '../../core/auth/schemes';
import type { Wording } from '../../core/pipeline';
import type { ApiResult } from '../../core/result';
import { requiredSecrets, type ServerProfile } from '../../core/servers';
import { narrow, usedWhmFunctions, type NarrowResult } from '../../core/tokens/narrow';
import {
  createRequest,
  describeAcls,
  describeExpiry,
  EXPIRY_DAYS,
  expiresAtFor,
  expiryDateProblem,
  expiryState,
  generatedTokenName,
  listRequest,
  parseIpList,
  readAclLists,
  readApplist,
  readMyPrivs,
  readToken,
  readTokenList,
  renameRequest,
  revokeRequest,
  rotatedExpiry,
  rotatedTokenName,
  tokenKindOf,
  tokenNameProblem,
  tokenValueOf,
  updateRequest,
  type ExpiryChoice,
  type TokenInfo,
  type TokenKind,
  type TokenSettings,
} from '../../core/tokens/tokens';
import { Commands, CONFIG } from '../constants';
import type { ActiveServer, TokenNote } from '../servers/activeServer';
import { pickServer } from '../servers/pickServer';
import type { TreeNode } from '../servers/serversTree';
import type { Services } from '../services';
import type { SnippetStore } from '../snippets/snippetStore';
import type { TokensSource, UsedToken } from './tokenTree';

/** What made a token, in the names the extension gives them. */
const PURPOSE = 'cpanel-api-explorer';
/** Token names this window created for a server's own sign-in, by profile id (names only: no secret). */
const USED_KEY = 'cpanel.tokens.usedNames';
/** A created token's value, kept for the server it was created on. */
const VAULT_PREFIX = 'cpanel.createdToken.';

/** The questions the tokens commands ask; tests replace them, as they cannot type into a quick input. */
export interface TokenUi {
  input(o: vscode.InputBoxOptions): Thenable<string | undefined>;
  pickOne<T extends vscode.QuickPickItem>(items: T[], o: vscode.QuickPickOptions): Thenable<T | undefined>;
  pickMany<T extends vscode.QuickPickItem>(items: T[], o: vscode.QuickPickOptions): Thenable<readonly T[] | undefined>;
  /** A non-modal question with buttons (Forget Password, Apply…). */
  choose(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** Shows a new token's value once, in a password box with a Copy button. */
  reveal(title: string, value: string): Promise<void>;
  /** Shows a report (the narrowing's) as a Markdown document. */
  report(markdown: string): Promise<void>;
}

const windowUi: TokenUi = {
  input: (o) => vscode.window.showInputBox(o),
  pickOne: (items, o) => vscode.window.showQuickPick(items, { ...o, canPickMany: false }),
  pickMany: (items, o) => vscode.window.showQuickPick(items, { ...o, canPickMany: true }),
  choose: (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
  reveal: revealOnce,
  report: async (markdown) => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
    await vscode.window.showTextDocument(doc, { preview: false });
  },
};

/** A password box holding the value, with a Copy button; closed with Enter or Escape. Nothing else ever shows it. */
async function revealOnce(title: string, value: string): Promise<void> {
  const box = vscode.window.createInputBox();
  box.title = title;
  box.password = true;
  box.value = value;
  box.ignoreFocusOut = true;
  box.prompt =
    "Shown once: copy it now (the Copy button, or select and copy). It is stored in VS Code's secret storage. Enter or Escape closes this box.";
  const copy: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy to Clipboard' };
  box.buttons = [copy];
  await new Promise<void>((resolve) => {
    box.onDidTriggerButton(async () => {
      await vscode.env.clipboard.writeText(value);
      box.prompt = 'Copied to the clipboard. Enter or Escape closes this box.';
    });
    box.onDidAccept(() => box.hide());
    box.onDidHide(() => {
      box.dispose();
      resolve();
    });
    box.show();
  });
}

type ListResult = { ok: true; tokens: TokenInfo[] } | { ok: false; error: string };

/** What a narrowing found: the ACLs proposed, and what applist proved with them. */
export interface NarrowReport extends NarrowResult {
  used: string[];
  proved: string[];
  notProved: string[];
  probe: string;
  probeRevoked: boolean;
}

/**
 * API tokens under each server: list, create, use one for the server's own sign-in, rotate, rename,
 * update, revoke, and narrow a WHM token's privileges to what the calls made need. Every call goes
 * through the runner's pipeline; a new token's value is read from the create answer by
 * secretsInAnswer (the client scrubs it from everything else) and goes to SecretStorage only.
 */
export class TokenCommands implements TokensSource {
  ui: TokenUi = windowUi;
  /** The clock (tests move it to see expiry marks). */
  now: () => number = Date.now;
  private readonly lists = new Map<string, Promise<ListResult>>();
  private readonly latest = new Map<string, TokenInfo[]>();
  /** The token a server signs in with, as api_token_get_details reported it. */
  private readonly reported = new Map<string, string>();
  private readonly identifying = new Set<string>();

  constructor(
    private readonly s: Services,
    private readonly state: vscode.Memento,
    private readonly storage: vscode.SecretStorage,
    private readonly snippets: SnippetStore,
    private readonly active: ActiveServer,
  ) {
    s.tree.tokens = this;
    s.tree.onRefetch = () => this.forget();
    active.tokenNote = (id) => this.note(id);
  }

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (n?: TreeNode) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    return [
      r(Commands.tokensCreate, (n) => this.create(n)),
      r(Commands.tokensUseForServer, (n) => this.useToken(n)),
      r(Commands.tokensRotate, (n) => this.rotate(n)),
      r(Commands.tokensRename, (n) => this.rename(n)),
      r(Commands.tokensUpdate, (n) => this.update(n)),
      r(Commands.tokensRevoke, (n) => this.revoke(n)),
      r(Commands.tokensNarrow, (n) => this.narrowAcls(n)),
      r(Commands.tokensRefresh, (n) => {
        this.forget(n && 'profile' in n ? n.profile.id : undefined);
        this.s.tree.redraw();
      }),
      this.s.profiles.onDidChange(() => this.active.refresh()),
    ];
  }

  /** The value kept in SecretStorage for a token created here (tests check it is there, and nowhere else). */
  storedValue(profileId: string, name: string): Thenable<string | undefined> {
    return this.storage.get(vaultKey(profileId, name));
  }

  // ── what the tree and the status bar read ────────────────────────────────

  soonDays(): number {
    const v = vscode.workspace.getConfiguration(CONFIG).get<unknown>('tokens.soonDays');
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(365, Math.max(0, v)) : 14;
  }

  /** The server's tokens, read once until a change or Refresh. */
  list(p: ServerProfile): Promise<ListResult> {
    let l = this.lists.get(p.id);
    if (!l) {
      l = this.fetch(p);
      this.lists.set(p.id, l);
    }
    return l;
  }

  private async fetch(p: ServerProfile): Promise<ListResult> {
    const kind = tokenKindOf(p);
    if (!kind) return { ok: false, error: `${p.label} is a Webmail server: Webmail has no API tokens.` };
    const r = await this.s.runner.background(p, listRequest(kind));
    if (!r.ok) {
      this.lists.delete(p.id);
      return { ok: false, error: r.hint ?? r.errors.join(' ') };
    }
    const tokens = readTokenList(kind, r.data);
    this.latest.set(p.id, tokens);
    void this.identify(p, tokens);
    this.active.refresh();
    return { ok: true, tokens };
  }

  /** Reads the list again now (before a change is made from it). */
  private async fresh(p: ServerProfile): Promise<ListResult> {
    this.lists.delete(p.id);
    return this.list(p);
  }

  private forget(profileId?: string): void {
    if (profileId) this.lists.delete(profileId);
    else this.lists.clear();
  }

  private changed(p: ServerProfile): void {
    this.forget(p.id);
    this.s.tree.redraw();
    void this.list(p).then(() => this.s.tree.redraw());
  }

  used(p: ServerProfile): UsedToken {
    if (p.auth !== 'token') return { kind: 'notToken' };
    const recorded = this.usedNames()[p.id];
    if (recorded) return { kind: 'name', name: recorded, how: 'created' };
    const reported = this.reported.get(p.id);
    return reported ? { kind: 'name', name: reported, how: 'server' } : { kind: 'unknown' };
  }

  /**
   * A WHM server says which token a value is (api_token_get_details, cPanel & WHM 98 and later): asked
   * once, quietly, for a server that signs in with a token this window did not create.
   */
  private async identify(p: ServerProfile, tokens: TokenInfo[]): Promise<void> {
    if (p.service !== 'whm' || p.auth !== 'token' || this.used(p).kind !== 'unknown' || this.identifying.has(p.id)) return;
    this.identifying.add(p.id);
    const value = (await this.s.secrets.get(p.id)).token;
    if (!value) return;
    const r = await this.s.runner.background(p, {
      family: 'whm',
      function: 'api_token_get_details',
      params: [['token', value]],
      method: 'POST',
    });
    const name = r.ok ? readToken(r.data)?.name : undefined;
    if (name && tokens.some((t) => t.name === name)) {
      this.reported.set(p.id, name);
      this.s.tree.redraw();
      this.active.refresh();
    }
  }

  /** The status bar's word on the active server's own token. */
  note(profileId: string): TokenNote | undefined {
    const p = this.s.profiles.get(profileId);
    if (!p || p.auth !== 'token' || !tokenKindOf(p)) return undefined;
    const tokens = this.latest.get(p.id);
    if (!tokens) {
      // Read once in the background; the status bar is redrawn when it arrives.
      if (!this.lists.has(p.id)) void this.list(p);
      return undefined;
    }
    const used = this.used(p);
    if (used.kind !== 'name') {
      return {
        text: '',
        severity: 'info',
        tooltip: 'Which API token it signs in with is not known: it was not created here, and the server does not say.',
      };
    }
    const t = tokens.find((x) => x.name === used.name);
    if (!t)
      return {
        text: 'token not found',
        severity: 'error',
        tooltip: `Its API token ${used.name} is not in the server's list: it may have been revoked.`,
      };
    const state = expiryState(t, this.now(), this.soonDays());
    if (state === 'expired')
      return {
        text: 'token expired',
        severity: 'error',
        tooltip: `Its API token ${t.name} ${describeExpiry(t, this.now())}: rotate it or create another.`,
      };
    if (state === 'soon')
      return {
        text: `token ${describeExpiry(t, this.now()).replace(/ \(.*\)$/, '')}`,
        severity: 'warning',
        tooltip: `Its API token ${t.name} ${describeExpiry(t, this.now())}: rotate it before then.`,
      };
    return undefined;
  }

  private usedNames(): Record<string, string> {
    const v = this.state.get<unknown>(USED_KEY);
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  }

  private async setUsedName(profileId: string, name: string | undefined): Promise<void> {
    const all = { ...this.usedNames() };
    if (name) all[profileId] = name;
    else delete all[profileId];
    await this.state.update(USED_KEY, all);
  }

  // ── calls ────────────────────────────────────────────────────────────────

  /** One call through the runner (confirmed, recorded, logged), without a result view. */
  private async call(
    p: ServerProfile,
    request: ApiRequest,
    o: { title?: string; wording?: Wording; secretsInAnswer?: (a: unknown) => readonly string[]; progress?: boolean } = {},
  ): Promise<ApiResult | undefined> {
    const r = await this.s.runner.send(
      {
        profile: p,
        request,
        origin: 'tree',
        ...(o.wording ? { wording: o.wording } : {}),
        ...(o.secretsInAnswer ? { secretsInAnswer: o.secretsInAnswer } : {}),
      },
      o.title,
      { progress: o.progress !== false },
    );
    return r?.result;
  }

  /** Creates a token; its value is read from the answer (and scrubbed from it), never returned anywhere but here. */
  private async createToken(
    p: ServerProfile,
    kind: TokenKind,
    settings: TokenSettings,
    progress = true,
  ): Promise<{ token: TokenInfo; value: string } | undefined> {
    let value: string | undefined;
    const r = await this.call(p, createRequest(kind, settings), {
      title: `Creating the API token ${settings.name} on ${p.label}…`,
      progress,
      secretsInAnswer: (answer) => {
        value = tokenValueOf(answer) ?? tokenValueOf((answer as { result?: unknown } | null)?.result);
        return value ? [value] : [];
      },
    });
    if (!r) return undefined;
    if (!r.ok) {
      void vscode.window.showErrorMessage(`${p.label}: the token ${settings.name} was not created. ${r.hint ?? r.errors.join(' ')}`);
      return undefined;
    }
    const token = readToken(r.data, settings.name);
    if (!value || !token) {
      void vscode.window.showErrorMessage(
        `${p.label} answered the creation of ${settings.name} without a token value. Look for it in the server's token list, and ` +
          `revoke it there if it was made.`,
      );
      return undefined;
    }
    if (settings.whitelistIps?.length && !token.whitelistIps.length) {
      void vscode.window.showWarningMessage(
        `${p.label} did not report the IP allow-list for ${token.name}: its cPanel & WHM version may not support whitelist_ip ` +
          `(documented for api_token_create in version 138). Check the token, or update its allow-list.`,
      );
    }
    if (settings.readonly && !token.readonly) {
      void vscode.window.showWarningMessage(
        `${p.label} did not say that ${token.name} is read-only: its cPanel version may not offer read-only tokens, so treat it ` +
          `as a full-access token.`,
      );
    }
    return { token, value };
  }

  /** Test Connection with the profile as it is now; the failure's hint, or undefined when it worked. */
  private async test(p: ServerProfile): Promise<string | undefined> {
    const r = await this.call(p, connectionTestRequest(p.service), { title: `Testing ${p.label} with its API token…` });
    if (!r) return 'the test was not sent';
    return r.ok ? undefined : (r.hint ?? r.errors.join(' '));
  }

  private async revokeQuietlyAsked(p: ServerProfile, kind: TokenKind, name: string, message: string): Promise<boolean> {
    const r = await this.call(p, revokeRequest(kind, name), {
      wording: { message, action: 'Revoke' },
      title: `Revoking ${name} on ${p.label}…`,
    });
    if (r?.ok) await this.storage.delete(vaultKey(p.id, name));
    return r?.ok === true;
  }

  // ── Create Token… ────────────────────────────────────────────────────────

  async create(n?: TreeNode, preset?: { acls?: 'all' | string[] }): Promise<TokenInfo | undefined> {
    const p = await pickServer(this.s.profiles, n, 'create an API token on', (x) => !!tokenKindOf(x));
    if (!p) return undefined;
    const kind = tokenKindOf(p);
    if (!kind) {
      void vscode.window.showInformationMessage(
        `${p.label} is a Webmail server: Webmail has no API tokens. Create one on the cPanel or WHM server.`,
      );
      return undefined;
    }
    const list = await this.fresh(p);
    const taken = list.ok ? list.tokens.map((t) => t.name) : [];
    const settings = await this.askSettings(p, kind, taken, preset);
    if (!settings) return undefined;
    const made = await this.createToken(p, kind, settings);
    if (!made) return undefined;
    await this.storage.store(vaultKey(p.id, made.token.name), made.value);
    this.changed(p);
    await this.ui.reveal(`API token ${made.token.name} on ${p.label}`, made.value);
    return made.token;
  }

  private async askSettings(
    p: ServerProfile,
    kind: TokenKind,
    taken: string[],
    preset?: { acls?: 'all' | string[] },
  ): Promise<TokenSettings | undefined> {
    const steps = kind === 'whm' ? 4 : 3;
    const name = (
      await this.ui.input({
        title: `Create API Token on ${p.label} (1/${steps}): name`,
        prompt: 'Letters, digits, "-" and "_", at most 50 characters.',
        value: generatedTokenName(PURPOSE, this.now(), taken),
        ignoreFocusOut: true,
        validateInput: (v) => tokenNameProblem(v.trim(), taken) ?? null,
      })
    )?.trim();
    if (!name || tokenNameProblem(name, taken)) return undefined;
    const expiry = await this.askExpiry(`Create API Token on ${p.label} (2/${steps}): expiry`);
    if (!expiry || expiry === 'keep') return undefined;
    const expiresAt = expiresAtFor(expiry, this.now());
    if (kind === 'cpanel') {
      const access = await this.ui.pickOne(
        [
          { label: 'Full access', description: "everything the account's features allow", readonly: false },
          { label: 'Read-only', description: 'readonly=1, where the server offers it (the answer says whether it did)', readonly: true },
        ],
        { title: `Create API Token on ${p.label} (3/3): access`, ignoreFocusOut: true },
      );
      if (!access) return undefined;
      return { name, ...(expiresAt ? { expiresAt } : {}), ...(access.readonly ? { readonly: true } : {}) };
    }
    const acls = preset?.acls ?? (await this.askAcls(p, `Create API Token on ${p.label} (3/4): privileges`));
    if (!acls) return undefined;
    const ips = await this.askIps(`Create API Token on ${p.label} (4/4): IP allow-list`, []);
    if (!ips) return undefined;
    return { name, acls, ...(expiresAt ? { expiresAt } : {}), ...(ips.length ? { whitelistIps: ips } : {}) };
  }

  private async askExpiry(title: string, withKeep = false): Promise<ExpiryChoice | 'keep' | undefined> {
    type Item = vscode.QuickPickItem & { choice: ExpiryChoice | 'date' | 'keep' };
    const items: Item[] = [
      ...(withKeep ? [{ label: 'Keep the current expiry', choice: 'keep' as const }] : []),
      { label: 'Never expires', choice: { kind: 'never' } },
      ...EXPIRY_DAYS.map((d): Item => ({ label: `In ${d} days`, choice: { kind: 'days', days: d } })),
      { label: 'On a date…', description: 'YYYY-MM-DD', choice: 'date' },
    ];
    const picked = await this.ui.pickOne(items, { title, ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.choice !== 'date') return picked.choice;
    const date = await this.ui.input({
      title,
      prompt: 'The last day the token works (UTC), as YYYY-MM-DD',
      ignoreFocusOut: true,
      validateInput: (v) => expiryDateProblem(v, this.now()) ?? null,
    });
    if (!date || expiryDateProblem(date, this.now())) return undefined;
    return { kind: 'date', date: date.trim() };
  }

  /** The caller's own privileges (myprivs), saved ACL lists (listacls) as shortcuts; "all" only for a caller that has it. */
  private async askAcls(p: ServerProfile, title: string, current?: 'all' | readonly string[]): Promise<'all' | string[] | undefined> {
    const r = await this.s.runner.background(p, { family: 'whm', function: 'myprivs', params: [] });
    const privs = r.ok ? readMyPrivs(r.data) : undefined;
    if (!privs) {
      void vscode.window.showErrorMessage(
        `${p.label}: your privileges could not be read (myprivs), so no privileges can be offered. ${r.hint ?? ''}`.trim(),
      );
      return undefined;
    }
    const held = privs.all ? privs.known.filter((a) => a !== 'all') : privs.held.filter((a) => a !== 'all');
    const lists = await this.s.runner.background(p, { family: 'whm', function: 'listacls', params: [] });
    const saved = lists.ok ? readAclLists(lists.data) : [];
    type Item = vscode.QuickPickItem & { acls: 'all' | string[] };
    const on = (a: string): boolean => (current === undefined ? false : current === 'all' || current.includes(a));
    const items: Item[] = [
      ...(privs.all
        ? [
            {
              label: 'all',
              description: 'every privilege, including ones added later (you have "all")',
              acls: 'all' as const,
              picked: current === 'all',
            },
          ]
        : []),
      ...saved.map((l): Item => ({
        label: `$(list-unordered) ${l.name}`,
        description: `saved ACL list: ${describeAcls(
          l.acls.filter((a) => held.includes(a)),
          4,
        )}`,
        acls: l.acls.filter((a) => held.includes(a)),
      })),
      ...held.map((a): Item => ({ label: a, acls: [a], picked: on(a) })),
    ];
    const picked = await this.ui.pickMany(items, {
      title,
      placeHolder: 'The privileges the token gets: only ones you have',
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.some((i) => i.acls === 'all')) return 'all';
    const acls = [...new Set(picked.flatMap((i) => i.acls as string[]))].sort();
    if (!acls.length) {
      void vscode.window.showWarningMessage('Choose at least one privilege (or "all"): a token with none can call nothing.');
      return undefined;
    }
    return acls;
  }

  private async askIps(title: string, current: readonly string[]): Promise<string[] | undefined> {
    const text = await this.ui.input({
      title,
      prompt:
        'Addresses or CIDR ranges the token may be used from, separated by commas; empty: any address. (whitelist_ip: documented for cPanel & WHM 138; an older server may ignore it, and the answer says so.)',
      value: current.join(', '),
      ignoreFocusOut: true,
      validateInput: (v) => {
        const r = parseIpList(v);
        return 'problem' in r ? r.problem : null;
      },
    });
    if (text === undefined) return undefined;
    const r = parseIpList(text);
    return 'ips' in r ? r.ips : undefined;
  }

  // ── Use a Token for This Server ──────────────────────────────────────────

  async useToken(n?: TreeNode): Promise<{ ok: boolean; name?: string } | undefined> {
    const p = await pickServer(
      this.s.profiles,
      n,
      'sign in with an API token',
      (x) => !!tokenKindOf(x) && (x.auth === 'password' || x.auth === 'session'),
    );
    if (!p) return undefined;
    const kind = tokenKindOf(p);
    if (!kind || (p.auth !== 'password' && p.auth !== 'session')) {
      const why = !kind
        ? 'Webmail has no API tokens'
        : `it signs in with ${AUTH_SCHEMES[p.auth].name === 'API token' ? 'an API token already' : `its ${AUTH_SCHEMES[p.auth].name}`}`;
      void vscode.window.showInformationMessage(
        `Use a Token turns a server that signs in with a password or a session into one that signs in with an API token; ` +
          `${p.label}: ${why}.`,
      );
      return undefined;
    }
    const list = await this.fresh(p);
    const name = generatedTokenName(PURPOSE, this.now(), list.ok ? list.tokens.map((t) => t.name) : []);
    const method = p.auth === 'session' ? 'session login (password)' : 'password';
    const next: ServerProfile = { ...p, auth: 'token', twoFactor: p.twoFactor === 'header' ? 'header' : 'none' };
    const forgets = p.twoFactor !== 'none' && next.twoFactor === 'none' ? 'password and two-factor secret' : 'password';
    // Each step a paragraph: a long one wraps in the dialog, and without a blank line would run into the next.
    const ok = await this.s.runner.confirm(
      `Use an API token for ${p.label}?`,
      [
        `1. Create the ${kind === 'whm' ? 'WHM' : 'cPanel'} API token ${name} for ${p.username}, signing in with the ${method}. ` +
          `${kind === 'whm' ? 'It gets all of your privileges' : "It reaches what the account's features allow"} and does not ` +
          `expire.`,
        `2. Store it in VS Code's secret storage and switch ${p.label} to sign in with it.`,
        '3. Test the connection with it.',
        `4. Then offer to forget the stored ${forgets}.`,
        `If a step fails, ${p.label} keeps signing in with its ${method}.`,
      ].join('\n\n'),
      'Use a Token',
    );
    if (!ok) return undefined;
    const made = await this.createToken(p, kind, { name });
    if (!made) return { ok: false };
    await this.s.secrets.set(p.id, { token: made.value });
    await this.setUsedName(p.id, name);
    await this.s.profiles.save(next);
    this.s.clients.drop(p.id);
    const problem = await this.test(next);
    if (problem) {
      await this.s.profiles.save(p);
      this.s.clients.drop(p.id);
      await this.s.secrets.delete(p.id, requiredSecrets(p));
      await this.setUsedName(p.id, undefined);
      void vscode.window.showErrorMessage(
        `${p.label} could not sign in with the new token ${name} (${problem}). It signs in with its ${method} as before.`,
      );
      await this.revokeQuietlyAsked(p, kind, name, `The new token ${name} did not work. Revoke it from ${p.label}?`);
      this.changed(p);
      return { ok: false, name };
    }
    this.changed(next);
    const choice = await this.ui.choose(
      `${p.label} now signs in with the API token ${name}. Forget the stored ${forgets}?`,
      `Forget ${capitalize(forgets)}`,
      'Keep It',
    );
    if (choice?.startsWith('Forget')) {
      await this.s.secrets.delete(p.id, requiredSecrets(next));
      void vscode.window.showInformationMessage(`The ${forgets} of ${p.label} is no longer stored.`);
    }
    return { ok: true, name };
  }

  // ── Rotate ───────────────────────────────────────────────────────────────

  /**
   * Create the new token, switch to it, test it, then revoke the old one, in that order: a failed step
   * stops there, with the old token intact and still used.
   */
  async rotate(n?: TreeNode): Promise<{ ok: boolean; name?: string; revokedOld?: boolean } | undefined> {
    const p = await pickServer(this.s.profiles, n, 'rotate the API token of', (x) => !!tokenKindOf(x) && x.auth === 'token');
    if (!p) return undefined;
    const kind = tokenKindOf(p);
    if (!kind || p.auth !== 'token') {
      void vscode.window.showInformationMessage(
        `Rotate replaces the API token a server signs in with; ${p.label} does not sign in with one. Use "Use a Token for This ` +
          `Server" first.`,
      );
      return undefined;
    }
    const list = await this.fresh(p);
    if (!list.ok) {
      void vscode.window.showErrorMessage(
        `Rotation stopped before it began: the tokens of ${p.label} could not be listed (${list.error}). Nothing changed.`,
      );
      return { ok: false };
    }
    const used = this.used(p);
    if (n?.kind === 'token' && used.kind === 'name' && n.token.name !== used.name) {
      void vscode.window.showInformationMessage(
        `${n.token.name} is not the token ${p.label} signs in with (${used.name} is): Rotate replaces the one in use.`,
      );
      return undefined;
    }
    const old = used.kind === 'name' ? list.tokens.find((t) => t.name === used.name) : undefined;
    const name = rotatedTokenName(
      old?.name ?? PURPOSE,
      this.now(),
      list.tokens.map((t) => t.name),
    );
    const expiresAt = old ? rotatedExpiry(old, this.now()) : undefined;
    const settings: TokenSettings = {
      name,
      ...(kind === 'whm' && old ? { acls: old.acls } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      ...(old?.whitelistIps.length ? { whitelistIps: old.whitelistIps } : {}),
      ...(old?.readonly ? { readonly: true } : {}),
    };
    const made = await this.createToken(p, kind, settings);
    if (!made) return { ok: false };
    const before = await this.s.secrets.get(p.id);
    const oldName = this.usedNames()[p.id];
    await this.s.secrets.set(p.id, { token: made.value });
    this.s.clients.drop(p.id);
    await this.setUsedName(p.id, name);
    const problem = await this.test(p);
    if (problem) {
      if (before.token) await this.s.secrets.set(p.id, { token: before.token });
      this.s.clients.drop(p.id);
      await this.setUsedName(p.id, oldName);
      void vscode.window.showErrorMessage(
        `Rotation stopped: ${p.label} could not sign in with the new token ${name} (${problem}). It still signs in with ` +
          `${old ? old.name : 'its old token'}, which was not touched.`,
      );
      await this.revokeQuietlyAsked(p, kind, name, `The new token ${name} did not work. Revoke it from ${p.label}?`);
      this.changed(p);
      return { ok: false, name };
    }
    let revokedOld = false;
    if (old) {
      revokedOld = await this.revokeQuietlyAsked(
        p,
        kind,
        old.name,
        `${name} works: revoke the old token ${old.name} on ${p.label} now? ${p.label} signs in with ${name}.`,
      );
      if (!revokedOld)
        void vscode.window.showWarningMessage(
          `${old.name} was not revoked and still works: revoke it from the list once nothing else uses it.`,
        );
    } else {
      void vscode.window.showWarningMessage(
        `${p.label} now signs in with ${name}. Which token it used before is not known, so none was revoked: revoke the old one ` +
          `from the list once nothing else uses it.`,
      );
    }
    this.changed(p);
    if (revokedOld) void vscode.window.showInformationMessage(`Rotated: ${p.label} signs in with ${name}, and ${old!.name} is revoked.`);
    return { ok: true, name, revokedOld };
  }

  // ── Rename, Update, Revoke ───────────────────────────────────────────────

  private async pickToken(
    n: TreeNode | undefined,
    purpose: string,
    whmOnly = false,
  ): Promise<{ p: ServerProfile; kind: TokenKind; token: TokenInfo; taken: string[] } | undefined> {
    const p = await pickServer(this.s.profiles, n, purpose, (x) => (whmOnly ? x.service === 'whm' : !!tokenKindOf(x)));
    if (!p) return undefined;
    const kind = tokenKindOf(p);
    if (!kind || (whmOnly && kind !== 'whm')) {
      void vscode.window.showInformationMessage(
        whmOnly
          ? `Only WHM tokens have privileges and IP allow-lists to change; ${p.label} is not a WHM server.`
          : `${p.label}: Webmail has no API tokens.`,
      );
      return undefined;
    }
    const list = await this.fresh(p);
    if (!list.ok) {
      void vscode.window.showErrorMessage(`The tokens of ${p.label} could not be listed: ${list.error}`);
      return undefined;
    }
    const taken = list.tokens.map((t) => t.name);
    if (n?.kind === 'token') {
      const token = list.tokens.find((t) => t.name === n.token.name);
      if (!token) void vscode.window.showWarningMessage(`${p.label} no longer has a token named ${n.token.name}.`);
      return token ? { p, kind, token, taken } : undefined;
    }
    const picked = await this.ui.pickOne(
      list.tokens.map((t) => ({ label: t.name, description: describeExpiry(t, this.now()), t })),
      { title: `Token to ${purpose.replace(/ (on|of)$/, '')}`, ignoreFocusOut: true },
    );
    return picked ? { p, kind, token: picked.t, taken } : undefined;
  }

  async rename(n?: TreeNode): Promise<string | undefined> {
    const t = await this.pickToken(n, 'rename a token on');
    if (!t) return undefined;
    const others = t.taken.filter((x) => x !== t.token.name);
    const newName = (
      await this.ui.input({
        title: `Rename ${t.token.name} on ${t.p.label}`,
        value: t.token.name,
        ignoreFocusOut: true,
        validateInput: (v) => tokenNameProblem(v.trim(), others) ?? null,
      })
    )?.trim();
    if (!newName || newName === t.token.name || tokenNameProblem(newName, others)) return undefined;
    const r = await this.call(t.p, renameRequest(t.kind, t.token.name, newName), { title: `Renaming ${t.token.name}…` });
    if (!r) return undefined;
    if (!r.ok) {
      void vscode.window.showErrorMessage(`${t.p.label}: ${t.token.name} was not renamed. ${r.hint ?? r.errors.join(' ')}`);
      return undefined;
    }
    const used = this.used(t.p);
    if (used.kind === 'name' && used.name === t.token.name) {
      if (used.how === 'created') await this.setUsedName(t.p.id, newName);
      else this.reported.set(t.p.id, newName);
    }
    const stored = await this.storage.get(vaultKey(t.p.id, t.token.name));
    if (stored) {
      await this.storage.store(vaultKey(t.p.id, newName), stored);
      await this.storage.delete(vaultKey(t.p.id, t.token.name));
    }
    this.changed(t.p);
    return newName;
  }

  /** WHM api_token_update: privileges, expiry or IP allow-list. */
  async update(n?: TreeNode): Promise<TokenInfo | undefined> {
    const t = await this.pickToken(n, 'update a token on', true);
    if (!t) return undefined;
    const what = await this.ui.pickOne(
      [
        { label: 'Privileges', description: describeAcls(t.token.acls), field: 'acls' as const },
        { label: 'Expiry', description: describeExpiry(t.token, this.now()), field: 'expiry' as const },
        { label: 'IP allow-list', description: t.token.whitelistIps.join(', ') || 'any address', field: 'ips' as const },
      ],
      { title: `Update ${t.token.name} on ${t.p.label}`, ignoreFocusOut: true },
    );
    if (!what) return undefined;
    let request: ApiRequest;
    if (what.field === 'acls') {
      const acls = await this.askAcls(t.p, `Privileges of ${t.token.name}`, t.token.acls);
      if (!acls) return undefined;
      request = updateRequest(t.token.name, { acls });
    } else if (what.field === 'expiry') {
      const e = await this.askExpiry(`Expiry of ${t.token.name}`, true);
      if (!e || e === 'keep') return undefined;
      request = updateRequest(t.token.name, { expiresAt: expiresAtFor(e, this.now()) ?? 0 });
    } else {
      const ips = await this.askIps(`IP allow-list of ${t.token.name}`, t.token.whitelistIps);
      if (!ips) return undefined;
      request = updateRequest(t.token.name, { whitelistIps: ips });
    }
    const r = await this.call(t.p, request, { title: `Updating ${t.token.name}…` });
    if (!r) return undefined;
    if (!r.ok) {
      void vscode.window.showErrorMessage(`${t.p.label}: ${t.token.name} was not updated. ${r.hint ?? r.errors.join(' ')}`);
      return undefined;
    }
    this.changed(t.p);
    return readToken(r.data, t.token.name);
  }

  /** Asks first (the pipeline's destructive question, naming the token and whether this server signs in with it). */
  async revoke(n?: TreeNode): Promise<boolean> {
    const t = await this.pickToken(n, 'revoke a token on');
    if (!t) return false;
    const used = this.used(t.p);
    const mine = used.kind === 'name' && used.name === t.token.name;
    const whose = mine
      ? `${t.p.label} signs in with it: its calls will be refused until it has another credential.`
      : used.kind === 'unknown'
        ? `Whether ${t.p.label} signs in with it is not known.`
        : `${t.p.label} does not sign in with it.`;
    const r = await this.call(t.p, revokeRequest(t.kind, t.token.name), {
      wording: { message: `Revoke the API token ${t.token.name} on ${t.p.label}? ${whose}`, action: 'Revoke' },
      title: `Revoking ${t.token.name}…`,
    });
    if (!r) return false;
    if (!r.ok) {
      void vscode.window.showErrorMessage(`${t.p.label}: ${t.token.name} was not revoked. ${r.hint ?? r.errors.join(' ')}`);
      return false;
    }
    await this.storage.delete(vaultKey(t.p.id, t.token.name));
    if (mine) {
      if (used.how === 'created') await this.setUsedName(t.p.id, undefined);
      this.reported.delete(t.p.id);
    }
    this.changed(t.p);
    void vscode.window.showInformationMessage(`Revoked ${t.token.name} on ${t.p.label}.`);
    return true;
  }

  // ── Narrow a WHM token's privileges ──────────────────────────────────────

  /** The calls this server's History and this workspace's snippets made. */
  private async callsMade(p: ServerProfile): Promise<string[]> {
    const calls: { family: string; function: string; account?: string }[] = [];
    for (const e of await this.s.history.list()) {
      if (e.serverId === p.id) calls.push({ family: e.family, function: e.function, ...(e.account ? { account: e.account } : {}) });
    }
    for (const f of await this.snippets.list()) {
      const sn = f.parsed.ok ? f.parsed.snippet : undefined;
      if (sn?.server === p.label) calls.push({ family: sn.family, function: sn.function, ...(sn.account ? { account: sn.account } : {}) });
    }
    return usedWhmFunctions(calls);
  }

  /**
   * Proposes the privileges the WHM functions used need, as far as applist with a probe token can
   * prove it. One probe token is created (expiring within the hour), its privileges changed for each
   * check, and revoked at the end, whatever happened.
   */
  async narrowAcls(n?: TreeNode): Promise<NarrowReport | undefined> {
    const p = await pickServer(this.s.profiles, n, 'narrow token privileges on', (x) => x.service === 'whm');
    if (!p) return undefined;
    if (p.service !== 'whm') {
      void vscode.window.showInformationMessage(`Only WHM tokens have privileges to narrow; ${p.label} is not a WHM server.`);
      return undefined;
    }
    const used = await this.callsMade(p);
    if (!used.length) {
      void vscode.window.showInformationMessage(
        `No WHM call to ${p.label} is in History or in this workspace's snippets yet: make the calls the token is for, then ` + `narrow.`,
      );
      return undefined;
    }
    const mine = await this.s.runner.background(p, { family: 'whm', function: 'myprivs', params: [] });
    const privs = mine.ok ? readMyPrivs(mine.data) : undefined;
    if (!privs) {
      void vscode.window.showErrorMessage(`${p.label}: your privileges could not be read (myprivs). ${mine.hint ?? ''}`.trim());
      return undefined;
    }
    const start = (privs.all ? privs.known : privs.held).filter((a) => a !== 'all');
    const list = await this.fresh(p);
    const probe = generatedTokenName(`${PURPOSE}-probe`, this.now(), list.ok ? list.tokens.map((t) => t.name) : []);
    const report = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Finding the privileges ${used.length} WHM function(s) need on ${p.label}…`,
      },
      () => this.runNarrowing(p, probe, start, used),
    );
    if (!report) return undefined;
    this.changed(p);
    await this.ui.report(narrowMarkdown(p, report));
    const apply = n?.kind === 'token' ? `Apply to ${n.token.name}` : undefined;
    const choice = await this.ui.choose(
      `Proposed for ${p.label}: ${describeAcls(report.acls, 6)} (${report.proved.length} of ${report.used.length} functions proved).`,
      ...(apply ? [apply] : []),
      'Create a Token with These Privileges…',
    );
    if (choice && choice === apply && n?.kind === 'token') {
      const r = await this.call(p, updateRequest(n.token.name, { acls: report.acls }), { title: `Updating ${n.token.name}…` });
      if (r && !r.ok) void vscode.window.showErrorMessage(`${p.label}: ${n.token.name} was not updated. ${r.hint ?? r.errors.join(' ')}`);
      this.changed(p);
    } else if (choice?.startsWith('Create')) {
      await this.create({ kind: 'server', profile: p, problems: [] }, { acls: report.acls });
    }
    return report;
  }

  private async runNarrowing(p: ServerProfile, probe: string, start: string[], used: string[]): Promise<NarrowReport | undefined> {
    const made = await this.createToken(p, 'whm', { name: probe, acls: start, expiresAt: Math.floor(this.now() / 1000) + 3600 }, false);
    if (!made) return undefined;
    // The probe signs in as a profile of its own, its value in secret storage only while the checks run.
    const probeProfile: ServerProfile = {
      ...p,
      id: `${p.id}#probe`,
      label: `${p.label} (probe token ${probe})`,
      auth: 'token',
      twoFactor: p.twoFactor === 'header' ? 'header' : 'none',
    };
    const totpSecret = (await this.s.secrets.get(p.id)).totpSecret;
    await this.s.secrets.set(probeProfile.id, {
      token: made.value,
      ...(probeProfile.twoFactor === 'header' && totpSecret ? { totpSecret } : {}),
    });
    let result: NarrowResult = { acls: start, complete: false, checks: 0, needed: [], undecided: start };
    let proved: string[] = [];
    let target: string[] = [];
    let failure: string | undefined;
    const applist = async (): Promise<Set<string>> => {
      const r = await this.s.runner.background(probeProfile, { family: 'whm', function: 'applist', params: [] });
      const apps = r.ok ? readApplist(r.data) : undefined;
      if (!apps) throw new Error(`applist with the probe token failed: ${r.hint ?? r.errors.join(' ')}`);
      return apps;
    };
    const setAcls = async (acls: string[]): Promise<void> => {
      const r = await this.s.runner.background(p, updateRequest(probe, { acls }));
      if (!r.ok) throw new Error(`the probe token's privileges could not be changed: ${r.hint ?? r.errors.join(' ')}`);
    };
    try {
      const granted = await applist();
      target = used.filter((f) => granted.has(f));
      if (target.length) {
        result = await narrow(start, async (acls) => {
          await setAcls(acls);
          const g = await applist();
          return target.every((f) => g.has(f));
        });
        await setAcls(result.acls);
        const final = await applist();
        proved = target.filter((f) => final.has(f));
      }
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    } finally {
      await this.s.secrets.delete(probeProfile.id);
      this.s.clients.drop(probeProfile.id);
    }
    const probeRevoked = await this.revokeQuietlyAsked(
      p,
      'whm',
      probe,
      `Revoke the probe token ${probe} on ${p.label} now? It was made to test which privileges your calls need, and expires ` +
        `within the hour anyway.`,
    );
    if (failure) {
      void vscode.window.showErrorMessage(
        `Narrowing stopped on ${p.label}: ${failure}.${probeRevoked ? ' The probe token is revoked.' : ` Revoke the probe token ${probe} (it expires within the hour).`}`,
      );
      return undefined;
    }
    return { ...result, used, proved, notProved: used.filter((f) => !proved.includes(f)), probe, probeRevoked };
  }
}

function vaultKey(profileId: string, name: string): string {
  return `${VAULT_PREFIX}${profileId}.${name}`;
}

function capitalize(s: string): string {
  return s.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

/** The narrowing's report: what was proved, what was not, and how. */
export function narrowMarkdown(p: ServerProfile, r: NarrowReport): string {
  const code = (xs: readonly string[]): string => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : 'none');
  return [
    `# Privileges for the WHM calls made to ${p.label}`,
    '',
    `**Proposed privileges (${r.acls.length}):** ${code(r.acls)}`,
    '',
    `- Functions used (History and snippets): ${code(r.used)}`,
    `- Proved granted by applist with exactly these privileges: ${code(r.proved)}`,
    `- Not proved: ${code(r.notProved)}${r.notProved.length ? ' (they need a privilege you do not have, "all", or applist does not list them)' : ''}`,
    `- Kept because removing each alone lost a function: ${code(r.needed)}`,
    ...(r.undecided.length
      ? [`- Kept without being decided${r.complete ? '' : ' (the bound on checks was reached)'}: ${code(r.undecided)}`]
      : []),
    '',
    `Found with ${r.checks} check(s) of one probe token, ${r.probe}, which ` +
      `${r.probeRevoked ? 'is revoked' : 'was not revoked: revoke it (it expires within the hour)'}.`,
    'applist shows which functions a token may call, not every parameter or account it may act on: test the token on your calls.',
    '',
  ].join('\n');
}
