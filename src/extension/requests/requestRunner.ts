import * as vscode from 'vscode';
import { functionName, type ApiRequest } from '../../core/api/request';
import { Catalog } from '../../core/catalog';
import type { FanPart, FanTarget } from '../../core/fanout';
import { notSentResult, RequestPipeline, type Origin, type Question, type SendSpec, type Wording } from '../../core/pipeline';
import type { ConfirmReason, Preview, Target } from '../../core/requestRun';
import type { CheckResult } from '../../core/checks';
import type { ApiResult } from '../../core/result';
import { SERVICE_NAMES, type ServerProfile } from '../../core/servers';
import { redactorFor } from '../../core/snippetSandbox';
import { offerPin } from '../servers/certificates';
import type { ClientRegistry } from '../servers/clients';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { Settings } from '../settings';
import type { ProfileStore } from '../servers/profileStore';
import type { ResultPanels } from '../results/resultPanels';

export type { Origin } from '../../core/pipeline';

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
  /** Secret values the answer carries (a new API token), read by the caller and scrubbed from everything else. */
  secretsInAnswer?: (answer: unknown) => readonly string[];
  /** The question before a destructive call, in the caller's words. */
  wording?: Wording;
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
  spec: Target & { origin: Origin };
  result: ApiResult;
}

/** Asks for a typed confirmation (the number of targets of a destructive fan-out); replaced only by tests. */
export type CountConfirmer = (message: string, expected: string) => Promise<boolean>;

const typedConfirm: CountConfirmer = async (message, expected) =>
  (
    await vscode.window.showInputBox({
      title: message,
      prompt: `Type ${expected} to send it to all of them.`,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === expected || v === '' ? null : `Type ${expected}, the number of targets.`),
    })
  )?.trim() === expected;

/** Asks a person; replaced only by tests, which cannot click a modal dialog in the extension host. */
export type Confirmer = (message: string, detail: string, action: string) => Promise<boolean>;

const modalConfirm: Confirmer = async (message, detail, action) =>
  (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;

/**
 * The extension's hooks on the core request pipeline, which every path sends through (palette, tree,
 * builder, snippets, Rerun, result views, History, fan-outs, and the tree's own reads): it asks what
 * must be asked in a modal showing the exact method, URL and body (Restricted Mode, destructive calls,
 * a change sent again, a fan-out), shows a cancellable progress, offers to pin an untrusted
 * certificate, logs and records each answer for History and Rerun, and opens the result.
 */
export class RequestRunner extends Disposable {
  private last: RunSpec | undefined;
  private readonly _onDidSend = this._register(new vscode.EventEmitter<SentEvent>());
  readonly onDidSend = this._onDidSend.event;
  confirm: Confirmer = modalConfirm;
  confirmCount: CountConfirmer = typedConfirm;
  /** WHM's applist for a server, when known: turns "no function named" into "not granted". */
  applist: ((p: ServerProfile) => Promise<Set<string> | undefined>) | undefined;
  private readonly pipeline: RequestPipeline;
  /** Sends whose questions the caller already asked, once for many (the rows of a data run). */
  private readonly answered = new WeakSet<object>();

  constructor(
    private readonly profiles: ProfileStore,
    private readonly clients: ClientRegistry,
    private readonly panels: ResultPanels,
    private readonly log: Log,
  ) {
    super();
    this.pipeline = new RequestPipeline({
      client: (p) => this.clients.get(p),
      confirm: (q) => this.ask(q),
      around: (spec, send) => this.withProgress(spec, send),
      retryWith: (spec, r) => (spec.quiet ? Promise.resolve(undefined) : offerPin(spec.profile, r, this.profiles)),
      record: (spec, r) => {
        this.log.write(
          r.ok ? 'info' : 'warn',
          spec.profile.label,
          `${r.request.method} ${r.request.function}: ${r.kind} (HTTP ${r.status}, ${r.timings.totalMs} ms)${r.ok ? '' : ` ${r.hint ?? ''}`}`,
        );
        this._onDidSend.fire({ spec: { profile: spec.profile, request: spec.request, origin: spec.origin }, result: r });
      },
    });
  }

  get lastRun(): RunSpec | undefined {
    return this.last;
  }

  /**
   * A read the window makes for itself (the tree's applist, a server's accounts): through the same
   * pipeline, so a refused credential is not sent again, but with no progress, no question and no
   * History entry.
   */
  async background(profile: ServerProfile, request: ApiRequest, signal?: AbortSignal): Promise<ApiResult> {
    const spec: SendSpec = { profile, request, origin: 'background', quiet: true, ...(signal ? { signal, context: { signal } } : {}) };
    const o = await this.pipeline.send(spec);
    if (o.sent) return o.result;
    return notSentResult(request, 'config_error', o.message);
  }

  /** Sends without opening a result (Test Connection, lists): still confirmed, recorded and logged. */
  async send(
    spec: RunSpec,
    title?: string,
    opts: { progress?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ profile: ServerProfile; result: ApiResult } | undefined> {
    const pipelineSpec: SendSpec = {
      profile: spec.profile,
      request: spec.request,
      origin: spec.origin,
      ...(spec.secretValues?.length ? { secretValues: spec.secretValues } : {}),
      ...(spec.untrustedSource !== undefined && !vscode.workspace.isTrusted ? { untrustedSource: spec.untrustedSource } : {}),
      ...(spec.secretsInAnswer ? { secretsInAnswer: spec.secretsInAnswer } : {}),
      ...(spec.wording ? { wording: spec.wording } : {}),
    };
    const signal = opts.signal ?? spec.signal;
    pipelineSpec.context = { progress: opts.progress !== false, ...(title ? { title } : {}), ...(signal ? { signal } : {}) };
    const o = await this.pipeline.send(pipelineSpec);
    if (!o.sent) {
      if (o.reason === 'invalid') void vscode.window.showErrorMessage(`${spec.profile.label}: ${o.message}`);
      this.log.write('info', spec.profile.label, o.message);
      return undefined;
    }
    this.last = { ...spec, profile: o.profile };
    return { profile: o.profile, result: o.result };
  }

  /**
   * One request to many targets (servers of a group, accounts of a WHM server), through the same
   * pipeline: Restricted Mode, the request built and shown first; a change asks once for all, a
   * destructive call only after the number of targets is typed. One cancellable progress; cancel drops
   * what has not started and aborts what runs. Each target's call is recorded like any other.
   */
  async fanOut(
    request: ApiRequest,
    targets: readonly FanTarget[],
    opts: { what: string; untrustedSource?: string },
  ): Promise<FanPart[] | undefined> {
    if (!targets.length) return [];
    const n = targets.length;
    const label = (t: FanTarget): string => `${t.profile.label}${t.account ? `/${t.account}` : ''}`;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${functionName(request)} → ${opts.what}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        const running = new Set<string>();
        let done = 0;
        let failed = 0;
        const report = (): void =>
          progress.report({
            message: `${done} of ${n} done${failed ? `, ${failed} failed` : ''}${running.size ? ` · ${[...running].slice(0, 3).join(', ')}${running.size > 3 ? '…' : ''}` : ''}`,
          });
        try {
          const o = await this.pipeline.fanOut(request, targets, {
            concurrency: Settings.fanoutConcurrency(),
            signal: ac.signal,
            origin: 'fanout',
            what: opts.what,
            ...(opts.untrustedSource !== undefined && !vscode.workspace.isTrusted ? { untrustedSource: opts.untrustedSource } : {}),
            onStart: (t) => {
              running.add(label(t));
              report();
            },
            onResult: (part) => {
              running.delete(label(part.target));
              done++;
              if (!part.result.ok) failed++;
              progress.report({ increment: 100 / n });
              report();
            },
          });
          if (!o.sent) {
            if (o.reason === 'invalid') void vscode.window.showErrorMessage(`${opts.what}: ${o.message}`);
            this.log.write('info', opts.what, o.message);
            return undefined;
          }
          return o.parts;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /**
   * One row of a data run: through the pipeline, recorded (History: origin 'data'), without a progress of
   * its own and without a question: the run showed the rows and asked once for all of them.
   */
  async sendRow(t: Target, signal?: AbortSignal): Promise<ApiResult> {
    const spec: SendSpec = {
      profile: t.profile,
      request: t.request,
      origin: 'data',
      ...(t.secretValues?.length ? { secretValues: t.secretValues } : {}),
      context: { progress: false, ...(signal ? { signal } : {}) },
    };
    this.answered.add(spec);
    const o = await this.pipeline.send(spec);
    return o.sent ? o.result : notSentResult(t.request, 'config_error', o.message);
  }

  /** Every question the pipeline asks, as the window asks it. */
  private async ask(q: Question): Promise<boolean> {
    if ('target' in q && this.answered.has(q.target)) return true;
    switch (q.reason) {
      case 'untrusted':
        return this.confirm(
          `This workspace is in Restricted Mode. Send ${shortWhat(q.target)}?`,
          `The snippet ${q.source} comes from a workspace you have not trusted: check what it does before sending it with your credentials.`,
          'Send',
        );
      case 'fanout': {
        if (q.effect === 'destructive') {
          return this.confirmCount(
            `${q.fn} removes, suspends, revokes, resets or changes a password, on ${q.count} targets (${q.what}).`,
            String(q.count),
          );
        }
        return this.confirm(
          `${q.fn} changes something. Send it to ${q.count} targets (${q.what})?`,
          describePreview(q.preview),
          'Send to All',
        );
      }
      case 'destructive':
      case 'resend':
        if (q.wording) return this.confirm(q.wording.message, describePreview(q.preview), q.wording.action);
        return this.askFor(q.preview, q.reason, q.target.profile);
    }
  }

  /** A send in a cancellable progress notification (unless told otherwise); Escape in the builder cancels it too. */
  private withProgress(spec: SendSpec, send: (signal?: AbortSignal) => Promise<ApiResult>): Promise<ApiResult> {
    const how = spec.context ?? {};
    if (!how.progress) return send(how.signal ?? spec.signal);
    const title = how.title ?? `${shortWhat(spec)}…`;
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        const onAbort = (): void => ac.abort();
        if (how.signal?.aborted) ac.abort();
        how.signal?.addEventListener('abort', onAbort, { once: true });
        return send(ac.signal).finally(() => {
          sub.dispose();
          how.signal?.removeEventListener('abort', onAbort);
        });
      }),
    );
  }

  /** Sends and opens the result in an editor tab; a failure the API did not report itself is also explained in a notification. */
  async run(spec: RunSpec): Promise<Sent | undefined> {
    const r = await this.send(spec);
    if (!r) return undefined;
    await this.explainNotGranted(r.profile, spec.request, r.result);
    // A snippet's checks may quote a value read from the environment: scrubbed like the answer.
    const judged = await spec.judge?.(r.result);
    const checks = judged && spec.secretValues?.length ? redactorFor(spec.secretValues).scrubValue(judged) : judged;
    const target = { profile: r.profile, request: spec.request, ...(spec.secretValues ? { secretValues: spec.secretValues } : {}) };
    const stored = this.panels.show(
      { result: r.result, server: r.profile.label, target, ...(checks ? { checks } : {}) },
      spec.beside === true,
    );
    // A failure gets its hint and what to do next; a call the person cancelled needs neither (its view says so).
    if (!r.result.ok && r.result.kind !== 'api_error' && r.result.kind !== 'cancelled') void this.explainFailure(r.profile, r.result);
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
    const retry = r.refused ? ['Try Again'] : [];
    const actions =
      r.kind === 'locked_out'
        ? [...retry, 'Show Log']
        : credentials
          ? ['Set Credentials…', ...retry, 'Edit Server…', 'Show Log']
          : ['Edit Server…', 'Show Log'];
    const choice = await vscode.window.showErrorMessage(
      `${p.label} (${SERVICE_NAMES[p.service]}): ${r.hint ?? r.errors.join(' ')}`,
      ...actions,
    );
    const node = { kind: 'server', profile: p, problems: [] };
    // Test Connection forgets the refusal and sends once: the person chose to.
    if (choice === 'Try Again') await vscode.commands.executeCommand(Commands.serverTest, node);
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

/** The exact request, secrets redacted: what a confirmation shows. */
export function describePreview(p: Preview): string {
  return `${p.method} ${p.url}${p.body ? `\n\n${p.body.split('&').join('\n')}` : ''}`;
}

/** "whm listaccts on prod", "uapi Email/add_pop as bob on prod": how a progress and a question name a call. */
function shortWhat(t: Target): string {
  const r = t.request;
  return `${r.family} ${functionName(r)}${r.asUser ? ` as ${r.asUser}` : ''} on ${t.profile.label}`;
}
