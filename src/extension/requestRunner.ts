import * as vscode from 'vscode';
import { effectOf } from '../core/api/effects';
import { functionName, type ApiRequest } from '../core/api/request';
import { Catalog } from '../core/catalog';
import { fanOut, requestFor, type FanPart, type FanTarget } from '../core/fanout';
import { Settings } from './settings';
import { prepareRun, type ConfirmReason, type Preview, type Target } from '../core/requestRun';
import type { CheckResult } from '../core/checks';
import type { ApiResult } from '../core/result';
import { SERVICE_NAMES, type ServerProfile } from '../core/servers';
import type { AccountsModel } from './accountsModel';
import { offerPin } from './certificates';
import type { ClientRegistry } from './clients';
import { Commands } from './constants';
import { Disposable } from './lifecycle';
import type { Log } from './log';
import type { ProfileStore } from './profileStore';
import type { ResultPanels } from './resultPanels';

/** Where a send started: every path goes through the runner, and says which it is. */
export type Origin = 'palette' | 'tree' | 'builder' | 'snippet' | 'rerun' | 'result' | 'history' | 'page' | 'fanout' | 'test';

/** Origins that send a request that was sent before: a change asks again. */
const RESENDS: readonly Origin[] = ['rerun', 'result', 'history'];

export interface RunSpec extends Target {
  origin: Origin;
  /** Open the result beside the active editor, keeping focus (the builder stays in view). */
  beside?: boolean;
  /** The request comes from a file in a workspace that is not trusted: ask before sending it at all. */
  untrustedSource?: string;
  /** Cancels the send (Escape in the builder), as the progress notification's Cancel does. */
  signal?: AbortSignal;
  /** A snippet's checks of the answer, shown with the result. */
  judge?: (result: ApiResult) => Promise<readonly CheckResult[] | undefined>;
}

/** What a send hands back to its caller (and tests): the result and where it opened. */
export interface Sent {
  result: ApiResult;
  /** The result's read-only JSON document (opened by "Open as JSON"). */
  uri: vscode.Uri;
  /** The stored result's id (its view, Compare). */
  id: number;
  checks?: readonly CheckResult[];
}

export interface SentEvent {
  spec: RunSpec;
  result: ApiResult;
}

/** Asks for a typed confirmation (the number of targets of a destructive fan-out); replaced only by tests. */
export type CountConfirmer = (message: string, expected: string) => Promise<boolean>;

const typedConfirm: CountConfirmer = async (message, expected) =>
  (await vscode.window.showInputBox({ title: message, prompt: `Type ${expected} to send it to all of them.`, ignoreFocusOut: true, validateInput: (v) => (v.trim() === expected || v === '' ? null : `Type ${expected}, the number of targets.`) }))?.trim() === expected;

/** Asks a person; replaced only by tests, which cannot click a modal dialog in the extension host. */
export type Confirmer = (message: string, detail: string, action: string) => Promise<boolean>;

const modalConfirm: Confirmer = async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;

/**
 * The one path every request takes in the extension (palette, tree, builder, snippets, Rerun): it
 * asks what must be asked (Restricted Mode, destructive calls, sending a change again) showing the
 * exact method, URL and body, sends with a cancellable progress, offers to pin an untrusted
 * certificate, records the send for Rerun, and opens the result.
 */
export class RequestRunner extends Disposable {
  private last: RunSpec | undefined;
  private readonly _onDidSend = this._register(new vscode.EventEmitter<SentEvent>());
  readonly onDidSend = this._onDidSend.event;
  confirm: Confirmer = modalConfirm;
  confirmCount: CountConfirmer = typedConfirm;
  /** WHM's applist for a server, when known: turns "no function named" into "not granted". */
  applist: ((p: ServerProfile) => Promise<Set<string> | undefined>) | undefined;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly clients: ClientRegistry,
    private readonly panels: ResultPanels,
    private readonly accounts: AccountsModel,
    private readonly log: Log,
  ) {
    super();
    // A WHM call that changes something may have changed the accounts: the list is read again when next needed.
    this._register(
      this.onDidSend(({ spec, result }) => {
        if (spec.request.family === 'whm' && result.status > 0 && effectOf('whm', functionName(spec.request)) !== 'read') this.accounts.invalidate(spec.profile.id);
      }),
    );
  }

  get lastRun(): RunSpec | undefined {
    return this.last;
  }

  /** Sends without opening a result (Test Connection, lists): still confirmed, recorded and logged. */
  async call(spec: RunSpec, title?: string, opts: { progress?: boolean; signal?: AbortSignal } = {}): Promise<{ profile: ServerProfile; result: ApiResult } | undefined> {
    if (spec.untrustedSource !== undefined && !vscode.workspace.isTrusted) {
      const ok = await this.confirm(
        `This workspace is in Restricted Mode. Send ${previewWhat(spec)}?`,
        `The snippet ${spec.untrustedSource} comes from a workspace you have not trusted: check what it does before sending it with your credentials.`,
        'Send',
      );
      if (!ok) return undefined;
    }
    let profile = spec.profile;
    // Ask before anything starts: no progress notification behind the question.
    const prepared = prepareRun(spec, { resend: RESENDS.includes(spec.origin) });
    if (!prepared.ok) {
      void vscode.window.showErrorMessage(`${profile.label}: ${prepared.message}`);
      this.log.write('info', profile.label, prepared.message);
      return undefined;
    }
    if (prepared.ask && !(await this.askFor(prepared.preview, prepared.ask, profile))) {
      this.log.write('info', profile.label, `${prepared.preview.what} was not sent.`);
      return undefined;
    }
    const send = (p: ServerProfile): Thenable<ApiResult> =>
      opts.progress === false
        ? this.clients.call(p, spec.request, opts.signal)
        : vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: title ?? `${previewWhat(spec)}…`, cancellable: true }, (_progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        // Escape in the builder cancels as the notification's Cancel does.
        const onAbort = (): void => ac.abort();
        if (spec.signal?.aborted) ac.abort();
        spec.signal?.addEventListener('abort', onAbort, { once: true });
        return this.clients.call(p, spec.request, ac.signal).finally(() => {
          sub.dispose();
          spec.signal?.removeEventListener('abort', onAbort);
        });
      });
    let result = await send(profile);
    const pinned = await offerPin(profile, result, this.profiles);
    if (pinned) {
      profile = pinned;
      // The person already agreed to this call; only the certificate changed.
      result = await send(profile);
    }
    this.last = { ...spec, profile };
    this._onDidSend.fire({ spec: this.last, result });
    return { profile, result };
  }

  /**
   * One request to many targets (servers of a group, accounts of a WHM server), through the same
   * checks: Restricted Mode, the request built and shown first; a change asks once for all, a
   * destructive call only after the number of targets is typed. One cancellable progress; cancel drops
   * what has not started and aborts what runs. Each target's call is recorded like any other.
   */
  async fanOut(request: ApiRequest, targets: readonly FanTarget[], opts: { what: string; untrustedSource?: string }): Promise<FanPart[] | undefined> {
    if (!targets.length) return [];
    const first = { profile: targets[0]!.profile, request: requestFor(request, targets[0]!) };
    const prepared = prepareRun(first);
    if (!prepared.ok) {
      void vscode.window.showErrorMessage(`${opts.what}: ${prepared.message}`);
      return undefined;
    }
    const n = String(targets.length);
    const fn = functionName(request);
    if (opts.untrustedSource !== undefined && !vscode.workspace.isTrusted) {
      if (!(await this.confirm(`This workspace is in Restricted Mode. Send ${fn} to ${n} targets?`, `The snippet ${opts.untrustedSource} comes from a workspace you have not trusted.`, 'Send'))) return undefined;
    }
    if (prepared.preview.effect === 'destructive') {
      if (!(await this.confirmCount(`${fn} removes, suspends, revokes, resets or changes a password, on ${n} targets (${opts.what}).`, n))) {
        this.log.write('info', opts.what, `${fn} was not sent to ${n} targets.`);
        return undefined;
      }
    } else if (prepared.preview.effect === 'changes') {
      if (!(await this.confirm(`${fn} changes something. Send it to ${n} targets (${opts.what})?`, describePreview(prepared.preview), 'Send to All'))) return undefined;
    }
    const answers = new Map<FanTarget, ApiResult>();
    const concurrency = Settings.fanoutConcurrency();
    const label = (t: FanTarget): string => `${t.profile.label}${t.account ? `/${t.account}` : ''}`;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${fn} → ${opts.what}`, cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      const running = new Set<string>();
      let done = 0;
      let failed = 0;
      const report = (): void =>
        progress.report({ message: `${done} of ${n} done${failed ? `, ${failed} failed` : ''}${running.size ? ` · ${[...running].slice(0, 3).join(', ')}${running.size > 3 ? '…' : ''}` : ''}` });
      try {
        await fanOut(
          targets,
          async (t, signal) => {
            const req = requestFor(request, t);
            const r = await this.clients.call(t.profile, req, signal);
            answers.set(t, r);
            this._onDidSend.fire({ spec: { profile: t.profile, request: req, origin: 'fanout' }, result: r });
            return r;
          },
          {
            concurrency,
            signal: ac.signal,
            onStart: (t) => {
              running.add(label(t));
              report();
            },
            onResult: (fr, i) => {
              running.delete(label(targets[i]!));
              done++;
              if (!fr.ok) failed++;
              progress.report({ increment: 100 / targets.length });
              report();
            },
          },
        );
      } finally {
        sub.dispose();
      }
    });
    // A target never sent (cancelled before it started) is listed, not recorded.
    return targets.map((target) => ({ target, result: answers.get(target) ?? cancelledResult(request, target) }));
  }

  /** Sends and opens the result in an editor tab; a failure the API did not report itself is also explained in a notification. */
  async run(spec: RunSpec): Promise<Sent | undefined> {
    const r = await this.call(spec);
    if (!r) return undefined;
    await this.explainNotGranted(r.profile, spec.request, r.result);
    const checks = await spec.judge?.(r.result);
    const stored = this.panels.show({ result: r.result, server: r.profile.label, target: { profile: r.profile, request: spec.request }, ...(checks ? { checks } : {}) }, spec.beside === true);
    if (!r.result.ok && r.result.kind !== 'api_error') void this.explainFailure(r.profile, r.result);
    return { result: r.result, uri: this.panels.docs.uri(stored), id: stored.id, ...(checks ? { checks } : {}) };
  }

  /**
   * WHM answers a function the user's privileges do not grant as if it did not exist: when its applist
   * (as the tree fetched it) lacks a function the catalog has, the hint says so instead of "check the spelling".
   */
  private async explainNotGranted(p: ServerProfile, req: ApiRequest, r: ApiResult): Promise<void> {
    if (req.family !== 'whm' || r.kind !== 'api_error' || !/has no function named/.test(r.hint ?? '') || !this.applist) return;
    const allowed = await this.applist(p).catch(() => undefined);
    if (!allowed || allowed.has(req.function) || !Catalog.load().get('whm', req.function)) return;
    r.hint = `${req.function} is not granted to ${p.username} on ${p.label}: it is not in WHM's applist for this user (its privileges or its API token's ACL). Ask the server's administrator for the privilege, or use a token that has it.`;
  }

  /** The hint, with what to do next: the server's credentials or settings, or the log. */
  async explainFailure(p: ServerProfile, r: ApiResult): Promise<void> {
    const credentials = r.kind === 'auth_error' || r.kind === 'config_error';
    const actions = credentials ? ['Set Credentials…', 'Edit Server…', 'Show Log'] : ['Edit Server…', 'Show Log'];
    const choice = await vscode.window.showErrorMessage(`${p.label} (${SERVICE_NAMES[p.service]}): ${r.hint ?? r.errors.join(' ')}`, ...actions);
    const node = { kind: 'server', profile: p, problems: [] };
    if (choice === 'Set Credentials…') await vscode.commands.executeCommand(Commands.serverSetSecrets, node);
    if (choice === 'Edit Server…') await vscode.commands.executeCommand(Commands.serverEdit, node);
    if (choice === 'Show Log') this.log.channel.show();
  }

  /** The last request again, to the server as it is configured now; a change asks first. */
  async rerun(): Promise<Sent | undefined> {
    if (!this.last) {
      void vscode.window.showInformationMessage('Nothing to rerun yet: send a request first.');
      return undefined;
    }
    const profile = this.profiles.get(this.last.profile.id);
    if (!profile) {
      void vscode.window.showWarningMessage(`The server ${this.last.profile.label} no longer exists.`);
      return undefined;
    }
    return this.run({ ...this.last, profile, origin: 'rerun', beside: false });
  }

  private askFor(p: Preview, why: ConfirmReason, profile: ServerProfile): Promise<boolean> {
    const message =
      why === 'destructive'
        ? `${p.what} removes, suspends, revokes, resets or changes a password. Send it?`
        : `${p.what} changes something on ${profile.label}, and was sent before. Send it again?`;
    return this.confirm(message, describePreview(p), why === 'destructive' ? 'Send' : 'Send Again');
  }
}

function cancelledResult(request: ApiRequest, t: FanTarget): ApiResult {
  const hint = 'Cancelled before it was sent.';
  return {
    ok: false,
    kind: 'cancelled',
    status: 0,
    data: null,
    errors: [hint],
    warnings: [],
    messages: [],
    metadata: {},
    raw: '',
    contentType: '',
    hint,
    timings: { headersMs: 0, totalMs: 0 },
    request: { method: request.method ?? 'GET', url: '', family: request.family, function: functionName(requestFor(request, t)) },
  };
}

/** The exact request, secrets redacted: what a confirmation shows. */
export function describePreview(p: Preview): string {
  return `${p.method} ${p.url}${p.body ? `\n\n${p.body.split('&').join('\n')}` : ''}`;
}

function previewWhat(spec: RunSpec): string {
  const r = spec.request;
  return `${r.family} ${functionName(r)}${r.asUser ? ` as ${r.asUser}` : ''} on ${spec.profile.label}`;
}
